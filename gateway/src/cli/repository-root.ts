import { fileURLToPath } from 'node:url';

/**
 * The checkout (or image) root, where `.data/` of the demo lives. Here rather than in demo/:
 * the production image ships without demo/, so nothing outside it may import from there.
 */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
