import type { Database } from '../db/index.js';
import { ValidationFailed } from '../errors.js';
import { addPharmacy, deactivatePharmacy, listPharmacies, type Actor } from '../pharmacies/index.js';

export const PHARMACY_HELP = `  pharmacy add <finess> --name N   Register a pharmacy (FINESS format and key checked)
  pharmacy list                     Pharmacies, active or deactivated
  pharmacy deactivate <finess|id>   Stop every certificate of a pharmacy at once; its data stays
`;

export interface RegistryCliDeps {
  db: Database;
  /** Who runs the command, for the audit log (`cli:<user>`). */
  actor: Actor;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Runs a registry command, printing refused fields (`/finess finess-checksum`) as exit code 1. */
export async function reportingRefusals(d: RegistryCliDeps, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof ValidationFailed)) throw e;
    d.err(`Refused: ${e.errors.map((i) => `${i.pointer} ${i.code}`).join(', ')}`);
    return 1;
  }
}

/**
 * `gateway pharmacy add|list|deactivate`. Exit codes: 0 ok, 2 usage error; registry errors
 * (invalid FINESS, already registered) are thrown and printed by main.
 */
export function runPharmacyCommand(sub: string | undefined, args: string[], options: { name?: string }, d: RegistryCliDeps): Promise<number> {
  return reportingRefusals(d, () => pharmacyCommand(sub, args[0], options, d));
}

async function pharmacyCommand(sub: string | undefined, reference: string | undefined, options: { name?: string }, d: RegistryCliDeps): Promise<number> {
  switch (sub) {
    case 'add': {
      if (!reference || !options.name) return 2;
      const p = await addPharmacy(d.db, { finess: reference, name: options.name, actor: d.actor });
      d.out(`Added pharmacy ${p.finess} (${p.id}). Issue its certificate: gateway cert issue ${p.finess}`);
      return 0;
    }
    case 'list': {
      const rows = await listPharmacies(d.db);
      for (const p of rows) d.out(`${p.finess}  ${p.id}  ${p.active ? 'active     ' : 'deactivated'}  ${p.name}`);
      d.out(`${rows.length} pharmacy(ies)`);
      return 0;
    }
    case 'deactivate': {
      if (!reference) return 2;
      const p = await deactivatePharmacy(d.db, { reference, actor: d.actor });
      d.out(`Deactivated pharmacy ${p.finess}: its certificates no longer authenticate.`);
      return 0;
    }
  }
  return 2;
}
