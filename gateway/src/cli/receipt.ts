import { readFile } from 'node:fs/promises';
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { requiredSection } from '../config/index.js';
import { openLocalCheckpointSigner } from '../keys/index.js';
import { receiptJwks } from '../receipts/index.js';
import { DEMO_RECEIPT_SIGNING_KEY } from '../repository-root.js';
import { openVaultKeys } from '../vault/index.js';
import { parseCommandLine, UsageError, type CliContext, type Command } from './command.js';
import { demoFile } from './operator-settings.js';

/**
 * `gateway receipt verify <file> [--jwks F]`: 0 valid (the claims on stdout), 1 invalid, 2 usage.
 * Read-only: no operator identity, no database.
 */
export const receipt: Command = {
  help: `  receipt verify <file>       Verify a delivery receipt (compact JWS) against the deployment's receipt keys
                              (the key manager the settings name, or the running demo's key file)
                              [--jwks F] offline, against a saved /.well-known/jwks.json
`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandLine(argv, { jwks: { type: 'string' } });
    const [sub, file, ...rest] = positionals;
    if (sub !== 'verify' || file === undefined || rest.length > 0) throw new UsageError('Usage: gateway receipt verify <file> [--jwks F]');
    const jws = (await readFile(file, 'utf8')).trim();
    const jwks = values.jwks === undefined ? await deploymentJwks(ctx) : (JSON.parse(await readFile(values.jwks, 'utf8')) as JSONWebKeySet);
    try {
      const { payload } = await compactVerify(jws, createLocalJWKSet(jwks), { algorithms: ['EdDSA'] });
      ctx.out(`valid: signed by key ${String(decodeProtectedHeader(jws).kid)}`);
      ctx.out(new TextDecoder().decode(payload));
      return 0;
    } catch (e) {
      // jose's codes (ERR_JWS_SIGNATURE_VERIFICATION_FAILED, ERR_JWKS_NO_MATCHING_KEY…) say why
      ctx.out(`invalid: ${e instanceof Error && 'code' in e ? String(e.code) : 'not a compact JWS'}`);
      return 1;
    }
  },
};

/** Every receipt key version the deployment holds: Transit in production, else the running demo's key file. */
async function deploymentJwks(ctx: CliContext): Promise<JSONWebKeySet> {
  const operator = ctx.settings();
  if (operator.settings.keyManager?.kind === 'vault') {
    const { receiptSigner } = await openVaultKeys(requiredSection(operator.settings, 'keyManager'));
    return receiptJwks(await receiptSigner.publicKeys());
  }
  const demoKey = demoFile(operator, DEMO_RECEIPT_SIGNING_KEY);
  if (!demoKey) throw new UsageError('No receipt keys: pass --jwks <file> (the /.well-known/jwks.json of the web or intake listener) or set the key manager (GATEWAY_KEY_MANAGER_*).');
  return receiptJwks(await (await openLocalCheckpointSigner(demoKey)).publicKeys());
}
