/** For answers carrying results, personal data or problems: never cached, whatever a proxy's defaults. */
export const NO_STORE = { 'cache-control': 'no-store' } as const;
