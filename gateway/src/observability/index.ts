export { createLogger, errorSummary, forwardLogLines, type Logger } from './logger.js';
export { createMetrics, type Metrics } from './metrics.js';
export { countAcceptedPerPharmacy, createPharmacyLabels } from './pharmacy-volumes.js';
export { configuredLogForwarder, createLogForwarder, type LogForwarder } from './log-forwarding.js';
