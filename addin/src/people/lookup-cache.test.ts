import { describe, expect, it } from '@jest/globals';
import { ApiError, type ApiClient, type LookupResult, type PersonSummary } from '../api/index.js';
import { cachedResolution, resolveAddresses } from './lookup-cache.js';

const summary = (email: string): PersonSummary => ({
  id: `id-${email}`,
  kind: 'person',
  displayName: email.split('@')[0],
  email,
  title: null,
  department: null,
  hasPhoto: false,
  disabled: false,
});

/** An in-memory ApiClient that knows some addresses and records every lookup call. */
function fakeApi(known: Set<string>, failFirst = false) {
  const calls: string[][] = [];
  let fail = failFirst;
  const api = {
    async lookup(emails: readonly string[]): Promise<LookupResult[]> {
      calls.push([...emails]);
      if (fail) {
        fail = false;
        throw new ApiError(0, 'network', 'Cannot reach the server.');
      }
      return emails.map((email) => ({ email, person: known.has(email) ? summary(email) : null }));
    },
  } as unknown as ApiClient;
  return { api, calls };
}

describe('resolveAddresses', () => {
  it('normalises and dedupes addresses, and asks only once per address', async () => {
    const { api, calls } = fakeApi(new Set(['a@x.test']));
    const first = await resolveAddresses(api, ['A@x.test ', 'a@x.test', 'nobody@x.test']);
    expect([...first.keys()]).toEqual(['a@x.test', 'nobody@x.test']);
    expect(first.get('a@x.test')).toMatchObject({ state: 'known', person: { id: 'id-a@x.test' } });
    expect(first.get('nobody@x.test')).toEqual({ state: 'unknown' });
    await resolveAddresses(api, ['a@x.test', 'NOBODY@x.test']);
    expect(calls).toEqual([['a@x.test', 'nobody@x.test']]);
    expect(cachedResolution(api, 'A@X.test')).toMatchObject({ state: 'known' });
  });

  it('splits more than 1000 addresses into several calls (the API limit)', async () => {
    const { api, calls } = fakeApi(new Set());
    const many = Array.from({ length: 2500 }, (_, i) => `p${i}@x.test`);
    const result = await resolveAddresses(api, many);
    expect(result.size).toBe(2500);
    expect(calls.map((c) => c.length)).toEqual([1000, 1000, 500]);
  });

  it('reports a failed lookup as an error and retries it next time instead of caching it', async () => {
    const { api, calls } = fakeApi(new Set(['a@x.test']), true);
    const failed = await resolveAddresses(api, ['a@x.test']);
    expect(failed.get('a@x.test')).toEqual({ state: 'error', message: 'Cannot reach the server.' });
    const retried = await resolveAddresses(api, ['a@x.test']);
    expect(retried.get('a@x.test')).toMatchObject({ state: 'known' });
    expect(calls).toHaveLength(2);
  });
});
