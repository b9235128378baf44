/** Shared by the global setup (no vitest imports allowed there) and `testDatabase()`. */
export const TEMPLATE_DATABASE = 'gateway_template';
export const RUNTIME_TEST_PASSWORD = 'runtime-test-password';
export const AUDIT_ADMIN_TEST_PASSWORD = 'audit-admin-test-password';
