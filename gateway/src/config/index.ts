export { pkiSchema, settingsSchema, type Settings, type SettingsInput } from './schema.js';
export { parseSettings, settingsFromEnv, envName, SettingsRefused } from './load.js';
export { environmentProblems, productionProblems } from './production-rules.js';
