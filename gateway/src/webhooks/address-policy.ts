import { BlockList, isIP, isIPv4 } from 'node:net';

/** Why an address is refused: the class it falls in, as a stable code for logs, metrics and the UI. */
export type AddressClass =
  | 'loopback'
  | 'unspecified'
  | 'private'
  | 'link-local'
  | 'cloud-metadata'
  | 'shared'
  | 'multicast'
  | 'reserved'
  | 'invalid';

type Family = 'ipv4' | 'ipv6';

/**
 * Address ranges a callback must not reach unless allow-listed (IANA special-purpose registries).
 * Checked first to last: the metadata addresses sit inside link-local and private ranges, so they
 * come first to be named as what they are.
 */
const REFUSED: ReadonlyArray<readonly [AddressClass, string, number, Family]> = [
  ['cloud-metadata', '169.254.169.254', 32, 'ipv4'],
  ['cloud-metadata', '100.100.100.200', 32, 'ipv4'],
  ['cloud-metadata', 'fd00:ec2::254', 128, 'ipv6'],
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['loopback', '::1', 128, 'ipv6'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['private', 'fc00::', 7, 'ipv6'],
  // RFC 8215 local-use NAT64: translates to whatever the site chooses, public or not.
  ['private', '64:ff9b:1::', 48, 'ipv6'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['shared', '100.64.0.0', 10, 'ipv4'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['multicast', 'ff00::', 8, 'ipv6'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['reserved', '192.0.2.0', 24, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'],
  ['reserved', '198.51.100.0', 24, 'ipv4'],
  ['reserved', '203.0.113.0', 24, 'ipv4'],
  ['reserved', '2001:db8::', 32, 'ipv6'],
  // Teredo hides its client's IPv4 behind an obfuscation; no callback needs it.
  ['reserved', '2001::', 32, 'ipv6'],
  ['reserved', '100::', 64, 'ipv6'],
];

/** One BlockList per class: node:net judges `::ffff:a.b.c.d` against the IPv4 rules itself. */
const REFUSED_LISTS: ReadonlyArray<readonly [AddressClass, BlockList]> = [...new Set(REFUSED.map(([c]) => c))].map((c) => {
  const list = new BlockList();
  for (const [cls, network, prefix, family] of REFUSED) if (cls === c) list.addSubnet(network, prefix, family);
  return [c, list] as const;
});

/** Networks a chain admin allowed for one endpoint, e.g. `['127.0.0.0/8']`; `undefined` when one is malformed. */
export function allowList(networks: readonly string[]): BlockList | undefined {
  const list = new BlockList();
  for (const network of networks) {
    const match = /^([^/]+)\/(\d{1,3})$/.exec(network.trim());
    const family = match ? isIP(match[1]!) : 0;
    const prefix = Number(match?.[2]);
    if (!match || family === 0 || prefix > (family === 4 ? 32 : 128)) return undefined;
    list.addSubnet(match[1]!, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}

/**
 * The class that refuses `address` (as `dns.lookup` or the URL parser gives it, without
 * brackets), or `undefined` when a callback may connect to it. An allow-listed address is always
 * allowed. IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64 `64:ff9b::/96`,
 * 6to4 `2002::/16`) are also judged as that IPv4 address.
 *
 * @example
 * refusedClass('10.1.2.3', allowList([])!); // 'private'
 * refusedClass('10.1.2.3', allowList(['10.0.0.0/8'])!); // undefined
 */
export function refusedClass(address: string, allowed: BlockList): AddressClass | undefined {
  const family = isIP(address);
  // A zone index (`fe80::1%eth0`) names an interface, never a public host.
  if (family === 0 || address.includes('%')) return 'invalid';
  const type: Family = family === 4 ? 'ipv4' : 'ipv6';
  if (allowed.check(address, type)) return undefined;
  const embedded = type === 'ipv6' ? embeddedIpv4(address) : undefined;
  // The address as written first: `::1` is loopback, though it also reads as IPv4-compatible 0.0.0.1.
  return classOf(address, type) ?? (embedded === undefined ? undefined : classOf(embedded, 'ipv4'));
}

function classOf(address: string, type: Family): AddressClass | undefined {
  return REFUSED_LISTS.find(([, list]) => list.check(address, type))?.[0];
}

/** The IPv4 address an IPv6 address carries in its mapped, compatible, NAT64 or 6to4 form. */
function embeddedIpv4(address: string): string | undefined {
  const words = ipv6Words(address);
  if (!words) return undefined;
  const zeros = (from: number, to: number): boolean => words.slice(from, to).every((w) => w === 0);
  let high: number | undefined;
  let low: number | undefined;
  if (zeros(0, 5) && (words[5] === 0xffff || words[5] === 0)) [high, low] = [words[6], words[7]]; // ::ffff:a.b.c.d, ::a.b.c.d
  else if (words[0] === 0x64 && words[1] === 0xff9b && zeros(2, 6)) [high, low] = [words[6], words[7]]; // 64:ff9b::a.b.c.d
  else if (words[0] === 0x2002) [high, low] = [words[1], words[2]]; // 2002:AABB:CCDD::
  if (high === undefined || low === undefined) return undefined;
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The eight 16-bit words of a valid IPv6 address, a trailing dotted IPv4 part included. */
function ipv6Words(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted && isIPv4(dotted[1]!)) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -dotted[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const part = (s: string | undefined): number[] => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const left = part(head);
  const right = part(tail);
  const words = tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : undefined;
}
