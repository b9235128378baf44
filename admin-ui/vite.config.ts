import { defineConfig } from 'vite';

/**
 * Static build for the web listener. Everything is emitted as external files (no inline
 * script or style) so the page runs under a CSP without 'unsafe-inline'; React's automatic
 * JSX runtime comes from esbuild, so no React plugin is needed.
 */
// built with `vite build admin-ui`: the root is this folder
export default defineConfig({
  base: '/',
  esbuild: { jsx: 'automatic', jsxDev: false },
  // React's production build even when built from a test run (NODE_ENV=test)
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // never inline small assets as data: URIs; CSP img-src/font-src stay 'self'
    assetsInlineLimit: 0,
    // a module preload polyfill would be an inline script
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  logLevel: 'warn',
});
