export { createRelay, type Relay, type RelayDeps } from './relay.js';
export { createMessageBuilder } from './message-builder.js';
export { retryDelayMs, givesUp, type RetryPolicy } from './retry-policy.js';
export { createWakeableSleep } from './wakeable-sleep.js';
export { closeContractCircuit, readContractCircuit, type ContractPause } from './contract-circuit.js';
export type { ContractCircuitSettings } from './contract-streak.js';
