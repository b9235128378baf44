-- What the runtime role's password alone must not be enough to forge: a back-dated or
-- re-sequenced audit event, a person's enrolment, a signed-in session, an unaudited registry
-- change. Audit events keep the database's own sequence, id, time and transaction id; enrolments
-- and sessions are written only by the functions below, which audit them in the same transaction;
-- registry rows written through the registrar role need an audit event naming them. Each function
-- runs with its owner's (the migrating role's) rights, a pinned search_path and schema-qualified
-- names, so a caller can neither shadow a table nor skip the audit event.

-- The sealer hashes every column of an event as the database filled it; a writer names the rest.
-- Revoking the table-wide grant revokes its column grants too: grant the columns afterwards.
REVOKE INSERT ON audit_events FROM gateway_runtime, gateway_registrar, gateway_audit_admin;
GRANT INSERT (actor_type, actor_id, action, object_type, object_id, outcome, reason, request_id, source_ip)
  ON audit_events TO gateway_runtime, gateway_registrar, gateway_audit_admin;

-- Enrolments: through enrol_person and revoke_enrolment only (the admin UI, `gateway enrolments`).
REVOKE INSERT, UPDATE ON enrolments FROM gateway_registrar;

-- Sessions: opened through open_web_session only. Requests refresh last_seen_at and delete ended
-- sessions; who a session belongs to, its expiry and its id never change after it is opened.
REVOKE INSERT, UPDATE ON web_sessions FROM gateway_runtime;
GRANT UPDATE (last_seen_at) ON web_sessions TO gateway_runtime;

-- Enrols (issuer, subject) in one role until p_expires_at, replacing the live enrolment for the
-- same role and pharmacy; pharmacy roles name an active pharmacy by FINESS. Returns the new id,
-- or NULL when no active pharmacy has that FINESS. The event's reason is the role, a code the
-- table's CHECK has accepted by then.
CREATE FUNCTION enrol_person(p_issuer text, p_subject text, p_role text, p_finess text, p_expires_at timestamptz, p_actor_type text, p_actor_id text)
RETURNS uuid LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_pharmacy uuid;
  v_id uuid;
BEGIN
  IF p_expires_at IS NULL OR p_expires_at <= now() THEN
    RAISE EXCEPTION 'an enrolment must expire in the future' USING ERRCODE = 'check_violation';
  END IF;
  IF p_finess IS NOT NULL THEN
    SELECT id INTO v_pharmacy FROM public.pharmacies WHERE finess = p_finess AND active;
    IF v_pharmacy IS NULL THEN
      RETURN NULL;
    END IF;
  END IF;
  UPDATE public.enrolments SET revoked_at = now()
   WHERE issuer = p_issuer AND subject = p_subject AND role = p_role AND revoked_at IS NULL
     AND pharmacy_id IS NOT DISTINCT FROM v_pharmacy;
  INSERT INTO public.enrolments (issuer, subject, role, pharmacy_id, expires_at, created_by)
  VALUES (p_issuer, p_subject, p_role, v_pharmacy, p_expires_at, coalesce(p_actor_id, p_actor_type))
  RETURNING id INTO v_id;
  INSERT INTO public.audit_events (actor_type, actor_id, action, object_type, object_id, outcome, reason)
  VALUES (p_actor_type, p_actor_id, 'enrolment.add', 'enrolment', v_id::text, 'success', p_role);
  RETURN v_id;
END $$;

-- Ends a live enrolment now, audited; false when there is none with that id.
CREATE FUNCTION revoke_enrolment(p_id uuid, p_actor_type text, p_actor_id text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  UPDATE public.enrolments SET revoked_at = now() WHERE id = p_id AND revoked_at IS NULL;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  INSERT INTO public.audit_events (actor_type, actor_id, action, object_type, object_id, outcome)
  VALUES (p_actor_type, p_actor_id, 'enrolment.revoke', 'enrolment', p_id::text, 'success');
  RETURN true;
END $$;

-- Opens a session for p_lifetime from now, audited as the person's `session.open`; returns when it
-- expires. The database's clock sets its start, last activity and expiry.
CREATE FUNCTION open_web_session(p_id_hash text, p_issuer text, p_subject text, p_rpps text, p_claim_finess text[], p_mfa boolean, p_lifetime interval)
RETURNS timestamptz LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_expires timestamptz;
BEGIN
  IF p_lifetime IS NULL OR p_lifetime <= interval '0' THEN
    RAISE EXCEPTION 'a session must last a positive time' USING ERRCODE = 'check_violation';
  END IF;
  INSERT INTO public.web_sessions (id_hash, issuer, subject, rpps, claim_finess, mfa, expires_at)
  VALUES (p_id_hash, p_issuer, p_subject, p_rpps, p_claim_finess, p_mfa, now() + p_lifetime)
  RETURNING expires_at INTO v_expires;
  INSERT INTO public.audit_events (actor_type, actor_id, action, object_type, object_id, outcome, reason)
  VALUES ('user', p_issuer || ':' || p_subject, 'session.open', 'user', p_issuer || ':' || p_subject, 'success',
          CASE WHEN p_mfa THEN 'mfa' ELSE 'single-factor' END);
  RETURN v_expires;
END $$;

-- The registrar role (pharmacies, certificates, CRLs) stays within the runtime role's reach for the
-- admin UI; what the runtime login writes with it must carry, by commit, an audit event in the
-- same transaction naming the row (TG_ARGV: the object type and the row's key column), as the
-- registry code writes them. The owner (the CLI, migrations) is not held to it.
CREATE FUNCTION registry_change_is_audited() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF session_user = 'gateway_runtime' AND NOT EXISTS (
    SELECT 1 FROM public.audit_events
     WHERE xact_id = pg_current_xact_id() AND object_type = TG_ARGV[0] AND object_id = to_jsonb(NEW) ->> TG_ARGV[1]
  ) THEN
    RAISE EXCEPTION 'a registry change needs its audit event in the same transaction' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION registry_change_is_audited() FROM PUBLIC;

-- deferred: the registry code appends the event after the row it names
CREATE CONSTRAINT TRIGGER pharmacies_change_is_audited AFTER INSERT OR UPDATE ON pharmacies
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION registry_change_is_audited('pharmacy', 'id');
CREATE CONSTRAINT TRIGGER client_certificates_change_is_audited AFTER INSERT OR UPDATE ON client_certificates
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION registry_change_is_audited('client-certificate', 'fingerprint');
CREATE CONSTRAINT TRIGGER certificate_revocation_lists_change_is_audited AFTER INSERT ON certificate_revocation_lists
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION registry_change_is_audited('crl', 'crl_number');

REVOKE EXECUTE ON FUNCTION enrol_person(text, text, text, text, timestamptz, text, text), revoke_enrolment(uuid, text, text),
  open_web_session(text, text, text, text, text[], boolean, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION enrol_person(text, text, text, text, timestamptz, text, text), revoke_enrolment(uuid, text, text),
  open_web_session(text, text, text, text, text[], boolean, interval) TO gateway_runtime;
