import { Pool, type Dispatcher } from 'undici';
import { anssiTlsOptions } from '../pki/index.js';
import { SIDEP_CONTRACT_VERSION, type SendOutcome, type SidepAdapter, type SidepMessage } from './adapter.js';
import { isRecord, parseJson } from './json.js';
import { rejectionIssues } from './rejection-issues.js';
import { retryAfterMs } from './retry-after.js';

/** The trust and identity of the mutual TLS with SI-DEP. */
export interface SidepTls {
  /** PEM of the CA(s) that sign SI-DEP's server certificate. */
  ca: string | Buffer;
  /** PEM of the gateway's client certificate and its private key. */
  cert: string | Buffer;
  key: string | Buffer;
}

/** The FHIR adapter; its certificate, key and CAs can change without restart. */
export interface FhirSidepClient extends SidepAdapter {
  /** Sends from now on over new connections made with `tls`; sends under way finish on the old ones. */
  reloadTls(tls: SidepTls): void;
}

/** How to reach SI-DEP over mutual TLS. */
export interface FhirSidepClientOptions extends SidepTls {
  /** `https://host[:port][/prefix]`; the FHIR base, where transactions are POSTed, is `<baseUrl>/fhir`. */
  baseUrl: string;
  /** Whole exchange, connecting included, before the send counts as `timeout`. Default 10 s. */
  timeoutMs?: number;
  /** Keep-alive connections to SI-DEP. Default 8. */
  connections?: number;
}

/**
 * The FHIR delivery adapter. Each message is POSTed as `application/fhir+json` to the FHIR base
 * (a transaction, FHIR R4 §3.1.0.11) with `Idempotency-Key: <messageId>` and
 * `X-Sidep-Contract-Version: <SIDEP_CONTRACT_VERSION>`, over pooled
 * keep-alive mTLS connections under the ANSSI policy. The acknowledgement is the `id` of the
 * transaction-response Bundle SI-DEP answers with (2xx).
 *
 * Outcomes: 2xx → `accepted`; network error, timeout, 408, 429, 5xx, or a 2xx without an
 * ack → `retryable`; any other 4xx → `rejected` with the OperationOutcome's codes and paths.
 *
 * @example
 * const sidep = createFhirSidepClient({ baseUrl: 'https://127.0.0.1:9443', ca, cert, key });
 * const outcome = await sidep.send({ messageId, bundle });
 */
export function createFhirSidepClient(options: FhirSidepClientOptions): FhirSidepClient {
  const base = new URL(options.baseUrl);
  if (base.protocol !== 'https:') throw new Error('The SI-DEP base URL must use https.');
  const path = `${base.pathname.replace(/\/$/, '')}/fhir`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const connectTo = (tls: SidepTls) =>
    new Pool(base.origin, {
      connections: options.connections ?? 8,
      connect: { ...anssiTlsOptions(), ca: tls.ca, cert: tls.cert, key: tls.key },
    });
  let pool = connectTo(options);
  const retired = new Set<Promise<void>>();

  return {
    contractVersion: SIDEP_CONTRACT_VERSION,
    async send(message: SidepMessage): Promise<SendOutcome> {
      try {
        const response = await pool.request({
          method: 'POST',
          path,
          headers: {
            'content-type': 'application/fhir+json',
            accept: 'application/fhir+json',
            'idempotency-key': message.messageId,
            'x-sidep-contract-version': SIDEP_CONTRACT_VERSION,
          },
          body: JSON.stringify(message.bundle),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const body = await response.body.text();
        return classifyResponse(response.statusCode, response.headers, body);
      } catch (error) {
        return { kind: 'retryable', code: isTimeout(error) ? 'timeout' : 'network' };
      }
    },
    reloadTls(tls: SidepTls): void {
      const previous = pool;
      pool = connectTo(tls);
      // sends already under way finish on the old connections, which then close
      const closing = previous.close().finally(() => retired.delete(closing));
      retired.add(closing);
    },
    close: async () => {
      await Promise.all([pool.close(), ...retired]);
    },
  };
}

function classifyResponse(status: number, headers: Dispatcher.ResponseData['headers'], body: string): SendOutcome {
  if (status >= 200 && status < 300) {
    const ackId = acknowledgementId(parseJson(body));
    // SI-DEP has the message but we cannot read its ack: resending the same id replays it.
    return ackId === undefined ? { kind: 'retryable', code: 'bad-ack' } : { kind: 'accepted', ackId };
  }
  // 408 and 429 are 4xx that invite a retry (RFC 9110 §15.5.9, RFC 6585 §4); 3xx means a
  // misconfigured base URL, which retrying survives and dead-lettering would not.
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return { kind: 'rejected', httpStatus: status, issues: rejectionIssues(parseJson(body)) };
  }
  const retryAfter = retryAfterMs(firstHeader(headers['retry-after']), Date.now());
  return { kind: 'retryable', code: `http-${status}`, ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }) };
}

function acknowledgementId(body: unknown): string | undefined {
  if (!isRecord(body) || body.resourceType !== 'Bundle') return undefined;
  return typeof body.id === 'string' && body.id !== '' ? body.id : undefined;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function isTimeout(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.name === 'TimeoutError' || TIMEOUT_CODES.has((e as { code?: string }).code ?? '')) return true;
  }
  return false;
}
