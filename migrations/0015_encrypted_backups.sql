-- Backups nobody else can read. deploy/backup/backup encrypts every file for the operators'
-- age recipients and puts the key manager's snapshot (Vault raft snapshot, or the local keyring
-- file) in a destination apart from the database dump. Each run records how, without personal
-- data: whether its files are encrypted and for which recipients (a SHA-256 over the sorted
-- recipient public keys, to see when the list changed), and which key snapshot went beside it.

-- 'database+keyring': with an encrypted copy of the local keyring file (keyManager.kind local)
ALTER TABLE backup_runs DROP CONSTRAINT backup_runs_kind_check;
ALTER TABLE backup_runs ADD CONSTRAINT backup_runs_kind_check CHECK (kind IN ('database', 'database+vault', 'database+keyring'));

-- runs recorded before this migration wrote plaintext dumps
ALTER TABLE backup_runs ADD COLUMN encrypted boolean NOT NULL DEFAULT false;
ALTER TABLE backup_runs ADD COLUMN recipients_sha256 text CHECK (recipients_sha256 ~ '^[0-9a-f]{64}$');
ALTER TABLE backup_runs ADD CONSTRAINT backup_runs_encrypted_for_recipients CHECK (encrypted = (recipients_sha256 IS NOT NULL));

-- No new grant: the runtime role keeps SELECT on backup_runs (migration 0009) and writes none of
-- it; the backup script records runs with the owner's connection.

-- Restore drills (deploy/backup/record-drill, deploy/guides/backup-and-restore.md): a backup is
-- restored into a fresh database and key manager, and the drill records what the restore lost
-- (RPO: from the newest result present after restore to the simulated failure) and how long it
-- took (RTO: from the failure until the restored gateway answered ready and a result decrypted).
-- The gateway exports the newest drill as gauges; no personal data.
CREATE TABLE restore_drills (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  rpo_seconds  double precision NOT NULL CHECK (rpo_seconds >= 0),
  rto_seconds  double precision NOT NULL CHECK (rto_seconds >= 0)
);
CREATE INDEX restore_drills_recorded ON restore_drills (recorded_at DESC);
-- the runtime role reads it for its metrics and writes none: the owner records drills
GRANT SELECT ON restore_drills TO gateway_runtime;
