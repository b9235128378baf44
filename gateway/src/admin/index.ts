/** The admin UI's API on the web listener. */
export { createAdminApi, ADMIN_ROUTES, type AdminDeps } from './routes.js';
