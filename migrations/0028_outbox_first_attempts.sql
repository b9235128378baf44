-- The relay's claim gives half of each batch to messages never attempted, newest first
-- (results/lifecycle/claim.ts): a result committed during a backlog's drain is sent in the next
-- batch even while retries of the backlog keep coming due. The index holds only those messages,
-- so it stays as small as what intake committed since the last claims.
CREATE INDEX outbox_first_attempts ON outbox_messages (created_at) WHERE state = 'pending' AND attempts = 0;
