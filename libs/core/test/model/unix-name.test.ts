import { describe, expect, it } from 'vitest';
import { isUnixName } from '../../src/index.ts';

describe('isUnixName', () => {
  it('accepts the names real systems use', () => {
    for (const name of ['root', 'www-data', '_apt', 'homelab', 'u1000']) expect(isUnixName(name), name).toBe(true);
  });
  it('rejects options, paths, shell metacharacters, upper case and over-long names', () => {
    for (const name of ['', '-oProxyCommand=id', 'root;id', 'a b', '../root', 'Root', '1user', 'x'.repeat(33), 'root\n']) expect(isUnixName(name), JSON.stringify(name)).toBe(false);
  });
});
