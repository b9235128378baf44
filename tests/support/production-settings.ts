import type { SettingsInput } from '../../gateway/src/config/index.js';

/**
 * Settings for `productionProblems` whose every file setting names `file` (present or not: a test
 * keeps only the problems of the section it checks), with whole sections replaced by `sections`.
 * @example productionProblems(parseSettings(productionSettingsInput('/x', { web: { enabled: true } })))
 */
export function productionSettingsInput(file: string, sections: Record<string, unknown> = {}): SettingsInput {
  return {
    database: { url: 'postgres://gateway:s3cret-password@db.internal:5432/gateway?sslmode=verify-full' },
    intake: { certFile: file, keyFile: file, clientCaFile: file },
    metrics: { tokenFile: file },
    keyManager: { kind: 'vault' },
    sidep: { url: 'https://sidep.example.fr', caFile: file, certFile: file, keyFile: file },
    relay: {},
    retention: {},
    validation: {},
    ...sections,
  } as unknown as SettingsInput;
}
