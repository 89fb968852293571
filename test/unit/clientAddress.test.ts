import { HttpRequest } from '@azure/functions';

import { rateLimitSubject } from '../../shared/domain/clientAddress';
import { clientIp } from '../../shared/http';

const withXff = (xff?: string) =>
  new HttpRequest({
    method: 'POST',
    url: 'http://localhost/api/signups',
    headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
  });

describe('rate-limit subject of a client address (req 16, 18)', () => {
  it('treats every spelling of one IPv6 address as one subject', () => {
    expect(rateLimitSubject('2001:db8::1')).toBe(rateLimitSubject('2001:DB8:0:0::1'));
    expect(rateLimitSubject('[2001:db8::1]:443')).toBe(rateLimitSubject('2001:0db8:0000::0001'));
  });

  it('groups IPv6 clients by /64 and keeps different /64s apart', () => {
    expect(rateLimitSubject('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(rateLimitSubject('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(rateLimitSubject('2001:db8:1:3::1')).not.toBe(rateLimitSubject('2001:db8:1:2::1'));
  });

  it('treats IPv4-mapped IPv6 as the IPv4 client', () => {
    expect(rateLimitSubject('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(rateLimitSubject('[::ffff:1.2.3.4]:8080')).toBe('1.2.3.4');
    expect(rateLimitSubject('1.2.3.4:51000')).toBe('1.2.3.4');
  });

  it('makes anything that is not an address the one subject "unknown"', () => {
    for (const junk of ['', 'not-an-ip', '1.2.3', '0x7f.1', '999.1.1.1', 'fe80::1::2', 'x'.repeat(300)]) {
      expect(rateLimitSubject(junk)).toBe('unknown');
    }
  });

  it('reads the hop the trusted proxy appended; a missing header is "unknown", not a bucket per request', () => {
    expect(clientIp(withXff('6.6.6.6, 2001:DB8::7'), 1)).toBe('2001:db8::/64');
    expect(clientIp(withXff('::ffff:10.0.0.1'), 1)).toBe('10.0.0.1');
    expect(clientIp(withXff(), 1)).toBe('unknown');
    expect(clientIp(withXff('forged'), 1)).toBe('unknown');
    expect(clientIp(withXff('1.1.1.1'), 0)).toBe('direct');
  });
});
