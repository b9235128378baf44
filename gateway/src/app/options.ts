import type { AuditAppender, AuditSealer } from '../audit/index.js';
import type { Settings } from '../config/index.js';
import type { CheckpointSigner, KeyManager } from '../keys/index.js';
import type { Logger } from '../observability/index.js';
import type { CertificateAuthority } from '../pki/index.js';
import type { SidepAdapter } from '../sidep/index.js';

/** What the gateway is started with: its settings, and the parts `serve`, the demo and tests choose. */
export interface GatewayOptions {
  settings: Settings;
  log: Logger;
  keys: KeyManager;
  /** Signs audit checkpoints (Vault Transit in production, a local key file in the demo). */
  signer: CheckpointSigner;
  /** Signs delivery receipts: its own key (Transit `gateway-receipts` in production, a local key file in the demo). */
  receiptSigner: CheckpointSigner;
  /** Replaces the FHIR client (tests of the relay against a scripted SI-DEP). */
  sidep?: SidepAdapter;
  /** The CA of pharmacy certificates (`serve`: Vault PKI on the key manager's session); default from `settings.pki` (dev files or external). */
  ca?: CertificateAuthority;
  /** When the Vault AppRole secret id expires (`serve`: the key manager's session), for its alert. */
  secretIdExpiry?: () => Promise<Date | undefined>;
  /**
   * Only for the benchmark's audit-off composition (`tests/bench/`), which measures what audit
   * costs: how intake writes its audit events, and the sealer. `serve` and `demo` never set
   * them, and no setting reaches them.
   */
  audit?: { appender: AuditAppender; sealer: AuditSealer };
}
