import pg from 'pg';

/**
 * Rows written in bulk, server-side (`INSERT … SELECT … FROM generate_series`), for measuring
 * and planning at size: not through the product, so no ciphertext here is ever opened. What the
 * product writes is sampled elsewhere (the scale bench's own intake, the EXPLAIN test's calls).
 */

/** The share of each kind of result among bulk rows, by `i % 100`. */
const MIX = [
  // receipts: purged 8 to 60 days ago (ciphertext, indexes and idempotency records gone)
  { upTo: 55, status: 'delivered', purged: true, message: 'delivered', minutesBack: [8 * 1440, 60 * 1440] },
  // delivered within retention
  { upTo: 88, status: 'delivered', purged: false, message: 'delivered', minutesBack: [0, 7 * 1440] },
  // delivered past retention, not purged yet: what the next purge takes
  { upTo: 91, status: 'delivered', purged: false, message: 'delivered', minutesBack: [7 * 1440 + 60, 8 * 1440] },
  { upTo: 96, status: 'dead-lettered', purged: false, message: 'dead', minutesBack: [0, 30 * 1440] },
  // waiting for a retry tomorrow: in the claim's index, never due during a run
  { upTo: 100, status: 'retrying', purged: false, message: 'pending', minutesBack: [0, 1440] },
] as const;

/** A stable uuid per row and purpose, so that related rows of other tables find each other. */
const uuidOf = (prefix: string, i: string) => `md5('${prefix}' || ${i})::uuid`;

/**
 * Writes `count` results of `pharmacyIds`, numbered from `from` (default 0: a later call with
 * `from` adds more), each with its outbox message and, unless purged, its idempotency record
 * and a 1 KiB `sealed` stand-in under a bulk data key of its day. In statements of `chunk` rows.
 * @example await bulkResults(ownerUrl, { pharmacyIds, count: 100_000 });
 */
