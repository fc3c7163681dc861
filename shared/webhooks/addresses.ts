// Which network addresses a webhook may be delivered to (pure). Deployed, a receiver must be on the public
// internet: a tenant must never make our functions call into private networks, the instance metadata
// service (169.254.169.254) or anything else only reachable from inside. Every form an address can take
// is reduced to 16 bytes first (IPv4 as IPv4-mapped IPv6), then checked against the special-purpose
// ranges of the IANA IPv4 and IPv6 registries, with the IPv4 address embedded in mapped, compatible,
// NAT64 and 6to4 forms checked as IPv4.

import { isIP } from 'node:net';

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link_local'
  | 'shared'
  | 'unique_local'
  | 'multicast'
  | 'unspecified'
  | 'reserved'
  | 'invalid';

/** Parses an IPv4 or IPv6 literal (IPv6 may carry brackets or a `%zone`) to 16 bytes; undefined if not one. */
export function addressBytes(text: string): Uint8Array | undefined {
  let address = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  const version = isIP(address);
  if (version === 4) {
    const bytes = new Uint8Array(16);
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    address.split('.').forEach((part, i) => {
      bytes[12 + i] = Number(part);
    });
    return bytes;
  }
  if (version !== 6) return undefined;
  return ipv6Bytes(address);
}

function ipv6Bytes(address: string): Uint8Array | undefined {
  let text = address;
  const words: number[] = [];
  // A trailing dotted IPv4 (::ffff:10.0.0.1) is two words.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (dotted) {
    const v4 = dotted[1]!.split('.').map(Number);
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    text = text.slice(0, -dotted[1]!.length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((w) => Number.parseInt(w, 16)));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const missing = 8 - left.length - right.length - tail.length;
  if (missing < 0 || (rest === undefined && missing !== 0)) return undefined;
  words.push(...left, ...Array<number>(missing).fill(0), ...right, ...tail);
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

const startsWith = (bytes: Uint8Array, prefix: number[], bits: number): boolean => {
  for (let bit = 0; bit < bits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((bytes[byte] ?? 0) & mask) !== ((prefix[byte] ?? 0) & mask)) return false;
  }
  return true;
};

type Range = [prefix: number[], bits: number, cls: AddressClass];

/** IPv4 special-purpose ranges (RFC 6890 and the IANA registry), as [a, b, c, d] / bits. */
const IPV4_RANGES: Range[] = [
  [[0, 0, 0, 0], 8, 'unspecified'], // "this network"; 0.0.0.0 reaches the local host on Linux
  [[10, 0, 0, 0], 8, 'private'],
  [[100, 64, 0, 0], 10, 'shared'], // carrier-grade NAT
  [[127, 0, 0, 0], 8, 'loopback'],
  [[169, 254, 0, 0], 16, 'link_local'], // includes the metadata service 169.254.169.254
  [[172, 16, 0, 0], 12, 'private'],
  [[192, 0, 0, 0], 24, 'reserved'], // IETF protocol assignments
  [[192, 0, 2, 0], 24, 'reserved'], // TEST-NET-1
  [[192, 88, 99, 0], 24, 'reserved'], // 6to4 relay anycast
  [[192, 168, 0, 0], 16, 'private'],
  [[198, 18, 0, 0], 15, 'reserved'], // benchmarking
  [[198, 51, 100, 0], 24, 'reserved'], // TEST-NET-2
  [[203, 0, 113, 0], 24, 'reserved'], // TEST-NET-3
  [[224, 0, 0, 0], 4, 'multicast'],
  [[240, 0, 0, 0], 4, 'reserved'], // includes 255.255.255.255
];

function classifyIpv4(v4: number[]): AddressClass {
  const bytes = new Uint8Array(v4);
  for (const [prefix, bits, cls] of IPV4_RANGES) if (startsWith(bytes, prefix, bits)) return cls;
  return 'public';
}

const hex = (...words: number[]) => words.flatMap((w) => [w >> 8, w & 0xff]);

/** IPv6 ranges that are not public, checked after the forms that embed an IPv4 address. */
const IPV6_RANGES: Range[] = [
  [hex(0x0100, 0, 0, 0), 64, 'reserved'], // discard-only
  [hex(0x2001, 0x0000), 32, 'reserved'], // Teredo: tunnels to an address we cannot check
  [hex(0x2001, 0x0002, 0), 48, 'reserved'], // benchmarking
  [hex(0x2001, 0x0db8), 32, 'reserved'], // documentation
  [hex(0x2001, 0x0010), 28, 'reserved'], // ORCHID
  [hex(0x2001, 0x0020), 28, 'reserved'], // ORCHIDv2
  [hex(0x3fff), 20, 'reserved'], // documentation (RFC 9637)
  [hex(0x5f00), 16, 'reserved'], // segment routing SIDs
  [hex(0xfc00), 7, 'unique_local'],
  [hex(0xfe80), 10, 'link_local'],
  [hex(0xfec0), 10, 'private'], // deprecated site-local
  [hex(0xff00), 8, 'multicast'],
];

/** The IPv4 address an IPv6 address stands for or tunnels to, when it has one we can check. */
function embeddedIpv4(bytes: Uint8Array): number[] | undefined {
  const tail = [...bytes.subarray(12, 16)];
  const zeros = (from: number, to: number) => bytes.subarray(from, to).every((b) => b === 0);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return tail; // ::ffff:a.b.c.d, mapped
  if (zeros(0, 10) && bytes[10] === 0 && bytes[11] === 0 && !zeros(12, 14)) return tail; // ::a.b.c.d, compatible
  if (startsWith(bytes, hex(0x0064, 0xff9b, 0, 0, 0, 0), 96)) return tail; // NAT64 well-known prefix
  if (startsWith(bytes, hex(0x2002), 16)) return [...bytes.subarray(2, 6)]; // 6to4
  return undefined;
}

/** The class of an address literal; `invalid` for anything that is not one. */
export function classifyAddress(text: string): AddressClass {
  const bytes = addressBytes(text);
  if (!bytes) return 'invalid';
  if (bytes.every((b) => b === 0)) return 'unspecified';
  if (bytes.subarray(0, 15).every((b) => b === 0) && bytes[15] === 1) return 'loopback';
  const v4 = embeddedIpv4(bytes);
  if (v4) return classifyIpv4(v4);
  // The rest of ::/96 (IPv4-compatible with a zero-leading tail) and NAT64's local-use prefix.
  if (bytes.subarray(0, 12).every((b) => b === 0)) return 'reserved';
  if (startsWith(bytes, hex(0x0064, 0xff9b, 0x0001), 48)) return 'reserved';
  for (const [prefix, bits, cls] of IPV6_RANGES) if (startsWith(bytes, prefix, bits)) return cls;
  // Outside 2000::/3 nothing is assigned for global unicast.
  if (!startsWith(bytes, hex(0x2000), 3)) return 'reserved';
  return 'public';
}

/** Where receivers may be: the public internet, plus this machine when running locally (`npm start`). */
export interface AddressPolicy {
  allowLoopback: boolean;
}

export function isAllowedAddress(text: string, policy: AddressPolicy): boolean {
  const cls = classifyAddress(text);
  return cls === 'public' || (policy.allowLoopback && cls === 'loopback');
}
