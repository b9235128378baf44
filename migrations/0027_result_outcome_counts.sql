-- Positive, negative and invalid counts for the statistics page and CSV. The result code is
-- sealed with the rest of a result, so it cannot be counted by a query: each write that changes
-- which results are in force keeps this table in step, in its own transaction: an accepted
-- result +1, a correction −1 for the result it replaces and +1 for its own, a cancellation −1.
-- A row names a pharmacy, a Europe/Paris day (the day the counted result was received, as the
-- other statistics) and an outcome: nothing links it to a person or a result.
-- A count is split over 8 slots, summed when read: every intake of a pharmacy on one day adds to
-- the same count, and on one row concurrent submissions would wait for each other's commit.
CREATE TABLE result_outcome_counts (
  pharmacy_id uuid     NOT NULL REFERENCES pharmacies (id),
  day         date     NOT NULL,
  outcome     text     NOT NULL CHECK (outcome IN ('positive', 'negative', 'invalid')),
  slot        smallint NOT NULL DEFAULT 0 CHECK (slot BETWEEN 0 AND 7),
  n           integer  NOT NULL CHECK (n >= 0),
  PRIMARY KEY (pharmacy_id, day, outcome, slot)
);

COMMENT ON TABLE result_outcome_counts IS
  'Results in force per pharmacy, Europe/Paris day of receipt and outcome (the sum over slots); written in the transactions of intake, correction and cancellation, never from a result''s sealed text afterwards.';

-- Results accepted before this table existed were never counted: their correction or
-- cancellation must not take a count away from one that was (the row carries no outcome).
ALTER TABLE test_results ADD COLUMN outcome_counted boolean NOT NULL DEFAULT false;
ALTER TABLE test_results ALTER COLUMN outcome_counted SET DEFAULT true;

-- Counts only grow and shrink by one: no DELETE, and no way to move a count to another pharmacy, day or slot.
GRANT SELECT, INSERT ON result_outcome_counts TO gateway_runtime;
GRANT UPDATE (n) ON result_outcome_counts TO gateway_runtime;
