/**
 * The viewer's access token: read from the page's query string, sent as a Bearer header on writes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setToken, tokenFromSearch, writeHeaders } from '../src/api.ts';

afterEach(() => setToken(null));

describe('access token', () => {
  it('comes from ?token= in the page URL', () => {
    expect(tokenFromSearch('?token=abc-123_x')).toBe('abc-123_x');
    expect(tokenFromSearch('?replay=t.jsonl&token=abc')).toBe('abc');
    expect(tokenFromSearch('?token=')).toBeNull();
    expect(tokenFromSearch('')).toBeNull();
  });

  it('is sent as Authorization: Bearer on writes, and nothing when there is none', () => {
    expect(writeHeaders()).toEqual({ 'content-type': 'application/json' });
    setToken('abc');
    expect(writeHeaders()).toEqual({ 'content-type': 'application/json', authorization: 'Bearer abc' });
  });
});
