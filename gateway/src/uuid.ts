const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `s` has a UUID's form (any version, any case): the one check before a value reaches a
 * `uuid` column or names a row, so that anything else is refused (or 404) rather than a 500.
 * @example if (!isUuid(id)) throw new NotFound();
 */
export const isUuid = (s: string): boolean => UUID.test(s);
