/**
 * Which pharmacies' results a caller reaches: every one, or these (a client certificate's, a
 * person's rights'). The status and listing queries take it. Imports nothing: the rights
 * (`auth/rbac.ts`), which the admin UI's build reads too, may take it from here.
 */
export type PharmacyScope = { all: true } | { all: false; pharmacyIds: readonly string[] };