export async function bulkResults(ownerUrl: string, o: { pharmacyIds: readonly string[]; count: number; from?: number; chunk?: number }): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query(`
      -- one per day, on a shard (1000) beyond the product's
      INSERT INTO data_keys (id, key_window, shard, wrapped)
      SELECT ${uuidOf('k', 'd')}, to_char(date_trunc('day', now()) - make_interval(days => d), 'YYYY-MM-DD"T"00:00:00"Z"'), 1000, 'local:v1:bulk'
      FROM generate_series(0, 61) d
      ON CONFLICT DO NOTHING`);
    const mix = MIX.map((m, k) => `WHEN i % 100 < ${m.upTo} THEN ${k}`).join(' ');
    const pick = (field: (m: (typeof MIX)[number]) => string) => `(CASE ${MIX.map((m, k) => `WHEN kind = ${k} THEN ${field(m)}`).join(' ')} END)`;
    const chunk = o.chunk ?? 50_000;
    const from = o.from ?? 0;
    for (let start = from; start < from + o.count; start += chunk) {
      const end = Math.min(from + o.count, start + chunk) - 1;
      // the row's kind, and when it arrived: spread over its kind's span, one a minute-ish
      const rows = `
        SELECT i, kind, now() - make_interval(mins => (${pick((m) => String(m.minutesBack[0]))} + (i * 7919) % greatest(1, ${pick((m) => String(m.minutesBack[1] - m.minutesBack[0]))}))::int) AS at,
               ($1::uuid[])[1 + i % cardinality($1::uuid[])] AS pharmacy_id
        FROM (SELECT i, CASE ${mix} END AS kind FROM generate_series(${start}::bigint, ${end}::bigint) i) s`;
      await client.query('BEGIN');
      await client.query(`
        INSERT INTO test_results (id, pharmacy_id, status, sealed, data_key_id, nir_index, external_ref_index, loinc, collected_minute, received_at, updated_at, delivered_at, purged_at, sidep_ack_id)
        SELECT ${uuidOf('r', 'i')}, pharmacy_id, ${pick((m) => `'${m.status}'`)},
          CASE WHEN ${pick((m) => String(m.purged))} THEN NULL ELSE $2::bytea END,
          CASE WHEN ${pick((m) => String(m.purged))} THEN NULL ELSE ${uuidOf('k', '(now()::date - at::date)')} END,
          CASE WHEN ${pick((m) => String(m.purged))} THEN NULL ELSE md5('n' || i) END,
          CASE WHEN ${pick((m) => String(m.purged))} OR i % 3 <> 0 THEN NULL ELSE md5('e' || i) END,
          CASE WHEN ${pick((m) => String(m.purged))} THEN NULL ELSE '94558-4' END,
          CASE WHEN ${pick((m) => String(m.purged))} THEN NULL ELSE date_trunc('minute', at) - interval '20 minutes' END,
          at, at + interval '2 seconds',
          CASE WHEN ${pick((m) => `'${m.status}'`)} = 'delivered' THEN at + interval '1 second' END,
          CASE WHEN ${pick((m) => String(m.purged))} THEN at + interval '7 days' END,
          CASE WHEN ${pick((m) => `'${m.status}'`)} = 'delivered' THEN 'ack-' || i END
        FROM (${rows}) r`, [o.pharmacyIds, Buffer.alloc(1_024, 0x5a)]);
      await client.query(`
        INSERT INTO outbox_messages (id, result_id, kind, state, attempts, next_attempt_at, created_at, delivered_at, updated_at, ack_id)
        SELECT ${uuidOf('m', 'i')}, ${uuidOf('r', 'i')}, 'original', ${pick((m) => `'${m.message}'`)}, 1,
          CASE WHEN ${pick((m) => `'${m.message}'`)} = 'pending' THEN now() + interval '1 day' ELSE at END,
          at, CASE WHEN ${pick((m) => `'${m.message}'`)} = 'delivered' THEN at + interval '1 second' END, at + interval '2 seconds',
          CASE WHEN ${pick((m) => `'${m.message}'`)} = 'delivered' THEN 'ack-' || i END
        FROM (${rows}) r`, [o.pharmacyIds]);
      await client.query(`
        INSERT INTO idempotency_keys (pharmacy_id, key, fingerprint, result_id, response, created_at)
        SELECT pharmacy_id, ${uuidOf('i', 'i')}, md5('f' || i), ${uuidOf('r', 'i')}, jsonb_build_object('id', ${uuidOf('r', 'i')}, 'status', 'received'), at
        FROM (${rows}) r WHERE NOT ${pick((m) => String(m.purged))}`, [o.pharmacyIds]);
      await client.query('COMMIT');
    }
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await client.end();
  }
}

/**
 * Appends `count` audit events as the product's intake and relay write them (ids and codes), in
 * transactions of `perTransaction` (each its own transaction id, as the sealer cuts batches at
 * transaction boundaries), from one server-side loop. Left for the product's sealer to seal.
 * @example await bulkAuditEvents(ownerUrl, { count: 200_000 });
 */
export async function bulkAuditEvents(ownerUrl: string, o: { count: number; perTransaction?: number }): Promise<void> {
  const per = o.perTransaction ?? 1_000;
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    // a procedure body may COMMIT between its statements; a DO block run outside a transaction too
    await client.query(`
      DO $$
      BEGIN
        FOR t IN 0 .. ${Math.ceil(o.count / per) - 1} LOOP
          INSERT INTO audit_events (actor_type, actor_id, action, object_type, object_id, outcome, reason, request_id, source_ip)
          SELECT CASE WHEN i % 2 = 0 THEN 'pharmacy' ELSE 'system' END, CASE WHEN i % 2 = 0 THEN md5('p' || i % 1000)::uuid::text ELSE 'relay' END,
            CASE WHEN i % 2 = 0 THEN 'result.create' ELSE 'result.deliver.original' END, 'test-result', md5('r' || i / 2)::uuid::text, 'success',
            CASE WHEN i % 2 = 0 THEN NULL ELSE 'delivery' END, CASE WHEN i % 2 = 0 THEN md5('q' || i)::uuid::text END, CASE WHEN i % 2 = 0 THEN '10.0.0.1' END
          FROM generate_series(t::bigint * ${per}, least(${o.count}, (t + 1)::bigint * ${per}) - 1) i;
          COMMIT;
        END LOOP;
      END $$`);
  } finally {
    await client.end();
  }
}
