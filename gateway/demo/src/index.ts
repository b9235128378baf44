// What `gateway demo` runs. Tests and tools reuse single parts (embedded PostgreSQL, OpenBao,
// the OIDC provider) through their own files, without loading the whole appliance.
export { runDemo, DemoRefused } from './run-demo.js';
export { DEMO_KEY_MANAGERS, isDemoKeyManagerKind } from './key-manager.js';
