import { ensureAdminUiBuilt } from '@sidep-gateway/demo/admin-ui-build.js';

/** Global setup: the browser tests serve `admin-ui/dist`, built once here when stale. */
export default async function setup(): Promise<void> {
  await ensureAdminUiBuilt();
}
