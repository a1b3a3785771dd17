import { describe, expect, it } from '@jest/globals';
import { isLocalScrape } from './metrics-access.js';

describe('isLocalScrape', () => {
  it('takes loopback peers as local, in IPv4, IPv6 and IPv4-mapped form', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(isLocalScrape(a, {})).toBe(true);
  });

  it('refuses other peers, an unknown peer, and anything a proxy forwarded', () => {
    for (const a of ['10.0.0.5', '192.168.1.20', '::ffff:10.0.0.5', 'fe80::1', '1127.0.0.1', undefined]) expect(isLocalScrape(a, {})).toBe(false);
    expect(isLocalScrape('127.0.0.1', { 'x-forwarded-for': '203.0.113.7' })).toBe(false);
    expect(isLocalScrape('127.0.0.1', { forwarded: 'for=203.0.113.7' })).toBe(false);
  });
});
