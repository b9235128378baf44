import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll } from 'vitest';
import { enrol } from '../../gateway/src/auth/enrolments.js';
import { demoPeople, type DemoPerson } from '@sidep-gateway/demo/people.js';
import { freePort } from '@sidep-gateway/demo/free-port.js';
import { startDevOidcProvider, type DevOidcProvider } from '@sidep-gateway/demo/dev-oidc-provider.js';
import { anssiTlsOptions } from '../../gateway/src/pki/index.js';
import { ADMIN_UI_ROOT } from '../../gateway/src/repository-root.js';
import { startHarness, type Harness } from './gateway-harness.js';

export interface Response {
  status: number;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): any;
}

/** A browser stand-in: a cookie jar per origin, redirects followed by hand (as a browser would). */
export interface Browser {
  cookies: Map<string, Map<string, { value: string; attributes: string }>>;
  fetch(method: string, url: string, o?: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string>; follow?: boolean }): Promise<Response>;
}

export interface WebHarness {
  h: Harness;
  provider: DevOidcProvider;
  webUrl: string;
  people: DemoPerson[];
  person(username: string): DemoPerson;
  browser(): Browser;
  /** Signs in through the provider's login form; returns the browser and the final page. */
  signIn(username: string): Promise<{ browser: Browser; page: Response }>;
  close(): Promise<void>;
}

/** The gateway with its web listener, a development OIDC provider, and the demo people (and `morePeople`) enrolled. */
export async function startWebHarness(o: { issuer?: Record<string, unknown>; web?: Record<string, unknown>; audit?: Record<string, unknown>; unauthenticated?: Record<string, unknown>; devCa?: boolean; morePeople?: DemoPerson[] } = {}): Promise<WebHarness> {
  const webPort = await freePort();
  const webUrl = `https://localhost:${webPort}`;
  const people = [...demoPeople(), ...(o.morePeople ?? [])];
  const secret = 'dev-client-secret-0123456789abcdef';
  // the provider needs the harness's PKI, the web listener the provider's issuer: restart with the web listener
  const h = await startHarness();
  const provider = await startDevOidcProvider({
    certPem: h.pki.server.certPem,
    keyPem: h.pki.server.keyPem,
    users: people,
    clients: [{ clientId: 'gateway', clientSecret: secret, redirectUri: `${webUrl}/auth/callback`, postLogoutRedirectUri: `${webUrl}/auth/signed-out` }],
  });
  const secretFile = path.join(h.dir, 'oidc-secret');
  await writeFile(secretFile, secret, { mode: 0o600 });
  await h.restartGateway({
    web: {
      enabled: true,
      port: webPort,
      certFile: h.pki.server.certPath,
      keyFile: h.pki.server.keyPath,
      publicOrigin: webUrl,
      issuers: [{ id: 'dev', kind: 'psc', issuer: provider.issuer, clientId: 'gateway', clientSecretFile: secretFile, caFile: h.pki.ca.certPath, requiredAcr: [], development: true, ...o.issuer }],
      ...o.web,
    },
    ...(o.audit ? { audit: o.audit } : {}),
    ...(o.unauthenticated ? { unauthenticated: o.unauthenticated } : {}),
    // the harness's CA signs what the admin UI issues
    ...(o.devCa ? { pki: { caCertFile: h.pki.ca.certPath, caKeyFile: h.pki.ca.keyPath } } : {}),
  } as never);
  for (const p of people) {
    for (const role of p.roles) {
      const targets = p.pharmacies.length ? p.pharmacies : [undefined];
      for (const f of targets) {
        await enrol(h.db.owner, { issuer: 'dev', subject: p.subject, role, ...(f ? { pharmacy: f } : {}), expiresAt: new Date(Date.now() + 86_400_000), actor: { type: 'system', id: 'test' } });
      }
    }
  }
  const agent = new Agent({ connect: { ...anssiTlsOptions(), ca: h.pki.ca.certPem } });

  const browser = (): Browser => createBrowser(agent);

  const person = (username: string) => {
    const p = people.find((x) => x.username === username);
    if (!p) throw new Error(`no demo person ${username}`);
    return p;
  };

  return {
    h,
    provider,
    webUrl,
    people,
    person,
    browser,
    async signIn(username) {
      const b = browser();
      const p = person(username);
      return { browser: b, page: await signInWithForm(b, `${webUrl}/auth/login?issuer=dev`, p.username, p.password) };
    },
    async close() {
      await agent.close();
      await provider.stop();
      await h.close();
    },
  };
}

/** A browser stand-in trusting `caPem`: cookie jar per origin, redirects followed by hand. */
/**
 * For a file of browser tests: a web harness serving the built admin UI, started before the
 * file's tests and closed after them; call the returned function inside a test.
 */
export function webHarnessServingTheUi(): () => WebHarness {
  let w: WebHarness | undefined;
  beforeAll(async () => {
    w = await startWebHarness({ web: { uiDir: path.join(ADMIN_UI_ROOT, 'dist') } });
  }, 120_000);
  afterAll(async () => {
    await w?.close();
  });
  return () => w as WebHarness;
}

export function createBrowser(agent: Agent): Browser {
  const cookies = new Map<string, Map<string, { value: string; attributes: string }>>();
  const jar = (origin: string) => {
    let j = cookies.get(origin);
    if (!j) cookies.set(origin, (j = new Map()));
    return j;
  };
  const b: Browser = {
    cookies,
    async fetch(method, url, opts = {}) {
      let current = new URL(url);
      let m = method;
      let body: string | undefined = opts.form ? new URLSearchParams(opts.form).toString() : opts.json !== undefined ? JSON.stringify(opts.json) : undefined;
      let headers: Record<string, string> = { ...(opts.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...(opts.json !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers };
      for (let hop = 0; hop < 20; hop++) {
        const j = jar(current.origin);
        const cookie = [...j].map(([k, v]) => `${k}=${v.value}`).join('; ');
        const res = await request(current, { method: m as 'GET', dispatcher: agent, headers: { ...headers, ...(cookie ? { cookie } : {}) }, body });
        const set = res.headers['set-cookie'];
        for (const line of set === undefined ? [] : Array.isArray(set) ? set : [set]) {
          const [pair, ...attrs] = line.split(';');
          const [name, ...v] = (pair as string).split('=');
          const attributes = attrs.join(';');
          if (/max-age=0\b|expires=thu, 01 jan 1970/i.test(attributes)) j.delete((name as string).trim());
          else j.set((name as string).trim(), { value: v.join('='), attributes });
        }
        const text = await res.body.text();
        const location = res.headers.location;
        if (opts.follow !== false && res.statusCode >= 300 && res.statusCode < 400 && typeof location === 'string') {
          current = new URL(location, current);
          if (res.statusCode !== 307 && res.statusCode !== 308) {
            m = 'GET';
            body = undefined;
            headers = {};
          }
          continue;
        }
        return { status: res.statusCode, url: current.href, headers: res.headers, text, json: () => JSON.parse(text) };
      }
      throw new Error('too many redirects');
    },
  };
  return b;
}

/** Follows the code flow from the gateway's login URL through the development provider's form. */
export async function signInWithForm(b: Browser, loginUrl: string, username: string, password: string): Promise<Response> {
  const form = await b.fetch('GET', loginUrl);
  const action = /action="([^"]+)"/.exec(form.text)?.[1];
  if (!action) throw new Error(`no login form (status ${form.status})`);
  return b.fetch('POST', new URL(action, form.url).href, { form: { username, password } });
}
