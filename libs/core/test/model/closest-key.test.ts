import { describe, expect, it } from 'vitest';
import { closestKey } from '../../src/model/closest-key.ts';

const ROUTE_KEYS = ['host', 'port', 'scheme', 'auth', 'admin', 'public', 'backend', 'middlewares', 'probePath', 'name', 'selfSignedBackend'];

describe('closestKey', () => {
  it.each([
    ['auht', 'auth'], ['prot', 'port'], ['Auth', 'auth'], ['probepath', 'probePath'], ['middleware', 'middlewares'], ['shceme', 'scheme'],
  ])('suggests %s → %s', (typo, expected) => {
    expect(closestKey(typo, ROUTE_KEYS)).toBe(expected);
  });

  it('suggests a key the typo is a prefix of, however long the rest', () => {
    expect(closestKey('memory', ['cores', 'memoryMiB', 'disks'])).toBe('memoryMiB');
  });

  it.each([['nonsenseField'], ['xy'], ['zzzz']])('suggests nothing for %s, which is close to no key', (typo) => {
    expect(closestKey(typo, ROUTE_KEYS)).toBeUndefined();
  });

  it('does not guess from a prefix of two letters', () => {
    expect(closestKey('po', ['public', 'probePath'])).toBeUndefined();
  });

  it('picks the same key whatever the order of the candidates', () => {
    expect(closestKey('nam', ['name', 'same'])).toBe(closestKey('nam', ['same', 'name']));
  });
});
