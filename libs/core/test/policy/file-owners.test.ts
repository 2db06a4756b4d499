import { describe, expect, it } from 'vitest';
import { appWith, expectNone, only, withDefs } from './helpers.ts';

const owned = (owner: string) => withDefs(appWith({ files: () => [{ path: '/etc/app/app.conf', mode: '0644', format: 'text', content: 'x\n', owner }] }));

describe('file-owners', () => {
  it('passes user names and numeric ids, as the packages use them', () => {
    for (const owner of ['root', 'www-data', 'pi', '_apt', '1000', '65534', '0']) expectNone(owned(owner), 'InvalidFileOwner');
  });
  it('InvalidFileOwner', () => {
    for (const owner of ['-oProxyCommand=id', 'root;id', 'a b', '../root', 'Root', 'root:root', '{{ x }}', '', '4294967295', '01000']) {
      const found = only(owned(owner), 'InvalidFileOwner');
      expect(found, JSON.stringify(owner)).toEqual([expect.objectContaining({ source: 'packages/app', path: 'files[/etc/app/app.conf].owner', received: owner })]);
    }
  });
});
