export { createSimulator, type Simulator, type SimulatorOptions } from './simulator.js';
export { startSimulatorProcess, type SimulatorProcess, type SimulatorProcessOptions } from './process.js';
export { checkTransactionBundle, type BundleCheck, type BundleFacts, type OutcomeIssue } from './bundle-shape.js';
export { createFaultPlan, faultsSchema, type Faults } from './faults.js';
export type { JournalEntry } from './journal.js';
export type { SimulatorStats } from './routes.js';
