-- Access review: who holds which role, when they last signed in and with what evidence, until
-- when. Sessions are deleted when they end, so each person's (issuer, subject) last sign-in is
-- kept here — identifiers, a time and an evidence code, never a name. Only open_web_session
-- writes it: the runtime role reads it and cannot forge a sign-in.
CREATE TABLE person_sign_ins (
  issuer          text NOT NULL,
  subject         text NOT NULL,
  last_sign_in_at timestamptz NOT NULL,
  -- our code, never the provider's text: 'mfa' or 'single-factor'
  mfa_evidence    text NOT NULL CHECK (mfa_evidence IN ('mfa', 'single-factor')),
  PRIMARY KEY (issuer, subject)
);
GRANT SELECT ON person_sign_ins TO gateway_runtime;

-- open_web_session of 0011 (same signature, so its grants stay), now also recording the sign-in.
CREATE OR REPLACE FUNCTION open_web_session(p_id_hash text, p_issuer text, p_subject text, p_rpps text, p_claim_finess text[], p_mfa boolean, p_lifetime interval)
RETURNS timestamptz LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_expires timestamptz;
  v_evidence text := CASE WHEN p_mfa THEN 'mfa' ELSE 'single-factor' END;
BEGIN
  IF p_lifetime IS NULL OR p_lifetime <= interval '0' THEN
    RAISE EXCEPTION 'a session must last a positive time' USING ERRCODE = 'check_violation';
  END IF;
  INSERT INTO public.web_sessions (id_hash, issuer, subject, rpps, claim_finess, mfa, expires_at)
  VALUES (p_id_hash, p_issuer, p_subject, p_rpps, p_claim_finess, p_mfa, now() + p_lifetime)
  RETURNING expires_at INTO v_expires;
  INSERT INTO public.person_sign_ins (issuer, subject, last_sign_in_at, mfa_evidence)
  VALUES (p_issuer, p_subject, now(), v_evidence)
  ON CONFLICT (issuer, subject) DO UPDATE SET last_sign_in_at = EXCLUDED.last_sign_in_at, mfa_evidence = EXCLUDED.mfa_evidence;
  INSERT INTO public.audit_events (actor_type, actor_id, action, object_type, object_id, outcome, reason)
  VALUES ('user', p_issuer || ':' || p_subject, 'session.open', 'user', p_issuer || ':' || p_subject, 'success', v_evidence);
  RETURN v_expires;
END $$;

-- Recertifies a live enrolment until p_expires_at (in the future), audited with the new expiry's
-- date as reason; false when no live enrolment has that id.
CREATE FUNCTION recertify_enrolment(p_id uuid, p_expires_at timestamptz, p_actor_type text, p_actor_id text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF p_expires_at IS NULL OR p_expires_at <= now() THEN
    RAISE EXCEPTION 'an enrolment must expire in the future' USING ERRCODE = 'check_violation';
  END IF;
  UPDATE public.enrolments SET expires_at = p_expires_at WHERE id = p_id AND revoked_at IS NULL AND expires_at > now();
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  INSERT INTO public.audit_events (actor_type, actor_id, action, object_type, object_id, outcome, reason)
  VALUES (p_actor_type, p_actor_id, 'enrolment.recertify', 'enrolment', p_id::text, 'success',
          'until ' || to_char(p_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
  RETURN true;
END $$;
REVOKE EXECUTE ON FUNCTION recertify_enrolment(uuid, timestamptz, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION recertify_enrolment(uuid, timestamptz, text, text) TO gateway_runtime;
