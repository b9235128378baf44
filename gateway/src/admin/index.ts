/** The admin UI's API on the web listener, and the build of the UI it serves. */
export { createAdminApi, ADMIN_ROUTES, type AdminDeps } from './routes.js';
export { ensureAdminUiBuilt, ADMIN_UI_ROOT } from './ui-build.js';
