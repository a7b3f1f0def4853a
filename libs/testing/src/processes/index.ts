export * from './herald-build';
export * from './herald-process';
export * from './process-system';
export * from './delivery-ledger';
