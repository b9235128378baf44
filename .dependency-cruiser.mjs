// `npm run lint`'s import-cycle check of the gateway and its demo and simulator packages. Not eslint-plugin-import-x's
// `no-cycle`: it skips type-only imports, and the crypto↔db and config↔pki cycles were type-only
// on one edge; nor madge alone: neither sees two folders importing each other through different
// files (app↔web), which no single module cycle shows.
/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-module-cycle',
      severity: 'error',
      comment: 'A module imports itself through a chain of others: load order decides which one sees the other undefined.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment: 'Two folders of gateway/src depend on each other: neither can be read, tested or moved alone (DESIGN.md, dependencies point inward).',
      scope: 'folder',
      from: { path: '^gateway/src/[^/]+$' },
      to: { circular: true, path: '^gateway/src/[^/]+$' },
    },
  ],
  options: {
    includeOnly: '^gateway/(src|demo/src|simulator/src)/',
    // `import type` counts: a cycle of types is a cycle of knowledge, whatever the emitted code.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
