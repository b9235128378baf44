export { createDatabase, type Database, type Tx } from './database.js';
export { migrate, DatabaseNewerThanCode } from './migrate.js';
export { AUDIT_ADMIN_ROLE, initRoles, REGISTRAR_ROLE, RUNTIME_ROLE, SEALER_ROLE } from './roles.js';
export { asRegistrar, inTransaction } from './registrar.js';
export type { DB } from './types.js';
export type { DeadReason, MessageKind, ResultStatus, RevocationReason, Role } from './column-types.js';
