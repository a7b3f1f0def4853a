export * from './herald-config';
export * from './config-error';
export * from './load-config';
export * from './load-config-or-exit';
export * from './config.tokens';
