-- The crypto-shredding boundary (issue 4). `gateway keys retire <v>` makes KEK versions below v
-- undecryptable; a database dump still inside the backup retention window must not need one of
-- them. Two records decide it, both without personal data:
--   backup_runs  every dump deploy/backup/backup takes (recorded as it starts, completed when it
--                succeeds): a dump started before the rewrap below finished may hold data keys
--                wrapped under an older version;
--   kek_rewraps  when `gateway keys rewrap` left no stored data key below a version.

CREATE TABLE backup_runs (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- 'database': pg_dump only; 'database+vault': with a Vault raft snapshot beside it
  kind         text NOT NULL CHECK (kind IN ('database', 'database+vault')),
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  outcome      text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'succeeded', 'failed')),
  -- the backup directory's name (its UTC timestamp), for the operator to find the files
  label        text NOT NULL CHECK (label ~ '^[0-9A-Za-z.:_-]{1,64}$'),
  size_bytes   bigint CHECK (size_bytes >= 0),
  CHECK ((outcome = 'running') = (finished_at IS NULL))
);
-- doctor's "last successful backup" and retire's window both read the newest runs
CREATE INDEX backup_runs_started ON backup_runs (started_at DESC);

CREATE TABLE kek_rewraps (
  -- from completed_at on, no stored data key is wrapped below this KEK version
  version       integer PRIMARY KEY CHECK (version >= 1),
  completed_at  timestamptz NOT NULL DEFAULT now()
);

-- `gateway doctor` runs as the runtime role: it reads both, writes neither (a forged early rewrap
-- record would let `keys retire` shred dumps still inside retention). The backup script and
-- `gateway keys` use the owner's connection.
GRANT SELECT ON backup_runs, kek_rewraps TO gateway_runtime;
