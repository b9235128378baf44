import path from 'node:path';
import type { z } from 'zod';
import type { issuerSchema } from '@sidep-gateway/gateway/config/index.js';
import { createDatabase } from '@sidep-gateway/gateway/db/index.js';
import { enrol } from '@sidep-gateway/gateway/auth/enrolments.js';
import type { DevPki } from '@sidep-gateway/gateway/pki/index.js';
import { startDevOidcProvider } from './dev-oidc-provider.js';
import { demoPeople } from './people.js';
import { tokenFile } from './secrets.js';

/** A demo account as `.data/demo.json` lists it (at the development provider only). */
export interface DemoAccount {
  username: string;
  password: string;
  roles: string[];
  pharmacies: string[];
  mfa: boolean;
}

const DEMO_ISSUER_ID = 'demo';
const ENROLMENT_DAYS = 30;

/**
 * The demo's people: the development OIDC provider (on 127.0.0.1) with one account per role,
 * each enrolled by the demo (issuer `demo`). Returns the issuer setting for the web listener.
 */
export async function startDemoIdentity(o: { dataDir: string; pki: DevPki; port: number; webOrigin: string; ownerUrl: string }) {
  const secretFile = path.join(o.dataDir, 'oidc-client-secret');
  const clientSecret = await tokenFile(secretFile);
  const people = demoPeople();
  const provider = await startDevOidcProvider({
    certPem: o.pki.server.certPem,
    keyPem: o.pki.server.keyPem,
    port: o.port,
    users: people,
    clients: [{ clientId: 'gateway-demo', clientSecret, redirectUri: `${o.webOrigin}/auth/callback`, postLogoutRedirectUri: `${o.webOrigin}/auth/signed-out` }],
  });
  const owner = createDatabase({ url: o.ownerUrl, poolSize: 2 });
  try {
    const expiresAt = new Date(Date.now() + ENROLMENT_DAYS * 86_400_000);
    for (const p of people) {
      for (const role of p.roles) {
        for (const pharmacy of p.pharmacies.length ? p.pharmacies : [undefined]) {
          await enrol(owner, { issuer: DEMO_ISSUER_ID, subject: p.subject, role, ...(pharmacy ? { pharmacy } : {}), expiresAt, actor: { type: 'system', id: 'demo' } });
        }
      }
    }
  } catch (e) {
    await provider.stop();
    throw e;
  } finally {
    await owner.destroy();
  }
  // PSC-shaped claims; no acr required, so that the accounts without MFA reach the gateway and see why it refuses them
  const issuer: z.input<typeof issuerSchema> = { id: DEMO_ISSUER_ID, kind: 'psc', issuer: provider.issuer, clientId: 'gateway-demo', clientSecretFile: secretFile, caFile: o.pki.ca.certPath, requiredAcr: [], development: true };
  const accounts: DemoAccount[] = people.map((p) => ({ username: p.username, password: p.password, roles: p.roles, pharmacies: p.pharmacies, mfa: p.mfa }));
  return { issuer, accounts, issuerUrl: provider.issuer, stop: provider.stop };
}
