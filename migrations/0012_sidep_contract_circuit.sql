-- The relay's circuit for SI-DEP contract changes, shared by every replica and kept across
-- restarts. When SI-DEP refuses the same structural issue (`refusals` in a row, within a window)
-- the relay stops sending until an operator resumes or a gateway speaking a later contract
-- version starts; the pauses also stop the messages' `relay.maxAge` clock.

-- The current run of consecutive refusals with one signature (at most one row).
CREATE TABLE sidep_contract_streak (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  signature text NOT NULL,
  refusals integer NOT NULL CHECK (refusals >= 0),
  started_at timestamptz NOT NULL
);
INSERT INTO sidep_contract_streak (signature, refusals, started_at) VALUES ('', 0, now());

-- Each time the circuit opened; the open one has no closed_at (at most one).
CREATE TABLE sidep_contract_pauses (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  signature text NOT NULL,
  contract_version text NOT NULL,
  opened_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz CHECK (closed_at >= opened_at),
  close_reason text CHECK (close_reason IN ('redeploy', 'resume')),
  CHECK ((closed_at IS NULL) = (close_reason IS NULL))
);
CREATE UNIQUE INDEX sidep_contract_pauses_one_open ON sidep_contract_pauses ((true)) WHERE closed_at IS NULL;

-- The runtime role counts refusals, opens and closes pauses; it can neither delete a pause nor
-- move when one opened (which would shorten or lengthen the messages' paused age).
GRANT SELECT, UPDATE ON sidep_contract_streak TO gateway_runtime;
GRANT SELECT, INSERT ON sidep_contract_pauses TO gateway_runtime;
GRANT UPDATE (closed_at, close_reason) ON sidep_contract_pauses TO gateway_runtime;

-- When the circuit opens, the relay puts the dead letters of the streak back in the queue.
CREATE INDEX outbox_dead ON outbox_messages (updated_at) WHERE state = 'dead';
