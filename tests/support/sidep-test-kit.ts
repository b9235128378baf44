/**
 * Shared pieces for the SI-DEP client and simulator tests: a minimal valid message, a dev PKI
 * in a temp dir, the simulator in its own process and a caller for its control API.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { anssiTlsOptions, ensureDevPki, type DevPki, type StoredCertificate } from '../../gateway/src/pki/index.js';
import { createFhirSidepClient, type FhirSidepClient, type FhirSidepClientOptions } from '../../gateway/src/sidep/index.js';
import { startSimulatorProcess, type Faults, type SimulatorProcess } from '@sidep-gateway/sidep-simulator';

/** Values a leak check looks for: none may appear outside the message itself. */
export const PERSONAL_VALUES = { family: 'Testpatient', given: 'Zoé', birthDate: '1985-03-14', nir: '185036912345609' };

/**
 * The smallest Bundle the simulator accepts: Patient then Observation (entry[1]). A stand-in
 * for the real mapping in results/, which these tests must not depend on.
 */
export function minimalTransactionBundle(messageId: string, loinc = '94558-4'): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    identifier: { system: 'urn:ietf:rfc:3986', value: messageId },
    entry: [
      {
        fullUrl: 'urn:uuid:7a1c1b0e-0000-4000-8000-000000000001',
        resource: {
          resourceType: 'Patient',
          identifier: [{ system: 'urn:oid:1.2.250.1.213.1.4.8', value: PERSONAL_VALUES.nir }],
          name: [{ family: PERSONAL_VALUES.family, given: [PERSONAL_VALUES.given] }],
          birthDate: PERSONAL_VALUES.birthDate,
        },
        request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=urn:oid:1.2.250.1.213.1.4.8|${PERSONAL_VALUES.nir}` },
      },
      {
        fullUrl: 'urn:uuid:7a1c1b0e-0000-4000-8000-000000000002',
        resource: {
          resourceType: 'Observation',
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: loinc }] },
          subject: { reference: 'urn:uuid:7a1c1b0e-0000-4000-8000-000000000001' },
          effectiveDateTime: '2021-12-31T10:15:00+01:00',
          valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '260415000' }] },
        },
        request: { method: 'POST', url: 'Observation', ifNoneExist: `identifier=urn:sidep-gateway:result|${messageId}` },
      },
    ],
  };
}

/** A temp dir with a dev PKI (client `gateway`) and the simulator running on it. */
export interface SimulatorFixture {
  dir: string;
  pki: DevPki;
  gateway: StoredCertificate;
  simulator: SimulatorProcess;
  journalPath: string;
  /** Calls the control API with the gateway's certificate. */
  control(method: 'GET' | 'POST' | 'DELETE', path: string, body?: Faults): Promise<{ status: number; json: unknown }>;
  dispose(): Promise<void>;
}

/** The SI-DEP client as the relay builds it, with the fixture's gateway certificate, sending to `baseUrl` (the fixture's simulator by default). */
export function clientOf(fixture: SimulatorFixture, options: Partial<FhirSidepClientOptions> = {}): FhirSidepClient {
  return createFhirSidepClient({ baseUrl: fixture.simulator.url, ca: fixture.pki.ca.certPem, cert: fixture.gateway.certPem, key: fixture.gateway.keyPem, ...options });
}

export async function startSimulatorFixture(): Promise<SimulatorFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'sidep-test-'));
  const pki = await ensureDevPki(join(dir, 'pki'), { clients: ['gateway'] });
  const gateway = pki.clients.gateway!;
  const journalPath = join(dir, 'journal.jsonl');
  const simulator = await startSimulatorProcess({
    caPath: pki.ca.certPath,
    certPath: pki.server.certPath,
    keyPath: pki.server.keyPath,
    journalPath,
  });
  const agent = new Agent({ connect: { ...anssiTlsOptions(), ca: pki.ca.certPem, cert: gateway.certPem, key: gateway.keyPem } });
  return {
    dir,
    pki,
    gateway,
    simulator,
    journalPath,
    async control(method, path, body) {
      const response = await request(`${simulator.url}/_control/${path}`, {
        method,
        dispatcher: agent,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      const text = await response.body.text();
      return { status: response.statusCode, json: text === '' ? undefined : JSON.parse(text) };
    },
    async dispose() {
      await agent.close();
      await simulator.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
