export { settingsSchema, type Settings, type SettingsInput } from './schema.js';
export { pkiSchema } from './pki-schema.js';
export { issuerSchema } from './web-schema.js';
export { parseSettings, settingsFromEnv, envName, SettingsRefused } from './load.js';
export { environmentProblems, productionProblems } from './production-rules.js';
export { completeSettings, parsePartialSettings, requiredSection, type PartialSettings } from './partial.js';
