export { enqueueMessage } from './enqueue.js';
export { createRelay, type Relay, type RelayDeps } from './relay.js';
export { claimDue, type ClaimedMessage } from './claim.js';
export { retryDelayMs, givesUp, type RetryPolicy } from './retry-policy.js';
export { redrive, listMessages, backlog } from './redrive.js';
