import { z } from 'zod';

// Field types the settings sections share: from the environment every value arrives as a string.
export const port = z.coerce.number().int().min(0).max(65535);
export const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
export const positiveInt = z.coerce.number().int().positive();

/**
 * The longest any copy of personal data may be kept (results, idempotency records, database
 * dumps): SI-DEP itself keeps results three months (DOMAIN.md "Retention"), a relay keeps less.
 */
export const MAX_PERSONAL_DATA_DAYS = 90;
