export { createRelay, type Relay, type RelayDeps } from './relay.js';
export { createMessageBuilder } from './message-builder.js';
export { retryDelayMs, givesUp, type RetryPolicy } from './retry-policy.js';
