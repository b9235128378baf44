-- The callback worker claims each endpoint's due events apart, at most a few per endpoint
-- (webhooks/store.ts claimCallbacks): one probe of this index per live endpoint, so an endpoint
-- with a long backlog neither takes every send slot nor makes the claim scan its backlog.
CREATE INDEX webhook_events_due_per_endpoint ON webhook_events (endpoint_id, next_attempt_at) WHERE status = 'pending';
