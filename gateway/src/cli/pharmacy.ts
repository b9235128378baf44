import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { statisticsCsv } from '../admin/statistics.js';
import type { Database } from '../db/index.js';
import { ValidationFailed } from '../errors.js';
import { addPharmacy, deactivatePharmacy, listPharmacies } from '../pharmacies/index.js';
import { exportOffboarding, offboardPharmacy } from '../admin/offboarding.js';
import { parseCommandLine, UsageError, type CliContext, type CliOperator, type Command, type Subcommand } from './command.js';
import { operatorCertificateAuthority } from './signing-ca.js';

/**
 * `gateway pharmacy add|list|deactivate|offboard`. Exit codes: 0 ok, 1 refused (invalid FINESS,
 * already registered: the fields at fault are printed), 2 usage error.
 */
export const pharmacy: Command = {
  help: `  pharmacy add <finess> --name N   Register a pharmacy (FINESS format and key checked)
  pharmacy list                     Pharmacies, active or deactivated
  pharmacy deactivate <finess|id>   Stop every certificate of a pharmacy at once; its data stays
  pharmacy offboard <finess|id>     Stop intake, revoke its certificates and enrolments, export its receipts
                                    and statistics; once its queue is delivered, purge its personal data
                                    (run again until it says offboarded)  --export-dir DIR
`,
  async run(argv, ctx) {
    const { values, positionals } = parseCommandLine(argv, { name: { type: 'string' }, 'export-dir': { type: 'string' } });
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

function pharmacySubcommand(
  sub: string | undefined,
  reference: string | undefined,
  { name, operator, 'export-dir': exportDir }: { name?: string; operator?: string; 'export-dir'?: string },
  ctx: CliContext,
): Subcommand {
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
  if (sub === 'offboard' && reference && exportDir) {
    const { actor } = ctx.operator(operator);
    return (db) => offboard(db, reference, exportDir, actor, ctx);
  }
  throw new UsageError();
}

async function offboard(db: Database, reference: string, exportDir: string, actor: CliOperator['actor'], ctx: CliContext): Promise<number> {
  // before any change: a directory that cannot be made stops the command here
  await mkdir(exportDir, { recursive: true, mode: 0o700 });
  const ca = await operatorCertificateAuthority(ctx.settings());
  const p = await offboardPharmacy({ db, ca, registry: (change) => change(db) }, { reference, actor });
  ctx.out(`Offboarding pharmacy ${p.finess}: intake stopped; revoked ${p.certificatesRevoked} certificate(s) and ${p.enrolmentsRevoked} enrolment(s) in this run.`);
  const exported = await exportOffboarding(db, p.pharmacyId);
  const receipts = path.join(exportDir, `${p.finess}-receipts.json`);
  const statistics = path.join(exportDir, `${p.finess}-statistics.csv`);
  await writeFile(receipts, `${JSON.stringify(exported, null, 2)}\n`, { mode: 0o600 });
  await writeFile(statistics, statisticsCsv(exported.statistics), { mode: 0o600 });
  ctx.out(`Exported ${exported.receipts.length} receipt(s) to ${receipts} and the monthly statistics to ${statistics} (no personal data).`);
  ctx.out(
    p.state === 'offboarded'
      ? 'Offboarded: nothing is pending; the next purge (`gateway purge`, or the gateway on its own) destroys the personal data of its results.'
      : `${p.pending} result(s) still pending delivery by the relay: run this command again once they are delivered or dead-lettered.`,
  );
  return 0;
}
