-- Staff (never patients) by name on the enrolments and audit pages: each person's last sign-in
-- now also keeps the name and e-mail their identity provider asserted (ID token or userinfo
-- claims `name`, else `given_name` + `family_name`, and `email`), replaced at every sign-in.
-- Pages join them for display; the audit log itself keeps the pseudonymous `<issuer>:<subject>`.
-- Bounded, one line, no control characters: the checks of gateway/src/auth/claims.ts, again here.
ALTER TABLE person_sign_ins
  ADD COLUMN name  text CHECK (char_length(name) BETWEEN 1 AND 200 AND name !~ '[\x01-\x1f\x7f-\x9f]'),
  ADD COLUMN email text CHECK (char_length(email) BETWEEN 3 AND 254 AND email ~ '^[^@\s\x01-\x1f\x7f-\x9f]+@[^@\s\x01-\x1f\x7f-\x9f]+$');

COMMENT ON TABLE person_sign_ins IS
  'Each person''s (issuer, subject) last sign-in: time, MFA evidence code, and the name and e-mail their provider asserted, for the access review and the admin pages. Written by open_web_session only.';

-- open_web_session of 0017, now also taking the name and e-mail: a new signature, so the old
-- function goes and the new one gets the same grants. Its body is 0017's otherwise.
DROP FUNCTION open_web_session(text, text, text, text, text[], boolean, interval);
CREATE FUNCTION open_web_session(p_id_hash text, p_issuer text, p_subject text, p_rpps text, p_claim_finess text[], p_mfa boolean, p_lifetime interval, p_name text, p_email text)
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
  -- the last sign-in's name and e-mail, or none: a provider that stops asserting them clears them
  INSERT INTO public.person_sign_ins (issuer, subject, last_sign_in_at, mfa_evidence, name, email)
  VALUES (p_issuer, p_subject, now(), v_evidence, p_name, p_email)
  ON CONFLICT (issuer, subject) DO UPDATE SET last_sign_in_at = EXCLUDED.last_sign_in_at, mfa_evidence = EXCLUDED.mfa_evidence,
    name = EXCLUDED.name, email = EXCLUDED.email;
  INSERT INTO public.audit_events (actor_type, actor_id, action, object_type, object_id, outcome, reason)
  VALUES ('user', p_issuer || ':' || p_subject, 'session.open', 'user', p_issuer || ':' || p_subject, 'success', v_evidence);
  RETURN v_expires;
END $$;
REVOKE EXECUTE ON FUNCTION open_web_session(text, text, text, text, text[], boolean, interval, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION open_web_session(text, text, text, text, text[], boolean, interval, text, text) TO gateway_runtime;

-- A person who no longer holds a live enrolment (revoked, expired, offboarded with their pharmacy)
-- leaves the access review: their sign-in row, name and e-mail with it, goes at the next purge.
-- Returns how many rows went.
CREATE FUNCTION forget_sign_ins_without_enrolment()
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_gone integer;
BEGIN
  DELETE FROM public.person_sign_ins s
   WHERE NOT EXISTS (SELECT 1 FROM public.enrolments e
                      WHERE e.issuer = s.issuer AND e.subject = s.subject AND e.revoked_at IS NULL AND e.expires_at > now());
  GET DIAGNOSTICS v_gone = ROW_COUNT;
  RETURN v_gone;
END $$;
REVOKE EXECUTE ON FUNCTION forget_sign_ins_without_enrolment() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION forget_sign_ins_without_enrolment() TO gateway_runtime;
