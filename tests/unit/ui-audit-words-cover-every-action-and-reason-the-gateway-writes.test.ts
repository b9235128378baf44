import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ACTION_WORDS, actionWords, actorWords, FAULT_WORDS, objectWords, REASON_WORDS, reasonWords } from '../../admin-ui/src/admin/audit-words.js';
import { REVEAL_PURPOSES, type RevealPurpose } from '../../gateway/src/admin/reveal.js';
import { AUDIT_ACTIONS, SYSTEM_ACTORS } from '../../gateway/src/audit/actions.js';
import type { AuditFaultKind } from '../../gateway/src/audit/index.js';
import type { SignInRefusal } from '../../gateway/src/auth/oidc.js';
import { ROLES } from '../../gateway/src/auth/rbac.js';
import { RESULT_STATUSES, type ResultStatus, type RevocationReason, type Role } from '../../gateway/src/db/column-types.js';
import type { ProblemCode } from '../../gateway/src/errors.js';
import type { RefusalReason } from '../../gateway/src/http/refused-traffic.js';
import { CANCELLATION_REASONS, CORRECTION_REASONS } from '../../gateway/src/intake/corrections.js';
import { REVOCATION_REASONS } from '../../gateway/src/pki/crl.js';
import { REPOSITORY_ROOT } from '../../gateway/src/repository-root.js';
import { SUBJECT_REASONS, type SubjectReason } from '../../gateway/src/subjects/reasons.js';

/**
 * The audit page words every code the gateway writes (issue #19, defect 8). Actions: the code
 * can only write those of `AUDIT_ACTIONS` (`AuditEvent.action`'s type), the database functions
 * theirs are read from `migrations/`. Reasons: the gateway's closed lists, checked here at run
 * time where they are values and by the type check (`tsc -p .`) where they are types.
 */
const worded = (table: Readonly<Record<string, readonly [string, string]>>, code: string) => {
  const words = table[code];
  return words !== undefined && words[0].trim() !== '' && words[1].trim() !== '';
};

/** Actions the database functions of the migrations write: the third value of their `audit_events` inserts. */
function actionsOfDatabaseFunctions(): string[] {
  const dir = path.join(REPOSITORY_ROOT, 'migrations');
  const sql = readdirSync(dir).filter((f) => f.endsWith('.sql')).map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
  const inserts = sql.matchAll(/INSERT INTO (?:public\.)?audit_events\s*\(actor_type, actor_id, action\b[^)]*\)\s*VALUES\s*\(((?:[^,()]|\([^)]*\))+),((?:[^,()]|\([^)]*\))+),\s*'([^']+)'/g);
  return [...new Set([...inserts].map((m) => m[3] as string))];
}

describe('the audit page’s words', () => {
  it('word every action the gateway writes, in French and English', () => {
    const missing = AUDIT_ACTIONS.filter((a) => !worded(ACTION_WORDS, a));
    expect(missing).toEqual([]);
    expect(Object.keys(ACTION_WORDS).sort()).toEqual([...AUDIT_ACTIONS].sort());
  });

  it('know every action a database function writes', () => {
    const written = actionsOfDatabaseFunctions();
    expect(written).toEqual(expect.arrayContaining(['session.open', 'enrolment.add', 'enrolment.revoke', 'enrolment.recertify']));
    expect(written.filter((a) => !(AUDIT_ACTIONS as readonly string[]).includes(a))).toEqual([]);
  });

  it('word every reason of the gateway’s closed lists', () => {
    const lists = [REVOCATION_REASONS, SUBJECT_REASONS, REVEAL_PURPOSES, CORRECTION_REASONS, CANCELLATION_REASONS, RESULT_STATUSES, ROLES];
    expect(lists.flat().filter((r) => !worded(REASON_WORDS, r))).toEqual([]);
    // the lists that exist as types only
    type Coded = SignInRefusal | RefusalReason | ProblemCode | RevocationReason | SubjectReason | RevealPurpose | ResultStatus | Role;
    expectTypeOf<Exclude<Coded, keyof typeof REASON_WORDS>>().toEqualTypeOf<never>();
    expectTypeOf<Exclude<AuditFaultKind, keyof typeof FAULT_WORDS>>().toEqualTypeOf<never>();
  });

  it('show no code where words exist, and a reason carrying a value in words around it', () => {
    for (const language of ['fr', 'en'] as const) {
      for (const a of AUDIT_ACTIONS) expect(actionWords(a, language)).not.toBe(a);
      for (const r of Object.keys(REASON_WORDS)) expect(reasonWords(r, language)).not.toBe(r);
    }
    expect(reasonWords('v3', 'fr')).toBe('Version 3');
    expect(reasonWords('v3: 12 rewrapped', 'fr')).toBe('Version 3 : 12 clé(s) ré-enveloppée(s)');
    expect(reasonWords('edited:event-leaf', 'fr')).toBe('Anomalie : événement modifié (event-leaf)');
    expect(reasonWords('until 2027-01-31T23:59:59Z', 'fr')).toMatch(/^Jusqu’au \d\d\/\d\d\/2027$/);
    expect(actionWords('POST /api/web/v1/admin/enrolments', 'fr')).toBe('Requête POST /api/web/v1/admin/enrolments');
    expect(objectWords({ type: 'client-certificate', id: 'ab12' }, 'fr')).toBe('Certificat ab12');
  });

  it('name actors: a pharmacy by its name, an operator as given, background jobs by what they do', () => {
    expect(actorWords({ type: 'pharmacy', id: '5b63ff1f-0000-4000-8000-000000000000/abcdef0123456789', name: 'Pharmacie du Port' }, 'fr')).toBe('Pharmacie du Port');
    expect(actorWords({ type: 'user', id: 'cli:alice', name: null }, 'en')).toBe('Operator (command line) alice');
    for (const job of SYSTEM_ACTORS) expect(actorWords({ type: 'system', id: job, name: null }, 'fr')).not.toContain(job);
  });
});
