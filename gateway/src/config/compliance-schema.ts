import { z } from 'zod';

/** One line of text that a Markdown table cell or heading carries as is. */
const declaration = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\p{Cc}|]+$/u);

/**
 * What the chain declares about itself for `gateway compliance …` (record of processing, DPIA,
 * processor clauses, patient notice); no effect on serving. Each one left out prints as a blank
 * to complete.
 */
export const complianceSchema = z
  .object({
    /** The controller's legal name (the chain, or as its DPO decides). */
    controllerName: declaration.optional(),
    /** How people reach the data protection officer: an address or a postal address, as published. */
    dpoContact: declaration.optional(),
    /** The certified health-data host (HDS) running the gateway, its database and its backups. */
    hdsHostName: declaration.optional(),
    /** The host's HDS certificate: its number or reference, and its certifying body. */
    hdsCertificateRef: declaration.optional(),
  })
  .strict()
  .prefault({});
