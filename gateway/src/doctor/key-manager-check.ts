import type { KeyManager } from '../keys/index.js';
import { fail, ok, reason, type CheckResult } from './report.js';

/** The key manager answers now, and names its key versions (never key material); the opened key manager when it does. */
export async function checkKeyManager(open: () => Promise<KeyManager>): Promise<{ result: CheckResult; keys?: KeyManager }> {
  try {
    const keys = await open();
    await keys.probe();
    const v = await keys.keyVersions();
    return { result: ok('key-manager', `${keys.kind} answers; key version ${v.current} (oldest usable ${v.minDecryption})`), keys };
  } catch (e) {
    return { result: fail('key-manager', `unavailable: ${reason(e)}`, 'check Vault (unsealed, reachable, AppRole secret id valid, policy allows the Transit keys) or the keyring file') };
  }
}
