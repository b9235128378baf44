-- The admin UI's registry changes: pharmacies added, deactivated or reactivated, client
-- certificates issued or revoked with their CRL, enrolments granted or revoked. The web process
-- connects as the runtime role, which only reads these tables; `gateway db init-roles` creates
-- `gateway_registrar` (NOLOGIN) and grants it to the NOINHERIT runtime role, which takes it on
-- with `SET LOCAL ROLE` for one audited transaction (`gateway/src/db/registrar.ts`).
-- No DELETE anywhere: revocation and deactivation keep the rows.

GRANT SELECT, INSERT ON pharmacies TO gateway_registrar;
GRANT UPDATE (active, deactivated_at) ON pharmacies TO gateway_registrar;
GRANT SELECT, INSERT ON client_certificates TO gateway_registrar;
GRANT UPDATE (revoked_at, revocation_reason, revoked_by) ON client_certificates TO gateway_registrar;
GRANT SELECT, INSERT ON certificate_revocation_lists TO gateway_registrar;
GRANT SELECT, INSERT ON enrolments TO gateway_registrar;
GRANT UPDATE (revoked_at) ON enrolments TO gateway_registrar;
-- each change's audit event, in the same transaction; never read, change or delete the log
GRANT INSERT ON audit_events TO gateway_registrar;
GRANT USAGE ON SEQUENCE audit_events_seq_seq TO gateway_registrar;
