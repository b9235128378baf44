-- What the web process's audit and keys pages need (it connects as the runtime role).

-- Audit verification from the web UI runs as the sealer role (`SET LOCAL ROLE`, read-only on the
-- log) and, like `gateway audit verify`, chains the oldest retained checkpoint to the last prune's
-- signed anchor. Reading it reveals nothing the checkpoints do not; writing stays with the audit
-- admin (0007).
GRANT SELECT ON audit_prunes TO gateway_sealer;

-- A chain admin's rewrap from the keys page replaces a data key's wrapped text (the KEK version is
-- part of it, `vault:vN:`). The runtime role may already delete data keys (the purge, 0005), so
-- rewriting one adds no power (0005 left rewraps to the owner; the keys page needs them too).
-- Left out on purpose: INSERT on kek_rewraps (0009). A forged early rewrap record would let
-- `gateway keys retire` shred dumps still inside backup retention, so that record is written only
-- by `gateway keys rewrap` on the owner's connection.
GRANT UPDATE (wrapped) ON data_keys TO gateway_runtime;
