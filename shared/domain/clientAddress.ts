/**
 * The rate-limit subject for a client address (req 16, 18; security review M4). One IPv6 customer gets a
 * whole /64, so IPv6 clients are limited per /64; IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is the IPv4 client
 * it wraps; every spelling of an address (`2001:DB8:0:0::1`, `2001:db8::1`) is one subject. Anything that
 * is not an address is the single subject `unknown`, limited like any other (never a fresh bucket per
 * string, never unlimited).
 */
import ipaddr from 'ipaddr.js';

export const UNKNOWN_CLIENT = 'unknown';

export function rateLimitSubject(raw: string): string {
  const address = stripPort(raw.trim());
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return ipaddr.IPv4.parse(address).toString();
  if (!ipaddr.IPv6.isValid(address)) return UNKNOWN_CLIENT;
  const v6 = ipaddr.IPv6.parse(address);
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  const prefix = v6.parts.slice(0, 4).concat([0, 0, 0, 0]);
  return `${new ipaddr.IPv6(prefix).toString()}/64`;
}

function stripPort(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed?.[1]) return bracketed[1];
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(address);
  return v4WithPort?.[1] ?? address;
}
