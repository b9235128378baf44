export { createSimulator, type Simulator, type SimulatorOptions } from './simulator.js';
export { startSimulatorProcess, type SimulatorProcess, type SimulatorProcessOptions } from './process.js';
export { checkTransactionBundle, type BundleCheck, type BundleFacts } from './message-check.js';
export { loadR4Definitions } from './fhir-r4.js';
export type { OutcomeIssue } from './outcome.js';
export { createFaultPlan, faultsSchema, type Faults } from './faults.js';
export type { JournalEntry } from './journal.js';
export type { SimulatorStats } from './routes.js';
