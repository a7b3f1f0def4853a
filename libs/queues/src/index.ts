export * from './queue-names';
export * from './job-data';
export * from './job-options';
export * from './enqueue';
export * from './bullmq-connection';
