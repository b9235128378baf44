import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTarget, createOutboundClient, type Resolver } from '../../gateway/src/webhooks/outbound.js';

// Every way a URL can spell a loopback, private, link-local, shared or cloud-metadata address,
// and every name that resolves to one, is refused before any connection, unless the endpoint's
// allow-list holds that network. `FUZZ_RUNS` raises the count for the long run.

const RUNS = { numRuns: Number(process.env.FUZZ_RUNS ?? 300), ...(process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) }) };

/** Refused IPv4 networks, as base address and prefix length. */
const V4_NETWORKS: ReadonlyArray<readonly [number, number]> = [
  [0x7f000000, 8], // 127/8
  [0x00000000, 8], // 0/8
  [0x0a000000, 8], // 10/8
  [0xac100000, 12], // 172.16/12
  [0xc0a80000, 16], // 192.168/16
  [0xa9fe0000, 16], // 169.254/16
  [0x64400000, 10], // 100.64/10
  [0xa9fea9fe, 32], // 169.254.169.254
  [0x646464c8, 32], // 100.100.100.200
];

const dotted = (n: number): string => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
const cidr = ([base, prefix]: readonly [number, number]): string => `${dotted(base)}/${prefix}`;

const privateV4 = fc
  .constantFrom(...V4_NETWORKS)
  .chain((network) => fc.nat({ max: 2 ** (32 - network[1]) - 1 }).map((offset) => ({ network, n: (network[0] + offset) >>> 0 })));

/** The spellings of IPv4 address `n` in a URL host: all reach the same address. */
const v4Spellings = (n: number): fc.Arbitrary<string> => {
  const b = [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff] as const;
  return fc.constantFrom(
    dotted(n),
    `${dotted(n)}.`,
    String(n),
    `0x${n.toString(16)}`,
    `0${n.toString(8)}`,
    b.map((x) => `0${x.toString(8)}`).join('.'),
    b.map((x) => `0x${x.toString(16)}`).join('.'),
    `${b[0]}.${(n & 0xffffff) >>> 0}`,
    `0x${b[0].toString(16)}.${b[1]}.${(n & 0xffff) >>> 0}`,
    `[::ffff:${dotted(n)}]`,
    `[::ffff:${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}]`,
    `[0:0:0:0:0:FFFF:${dotted(n)}]`,
  );
};

/** IPv6 forms that carry the IPv4 address, and the IPv6 network to allow-list for each. */
const v6Carriers = (n: number): fc.Arbitrary<readonly [string, string]> => {
  const hi = (n >>> 16).toString(16);
  const lo = (n & 0xffff).toString(16);
  return fc.constantFrom(
    [`[64:ff9b::${dotted(n)}]`, '64:ff9b::/96'] as const,
    [`[2002:${hi}:${lo}::1]`, '2002::/16'] as const,
    [`[::${dotted(n)}]`, '::/96'] as const,
  );
};

const word = fc.nat({ max: 0xffff }).map((w) => w.toString(16));
const words = (count: number) => fc.array(word, { minLength: count, maxLength: count }).map((w) => w.join(':'));
/** Private and link-local IPv6 addresses with the network to allow-list for each. */
const privateV6 = fc.oneof(
  fc.tuple(fc.nat({ max: 0x1ff }), words(7)).map(([w, rest]) => [`${(0xfc00 + w).toString(16)}:${rest}`, 'fc00::/7'] as const),
  fc.tuple(fc.nat({ max: 0x3f }), words(7)).map(([w, rest]) => [`${(0xfe80 + w).toString(16)}:${rest}`, 'fe80::/10'] as const),
  fc.constantFrom(['::1', '::1/128'] as const, ['::', '::/128'] as const, ['fd00:ec2::254', 'fd00::/8'] as const, ['0:0:0:0:0:0:0:1', '::1/128'] as const),
);

const publicV4 = fc.tuple(fc.constantFrom(1, 8, 9, 80, 93, 151, 185, 212), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map((b) => b.join('.'));
const publicV6 = words(6).map((rest) => `2a01:${rest}:1`);

/** A resolver that must not be asked: literal addresses are judged as written. */
const noDns: Resolver = () => Promise.reject(new Error('resolver called for a literal address'));
const answering =
  (...addresses: string[]): Resolver =>
  () =>
    Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));

const client = createOutboundClient({ lookup: noDns });
const request = { headers: { 'content-type': 'application/json' }, body: '{}' };

describe('the outbound callback client', () => {
  it('refuses every spelling of a private IPv4 address without connecting, and allows it inside the allow-listed network', async () => {
    await fc.assert(
      fc.asyncProperty(privateV4.chain(({ network, n }) => v4Spellings(n).map((host) => ({ network, host }))), async ({ network, host }) => {
        const url = `https://${host}:8443/hooks`;
        expect(await client.send({ url, allowNetworks: [] }, request)).toEqual({ kind: 'refused', code: expect.stringMatching(/^address-/) });
        expect(await checkTarget(url, [], noDns)).toEqual({ ok: false, code: expect.stringMatching(/^address-/) });
        expect(await checkTarget(url, [cidr(network)], noDns)).toEqual({ ok: true });
      }),
      RUNS,
    );
  });

  it('refuses NAT64, 6to4 and IPv4-compatible forms that carry a private IPv4 address, unless their IPv6 network is allow-listed', async () => {
    await fc.assert(
      fc.asyncProperty(privateV4.chain(({ n }) => v6Carriers(n)), async ([host, network]) => {
        const url = `https://${host}/hooks`;
        expect(await checkTarget(url, [], noDns)).toEqual({ ok: false, code: expect.stringMatching(/^address-/) });
        expect(await checkTarget(url, [network], noDns)).toEqual({ ok: true });
      }),
      RUNS,
    );
  });

  it('refuses private, link-local, loopback, unspecified and metadata IPv6 addresses unless allow-listed', async () => {
    await fc.assert(
      fc.asyncProperty(privateV6, async ([address, network]) => {
        const url = `https://[${address}]/hooks`;
        expect(await client.send({ url, allowNetworks: [] }, request)).toEqual({ kind: 'refused', code: expect.stringMatching(/^address-/) });
        expect(await checkTarget(url, [network], noDns)).toEqual({ ok: true });
      }),
      RUNS,
    );
  });

  it('refuses a name when any address it resolves to is private, even next to public ones', async () => {
    const addressLists = fc
      .tuple(fc.array(fc.oneof(publicV4, publicV6), { maxLength: 3 }), fc.oneof(privateV4.map(({ n }) => dotted(n)), privateV6.map(([a]) => a)), fc.nat())
      .map(([publics, bad, at]) => publics.toSpliced(at % (publics.length + 1), 0, bad));
    await fc.assert(
      fc.asyncProperty(addressLists, async (addresses) => {
        const resolving = createOutboundClient({ lookup: answering(...addresses) });
        expect(await resolving.send({ url: 'https://callbacks.pharmacy.example/hooks', allowNetworks: [] }, request)).toEqual({
          kind: 'refused',
          code: expect.stringMatching(/^address-/),
        });
        expect(await checkTarget('https://callbacks.pharmacy.example/hooks', [], answering(...addresses))).toEqual({ ok: false, code: expect.stringMatching(/^address-/) });
      }),
      RUNS,
    );
  });

  it('accepts a name whose addresses are all public', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(publicV4, publicV6), { minLength: 1, maxLength: 4 }), async (addresses) => {
        expect(await checkTarget('https://callbacks.pharmacy.example/hooks', [], answering(...addresses))).toEqual({ ok: true });
      }),
      RUNS,
    );
  });
});
