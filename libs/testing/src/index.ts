export * from './test-database';
export * from './test-api';
export * from './factories';
export * from './webhook-receiver';
export * from './webhook-factories';
