import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Client } from 'undici';
import { anssiTlsOptions } from '../pki/index.js';
import { retryAfterMs } from '../sidep/retry-after.js';
import { allowList, refusedClass } from './address-policy.js';

/** Where one endpoint's callbacks go: its URL, its private CA if any, the networks a chain admin allowed. */
export interface OutboundTarget {
  url: string;
  caPem?: string;
  allowNetworks: string[];
}

/**
 * What became of one callback. `refused` is never retried: the URL or its addresses break the
 * policy, or the endpoint answered 3xx or a 4xx other than 408/429 (it does not want this
 * request, and a redirect is not followed). `retryable` covers the network, timeouts, TLS,
 * 408, 429 and 5xx, with the endpoint's `Retry-After` when it gave one.
 */
export type OutboundResult =
  | { kind: 'delivered'; status: number }
  | { kind: 'retryable'; code: string; retryAfterMs?: number }
  | { kind: 'refused'; code: string };

/** Resolves a host name to all its addresses, like `dns.lookup(name, { all: true })`. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export interface OutboundOptions {
  /** Default 5 s. */
  connectTimeoutMs?: number;
  /** From the request sent to the last byte read of the response; default 10 s. */
  responseTimeoutMs?: number;
  /** Response bytes read before the rest is dropped; default 64 KiB. */
  maxResponseBytes?: number;
  /** Name resolution; tests inject one. Default `dns.lookup` with `all: true`. */
  lookup?: Resolver;
}

type Failure = Exclude<OutboundResult, { kind: 'delivered' }>;
type Checked = { ok: true; url: URL; address: LookupAddress } | { ok: false; result: Failure };

const DEFAULTS = { connectTimeoutMs: 5_000, responseTimeoutMs: 10_000, maxResponseBytes: 64 * 1024 };

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * The HTTPS client of status callbacks, guarded against server-side request forgery: the host
 * name is resolved once, every address it gives must pass the address policy (address-policy.ts)
 * or an allow-listed network, and the connection is pinned to the first one, so that a second
 * DNS answer cannot redirect it. TLS follows the ANSSI policy and checks the certificate against
 * the host name.
 *
 * @example
 * const client = createOutboundClient({});
 * await client.send({ url: 'https://pharmacy.example/hooks', allowNetworks: [] }, { headers, body });
 */
export function createOutboundClient(o: OutboundOptions = {}): {
  send(target: OutboundTarget, request: { headers: Record<string, string>; body: string }): Promise<OutboundResult>;
} {
  // `??`, not a spread: a setting passed as `undefined` keeps its default.
  const settings = {
    connectTimeoutMs: o.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    responseTimeoutMs: o.responseTimeoutMs ?? DEFAULTS.responseTimeoutMs,
    maxResponseBytes: o.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
  };
  const resolve = o.lookup ?? systemResolver;
  return {
    async send(target, request) {
      const checked = await checkAddresses(target.url, target.allowNetworks, resolve, settings.connectTimeoutMs);
      if (!checked.ok) return checked.result;
      return post(checked.url, checked.address, target.caPem, request, settings);
    },
  };
}

/**
 * Validates an endpoint when it is registered: the same URL and address checks as a delivery,
 * with a fresh resolution of its name.
 *
 * @example
 * await checkTarget('https://10.0.0.5/hooks', []); // { ok: false, code: 'address-private' }
 */
export async function checkTarget(
  url: string,
  allowNetworks: string[],
  lookup: Resolver = systemResolver,
): Promise<{ ok: true } | { ok: false; code: string }> {
  const checked = await checkAddresses(url, allowNetworks, lookup, DEFAULTS.connectTimeoutMs);
  return checked.ok ? { ok: true } : { ok: false, code: checked.result.code };
}

async function checkAddresses(raw: string, allowNetworks: string[], resolve: Resolver, resolveTimeoutMs: number): Promise<Checked> {
  const refused = (code: string): Checked => ({ ok: false, result: { kind: 'refused', code } });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refused('url-invalid');
  }
  if (url.protocol !== 'https:') return refused('url-not-https');
  if (url.username || url.password) return refused('url-credentials');
  const allowed = allowList(allowNetworks);
  if (!allowed) return refused('allow-network-invalid');
  // The URL parser has already turned decimal, octal and hex IPv4 forms into dotted quads.
  const literal = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: LookupAddress[];
  if (isIP(literal)) addresses = [{ address: literal, family: isIP(literal) }];
  else {
    try {
      addresses = await within(resolveTimeoutMs, resolve(literal));
    } catch {
      return { ok: false, result: { kind: 'retryable', code: 'dns-failed' } };
    }
  }
  if (addresses.length === 0) return { ok: false, result: { kind: 'retryable', code: 'dns-failed' } };
  for (const { address } of addresses) {
    const cls = refusedClass(address, allowed);
    if (cls) return refused(`address-${cls}`);
  }
  return { ok: true, url, address: addresses[0]! };
}

/** `dns.lookup` has no timeout of its own: a stuck resolver would hold a delivery worker. */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('name resolution timed out')), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function post(
  url: URL,
  pinned: LookupAddress,
  caPem: string | undefined,
  request: { headers: Record<string, string>; body: string },
  s: typeof DEFAULTS,
): Promise<OutboundResult> {
  const client = new Client(url.origin, {
    connect: {
      ...anssiTlsOptions(),
      ...(caPem ? { ca: caPem } : {}),
      timeout: s.connectTimeoutMs,
      // net.connect asks this instead of DNS: the socket goes to the address just checked.
      lookup: ((_hostname, options, callback) => {
        if ((options as { all?: boolean }).all) (callback as (e: null, all: LookupAddress[]) => void)(null, [pinned]);
        else callback(null, pinned.address, pinned.family);
      }) satisfies LookupFunction,
    },
    headersTimeout: s.responseTimeoutMs,
    bodyTimeout: s.responseTimeoutMs,
  });
  try {
    const response = await client.request({
      method: 'POST',
      path: `${url.pathname}${url.search}`,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(s.connectTimeoutMs + s.responseTimeoutMs),
    });
    await response.body.dump({ limit: s.maxResponseBytes });
    return classify(response.statusCode, response.headers['retry-after']);
  } catch (err) {
    return { kind: 'retryable', code: failureCode(err) };
  } finally {
    void client.destroy().catch(() => undefined);
  }
}

function classify(status: number, retryAfter: string | string[] | undefined): OutboundResult {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 408 || status === 429 || (status >= 500 && status < 600)) {
    const delay = retryAfterMs(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, Date.now());
    return { kind: 'retryable', code: `http-${status}`, ...(delay === undefined ? {} : { retryAfterMs: delay }) };
  }
  if (status >= 300 && status < 500) return { kind: 'refused', code: status < 400 ? 'http-3xx' : 'http-4xx' };
  return { kind: 'retryable', code: 'http-status' };
}

/** A code for the failure, never its message (which may echo the endpoint's answer). */
function failureCode(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const name = (err as { name?: unknown }).name;
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect-timeout';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || name === 'TimeoutError') return 'timeout';
  if (typeof code === 'string' && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO/.test(code)) return 'tls';
  return 'network';
}
