import { readFileSync } from 'node:fs';
import * as client from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';
import type { z } from 'zod';
import type { issuerSchema } from '../config/index.js';
import { anssiTlsOptions } from '../pki/index.js';
import { mapClaims, type ClaimMapping, type Identity, type SignInClaims } from './claims.js';

export type IssuerSettings = z.infer<typeof issuerSchema>;

/** Why a sign-in was refused; the code is audited and picks the page the person sees. */
export type SignInRefusal = 'provider-error' | 'login-state-invalid' | 'acr-too-low' | 'claims-missing' | 'mfa-required' | 'no-enrolment';

export class SignInRefused extends Error {
  constructor(
    readonly reason: SignInRefusal,
    options?: { cause?: unknown },
  ) {
    super(`Sign-in refused: ${reason}`, options);
    this.name = 'SignInRefused';
  }
}

/** What the browser must bring back to finish a sign-in (kept server-side, in `login_states`). */
export interface PendingLogin {
  state: string;
  codeVerifier: string;
  nonce: string;
}

/** `profile email`: the staff's names and e-mails on the admin pages (claims `name`, `email`). */
const GENERIC_SCOPES = ['openid', 'profile', 'email'];
// Pro Santé Connect (DOMAIN.md §4): scopes `openid scope_all`, acr `eidas1` (CPS card or e-CPS
// app, both two-factor); identity in userinfo (`SubjectNameID`, `SubjectRefPro`).
const PSC_DEFAULTS = { scopes: ['openid', 'scope_all'], requiredAcr: ['eidas1'], mfaAcr: ['eidas1', 'eidas2', 'eidas3'], rpps: 'SubjectNameID' };

/** The issuer settings with the Pro Santé Connect defaults filled in. */
export function effectiveIssuer(i: IssuerSettings) {
  const psc = i.kind === 'psc';
  const mapping: ClaimMapping = {
    kind: i.kind,
    subject: i.claims.subject,
    rpps: i.claims.rpps ?? (psc ? PSC_DEFAULTS.rpps : undefined),
    finess: i.claims.finess,
    mfaAcr: i.mfaAcr ?? (psc ? PSC_DEFAULTS.mfaAcr : []),
    mfaAmr: i.mfaAmr ?? ['mfa'],
  };
  return {
    scopes: i.scopes ?? (psc ? PSC_DEFAULTS.scopes : GENERIC_SCOPES),
    requiredAcr: i.requiredAcr ?? (psc ? PSC_DEFAULTS.requiredAcr : []),
    mapping,
  };
}

/**
 * OpenID Connect relying party for several issuers at once: Authorization Code with PKCE
 * (S256), `state` and `nonce`, metadata from each issuer's discovery document (fetched on first
 * use, fetched again after a failure). Only ANSSI TLS suites towards the providers.
 */
export function createOidc(o: { issuers: readonly IssuerSettings[]; redirectUri: string; timeoutSeconds?: number }) {
  const byId = new Map(o.issuers.map((i) => [i.id, i]));
  const configs = new Map<string, Promise<client.Configuration>>();

  function issuer(id: string): IssuerSettings {
    const i = byId.get(id);
    if (!i) throw new SignInRefused('provider-error');
    return i;
  }

  function configuration(id: string): Promise<client.Configuration> {
    let c = configs.get(id);
    if (!c) {
      const i = issuer(id);
      const dispatcher = new Agent({ connect: { ...anssiTlsOptions(), ...(i.caFile ? { ca: readFileSync(i.caFile) } : {}) } });
      // openid-client speaks the Fetch API; undici's fetch takes our TLS policy and CA
      const fetchWithPolicy: client.CustomFetch = async (url, init) => (await undiciFetch(url, { ...init, dispatcher })) as unknown as Response;
      const secret = readFileSync(i.clientSecretFile, 'utf8').trim();
      c = client
        .discovery(new URL(i.issuer), i.clientId, { client_secret: secret, timeout: o.timeoutSeconds ?? 10 }, client.ClientSecretBasic(secret), { [client.customFetch]: fetchWithPolicy })
        .catch((e: unknown) => {
          configs.delete(id);
          throw new SignInRefused('provider-error', { cause: e });
        });
      configs.set(id, c);
    }
    return c;
  }

  return {
    issuerIds: (): string[] => [...byId.keys()],
    has: (id: string): boolean => byId.has(id),

    /** The provider's authorization URL and the secrets to keep until the callback. */
    async begin(id: string): Promise<{ url: URL; pending: PendingLogin }> {
      const config = await configuration(id);
      const { scopes, requiredAcr } = effectiveIssuer(issuer(id));
      const pending = { state: client.randomState(), codeVerifier: client.randomPKCECodeVerifier(), nonce: client.randomNonce() };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: o.redirectUri,
        scope: scopes.join(' '),
        code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
        ...(requiredAcr.length ? { acr_values: requiredAcr.join(' ') } : {}),
      });
      return { url, pending };
    },

    /**
     * Exchanges the code (checking state, PKCE and nonce), reads userinfo and maps the claims.
     * Tokens are used here and dropped: nothing of them is stored.
     */
    async complete(id: string, callbackUrl: URL, pending: PendingLogin): Promise<Identity> {
      const config = await configuration(id);
      const { requiredAcr, mapping } = effectiveIssuer(issuer(id));
      let claims: SignInClaims;
      try {
        const tokens = await client.authorizationCodeGrant(config, callbackUrl, { expectedState: pending.state, expectedNonce: pending.nonce, pkceCodeVerifier: pending.codeVerifier, idTokenExpected: true });
        const idToken: Record<string, unknown> = { ...tokens.claims() };
        const userinfo = config.serverMetadata().userinfo_endpoint ? await client.fetchUserInfo(config, tokens.access_token, String(idToken.sub)) : {};
        claims = { idToken, userinfo };
      } catch (e) {
        throw new SignInRefused('provider-error', { cause: e });
      }
      const identity = mapClaims(mapping, claims);
      if (!identity) throw new SignInRefused('claims-missing');
      if (requiredAcr.length && (identity.acr === null || !requiredAcr.includes(identity.acr))) throw new SignInRefused('acr-too-low');
      return identity;
    },

    /** RP-initiated logout at the provider, when it offers it; null otherwise. */
    async endSessionUrl(id: string, postLogoutRedirectUri: string): Promise<URL | null> {
      if (!byId.has(id)) return null;
      const config = await configuration(id).catch(() => undefined);
      if (!config?.serverMetadata().end_session_endpoint) return null;
      return client.buildEndSessionUrl(config, { client_id: config.clientMetadata().client_id, post_logout_redirect_uri: postLogoutRedirectUri });
    },
  };
}

export type Oidc = ReturnType<typeof createOidc>;
