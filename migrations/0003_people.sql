-- People on the web listener: enrolments (the only source of roles), server-side sessions and
-- the short-lived state of a sign-in in progress. No names, e-mails or tokens are stored:
-- a person is (issuer, subject); session ids and login states are stored as SHA-256 hashes.

-- (issuer, subject) → one role, for one pharmacy ("own" roles) or chain-wide, until expires_at.
CREATE TABLE enrolments (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  issuer       text NOT NULL,
  subject      text NOT NULL,
  role         text NOT NULL CHECK (role IN ('pharmacist', 'pharmacy-manager', 'operator', 'chain-admin', 'auditor')),
  pharmacy_id  uuid REFERENCES pharmacies (id),
  expires_at   timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   text NOT NULL,
  revoked_at   timestamptz,
  -- pharmacy roles name their pharmacy; chain-wide roles name none
  CHECK ((role IN ('pharmacist', 'pharmacy-manager')) = (pharmacy_id IS NOT NULL))
);
-- rights of a signed-in person (every web request)
CREATE INDEX enrolments_person ON enrolments (issuer, subject) WHERE revoked_at IS NULL;
-- one live enrolment per person, role and pharmacy
CREATE UNIQUE INDEX enrolments_unique_live ON enrolments (issuer, subject, role, coalesce(pharmacy_id, '00000000-0000-0000-0000-000000000000'::uuid))
  WHERE revoked_at IS NULL;

CREATE TABLE web_sessions (
  -- SHA-256 (hex) of the cookie's random token: a database read never yields a usable cookie
  id_hash        text PRIMARY KEY CHECK (id_hash ~ '^[0-9a-f]{64}$'),
  issuer         text NOT NULL,
  subject        text NOT NULL,
  -- what the identity provider asserted, kept only to narrow enrolments on each request
  rpps           text,
  claim_finess   text[],
  mfa            boolean NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_seen_at   timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL
);
-- gateway sessions list|revoke --subject
CREATE INDEX web_sessions_person ON web_sessions (issuer, subject);

-- A sign-in between the redirect to the identity provider and its callback (minutes).
CREATE TABLE login_states (
  state_hash     text PRIMARY KEY CHECK (state_hash ~ '^[0-9a-f]{64}$'),
  -- SHA-256 of the browser-binding cookie: a callback from another browser is refused
  browser_hash   text NOT NULL,
  issuer         text NOT NULL,
  code_verifier  text NOT NULL,
  nonce          text NOT NULL,
  expires_at     timestamptz NOT NULL
);

-- Break-glass (`gateway admin login-link`): a single-use link for the host operator, minutes long.
CREATE TABLE login_links (
  token_hash  text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  subject     text NOT NULL,
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT ON enrolments TO gateway_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON web_sessions TO gateway_runtime;
GRANT SELECT, INSERT, DELETE ON login_states TO gateway_runtime;
-- the web listener consumes a link (DELETE … RETURNING); only the owner role creates them
GRANT SELECT, DELETE ON login_links TO gateway_runtime;
