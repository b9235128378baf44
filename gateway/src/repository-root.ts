import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout (or image) root: `migrations/`, `admin-ui/`, the demo's `.data/`. A leaf module
 * importing nothing of the gateway, so that any folder (and the demo) may use it without a cycle.
 */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The admin UI's sources; its build lands in `dist/` (the image's, or the demo's and tests' `uiDir`). */
export const ADMIN_UI_ROOT = path.join(REPOSITORY_ROOT, 'admin-ui');

/**
 * The running demo's data directory (unless GATEWAY_DEMO_DATA_DIR names another) and two of its
 * files: written by the demo, read by operator commands. Here, not in demo/: the production image
 * ships without it.
 */
export const DEMO_DATA_DIR = path.join(REPOSITORY_ROOT, '.data');
export const DEMO_AUDIT_SIGNING_KEY = 'audit-signing-key.pem';
/** The demo's receipt-signing key (receipts/), apart from the audit's. */
export const DEMO_RECEIPT_SIGNING_KEY = 'receipt-signing-key.pem';
export const DEMO_AUDIT_SINK = 'audit-sink.jsonl';
