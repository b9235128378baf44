export { createVaultSession, statusOf, VaultLoginFailed, type VaultConnection, type VaultResponse, type VaultSession } from './session.js';
export { openVaultTransit, type VaultTransitOptions } from './transit.js';
export { createCircuitBreaker, type CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.js';
export { createVaultCheckpointSigner } from './signer.js';
export { openVaultPki, type VaultPkiOptions } from './pki.js';
export { openConfiguredCa } from './configured-ca.js';
export { openConfiguredKeys, openSettingsCa, openVaultKeys } from './configured-keys.js';
