export * from './admin.js';
export * from './people.js';
export * from './results.js';
export * from './prefill.js';
export * from './status-resource.js';
export * from './subjects.js';
export * from './declare.js';
export * from './webhooks.js';
