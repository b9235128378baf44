import type { KeyManager } from '../crypto/index.js';
import { fail, ok, reason, type CheckResult } from './report.js';

/** The key manager answers now, and names its key versions (never key material). */
export async function checkKeyManager(open: () => Promise<KeyManager>): Promise<CheckResult> {
  try {
    const keys = await open();
    await keys.probe();
    const v = await keys.keyVersions();
    return ok('key-manager', `${keys.kind} answers; key version ${v.current} (oldest usable ${v.minDecryption})`);
  } catch (e) {
    return fail('key-manager', `unavailable: ${reason(e)}`, 'check Vault (unsealed, reachable, AppRole secret id valid, policy allows the Transit keys) or the keyring file');
  }
}
