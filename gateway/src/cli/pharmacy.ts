import { ValidationFailed } from '../errors.js';
import { addPharmacy, deactivatePharmacy, listPharmacies } from '../pharmacies/index.js';
import { parseCommandLine, UsageError, type CliContext, type Command, type Subcommand } from './command.js';

/**
 * `gateway pharmacy add|list|deactivate`. Exit codes: 0 ok, 1 refused (invalid FINESS, already
 * registered: the fields at fault are printed), 2 usage error.
 */
export const pharmacy: Command = {
  help: `  pharmacy add <finess> --name N   Register a pharmacy (FINESS format and key checked)
  pharmacy list                     Pharmacies, active or deactivated
  pharmacy deactivate <finess|id>   Stop every certificate of a pharmacy at once; its data stays
`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandLine(argv, { name: { type: 'string' } });
    const run = pharmacySubcommand(positionals[0], positionals[1], values, ctx);
    return ctx.withDatabase(values['database-url'], (db) => reportingRefusals(ctx, () => run(db, ctx)));
  },
};

/** Runs a registry command, printing refused fields (`/finess finess-checksum`) as exit code 1. */
export async function reportingRefusals(ctx: Pick<CliContext, 'err'>, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    if (!(e instanceof ValidationFailed)) throw e;
    ctx.err(`Refused: ${e.errors.map((i) => `${i.pointer} ${i.code}`).join(', ')}`);
    return 1;
  }
}

function pharmacySubcommand(sub: string | undefined, reference: string | undefined, { name, operator }: { name?: string; operator?: string }, ctx: CliContext): Subcommand {
  if (sub === 'add' && reference && name) {
    const { actor } = ctx.operator(operator);
    return async (db) => {
      const p = await addPharmacy(db, { finess: reference, name, actor });
      ctx.out(`Added pharmacy ${p.finess} (${p.id}). Issue its certificate: gateway cert issue ${p.finess}`);
      return 0;
    };
  }
  if (sub === 'list') {
    return async (db) => {
      const rows = await listPharmacies(db);
      for (const p of rows) ctx.out(`${p.finess}  ${p.id}  ${p.active ? 'active     ' : 'deactivated'}  ${p.name}`);
      ctx.out(`${rows.length} pharmacy(ies)`);
      return 0;
    };
  }
  if (sub === 'deactivate' && reference) {
    const { actor } = ctx.operator(operator);
    return async (db) => {
      const p = await deactivatePharmacy(db, { reference, actor });
      ctx.out(`Deactivated pharmacy ${p.finess}: its certificates no longer authenticate.`);
      return 0;
    };
  }
  throw new UsageError();
}
