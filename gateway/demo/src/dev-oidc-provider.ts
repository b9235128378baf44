import { html } from 'hono/html';
import { generateKeyPairSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { anssiTlsOptions } from '@sidep-gateway/gateway/pki/index.js';
import { demoRefusals } from './guardrails.js';

/** A person at the development provider, with Pro Santé Connect-shaped claims. */
export interface DevUser {
  username: string;
  password: string;
  subject: string;
  /** With MFA: acr `eidas1` and amr `pwd`+`otp`; without: amr `pwd` only, no acr. */
  mfa: boolean;
  /** RPPS (the provider sends `SubjectNameID` = `8` + RPPS, as PSC does). */
  rpps?: string;
  /** Pharmacist exercice (codeProfession 21) at these FINESS sites. */
  pharmacistAt?: string[];
  /** Given and family names and e-mail, sent in userinfo as Pro Santé Connect sends them. */
  givenName?: string;
  familyName?: string;
  email?: string;
  /** Claims sent in userinfo only, never in the ID token (a provider that reports `acr`/`amr` there). */
  userinfoOnly?: Record<string, unknown>;
}

export interface DevClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
}

export interface DevOidcProvider {
  /** The issuer URL (`https://localhost:PORT`). */
  issuer: string;
  stop(): Promise<void>;
}

export class DevProviderRefused extends Error {}

const MFA_ACR = 'eidas1';

function claimsOf(u: DevUser): Record<string, unknown> {
  return {
    sub: u.subject,
    ...(u.rpps ? { SubjectNameID: `8${u.rpps}` } : {}),
    ...(u.givenName ? { given_name: u.givenName } : {}),
    ...(u.familyName ? { family_name: u.familyName } : {}),
    ...(u.email ? { email: u.email } : {}),
    SubjectRefPro: { exercices: (u.pharmacistAt ?? []).length ? [{ codeProfession: '21', activities: (u.pharmacistAt ?? []).map((f) => ({ numeroFinessSite: f })) }] : [] },
  };
}

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 4096) break;
  }
  return new URLSearchParams(text);
}

// every value interpolated into `html` is escaped; its templates are synchronous, so String() renders them
function loginForm(uid: string, failed: boolean): string {
  return String(html`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Development OIDC provider</title></head><body>
<h1>Development identity provider (demo only)</h1>${failed ? html`<p>Unknown user or wrong password.</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<label>Username <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button></form></body></html>`);
}

/**
 * A development OpenID provider (`oidc-provider`) for the demo and the tests: HTTPS with the dev
 * server certificate, code flow with PKCE, RP-initiated logout, a login form checking the demo
 * users' passwords, consent granted automatically. Refused wherever the demo is refused
 * (production settings present); the production profile also refuses it as an issuer.
 */
export async function startDevOidcProvider(o: { certPem: string; keyPem: string; users: DevUser[]; clients: DevClient[]; host?: string; port?: number; env?: NodeJS.ProcessEnv }): Promise<DevOidcProvider> {
  const refusals = demoRefusals(o.env ?? process.env);
  if (refusals.length) throw new DevProviderRefused(`The development OIDC provider refuses to start: ${refusals.join('; ')}.`);
  const users = new Map(o.users.map((u) => [u.username, u]));
  const bySubject = new Map(o.users.map((u) => [u.subject, u]));
  // the issuer URL names the port, so the provider is made after the server listens
  const made: { provider?: Provider } = {};
  const server: Server = createServer({ ...anssiTlsOptions(), cert: o.certPem, key: o.keyPem }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const p = made.provider;
    if (!p) throw new Error('provider not ready');
    const m = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url?.split('?')[0] ?? '');
    if (!m) return p.callback()(req, res);
    const details = await p.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      if (req.method !== 'POST' || !m[2]) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginForm(details.uid, false));
        return;
      }
      const form = await readForm(req);
      const user = users.get(form.get('username') ?? '');
      if (!user || !sameSecret(user.password, form.get('password') ?? '')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginForm(details.uid, true));
        return;
      }
      const login = user.mfa ? { accountId: user.subject, acr: MFA_ACR, amr: ['pwd', 'otp'] } : { accountId: user.subject, amr: ['pwd'] };
      return p.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
    }
    // consent: every demo client is trusted
    const grant = new p.Grant({ accountId: details.session?.accountId ?? '', clientId: details.params.client_id });
    if (details.prompt.details.missingOIDCScope) grant.addOIDCScope(details.prompt.details.missingOIDCScope.join(' '));
    if (details.prompt.details.missingOIDCClaims) grant.addOIDCClaims(details.prompt.details.missingOIDCClaims);
    return p.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  const issuer = `https://localhost:${(server.address() as AddressInfo).port}`;
  const signingKey = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
  made.provider = new Provider(issuer, {
    clients: o.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: [c.redirectUri],
      post_logout_redirect_uris: [c.postLogoutRedirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    scopes: ['openid', 'scope_all'],
    // under `openid`, so every ID token carries the authentication evidence (not only on request)
    claims: { openid: ['sub', 'acr', 'amr', 'auth_time', 'sid'], scope_all: ['SubjectNameID', 'SubjectRefPro', 'given_name', 'family_name', 'email'] },
    acrValues: [MFA_ACR],
    findAccount: (_ctx: unknown, id: string) => {
      const user = bySubject.get(id);
      return user ? { accountId: id, claims: (use: string) => ({ ...(use === 'userinfo' ? user.userinfoOnly : {}), ...claimsOf(user) }) } : undefined;
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    renderError: (ctx: { type: string; body: string }, out: { error?: string }) => {
      ctx.type = 'html';
      ctx.body = String(html`<!doctype html><title>Error</title><p>${out.error ?? 'error'}</p>`);
    },
  });
  return {
    issuer,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
