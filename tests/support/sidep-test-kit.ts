/**
 * Shared pieces for the SI-DEP client and simulator tests: a valid message, a dev PKI
 * in a temp dir, the simulator in its own process and a caller for its control API.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { anssiTlsOptions, ensureDevPki, type DevPki, type StoredCertificate } from '../../gateway/src/pki/index.js';
import { createIntakeSchema, parseIntake, toFhirBundle, type FhirMessageInput, type TransactionBundle } from '../../gateway/src/results/index.js';
import { createFhirSidepClient, type FhirSidepClient, type FhirSidepClientOptions } from '../../gateway/src/sidep/index.js';
import { startSimulatorProcess, type Faults, type SimulatorProcess } from '@sidep-gateway/sidep-simulator';
import { syntheticResult } from './synthetic-result.js';

/** Values a leak check looks for: none may appear outside the message itself. */
export const PERSONAL_VALUES = { family: 'Testpatient', given: 'Zoé', birthDate: '1985-03-14', nir: '185036912345609' };

/**
 * A message the simulator accepts: the gateway's mapping of a synthetic result whose patient
 * carries `PERSONAL_VALUES`, collected 20 and read 5 minutes before now, Observation last.
 */
export function validTransactionBundle(messageId: string, loinc = '94558-4'): Record<string, unknown> {
  const now = new Date();
  const { family, given, birthDate, nir } = PERSONAL_VALUES;
  const submission = syntheticResult({ patient: { nir, birthName: family, firstNames: [given], birthDate }, test: { loinc } }, now);
  return structuredClone(messageOf(submission, { messageId, now })) as unknown as Record<string, unknown>;
}

/**
 * The gateway's message for an intake body, validated and normalised as the intake does at
 * `now`, for the pharmacy the body names (`759999907` by default): the intake refuses a body
 * naming another pharmacy than its certificate's.
 */
export function messageOf(
  submission: unknown,
  { messageId, now, kind = 'original' }: { messageId: string; now: Date; kind?: FhirMessageInput['kind'] },
): TransactionBundle {
  const result = parseIntake(createIntakeSchema({ now: () => now }), submission);
  const finess = result.pharmacyFiness ?? '759999907';
  return toFhirBundle({ messageId, resultId: messageId, kind, result, pharmacy: { finess }, issuedAt: now });
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
  /** POSTs `body` as a FHIR message to `/fhir`, as a client other than the gateway's could. */
  postMessage(body: unknown, idempotencyKey: string): Promise<{ status: number; contentType: string; json: unknown }>;
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
    async postMessage(body, idempotencyKey) {
      const response = await request(`${simulator.url}/fhir`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/fhir+json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(body),
      });
      return { status: response.statusCode, contentType: String(response.headers['content-type']), json: await response.body.json() };
    },
    async dispose() {
      await agent.close();
      await simulator.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
