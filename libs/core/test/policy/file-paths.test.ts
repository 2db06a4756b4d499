import { describe, expect, it } from 'vitest';
import { appWith, expectNone, only, withDefs } from './helpers.ts';

const at = (path: string) => appWith({ files: () => [{ path, mode: '0644', format: 'text', content: 'x\n' }] });

describe('file-paths', () => {
  it('passes an absolute, normalized path', () => {
    expectNone(withDefs(at('/etc/app/app.conf')), 'RelativeFilePath', 'FilePathNotNormalized');
  });
  it('RelativeFilePath', () => {
    for (const path of ['app.conf', './app.conf', 'etc/app/app.conf']) {
      expect(only(withDefs(at(path)), 'RelativeFilePath'), path).toEqual([expect.objectContaining({ source: 'packages/app', path: `files[${path}].path`, received: path })]);
    }
  });
  it('FilePathNotNormalized', () => {
    for (const path of ['/etc/app/../shadow', '/etc//app.conf', '/etc/./app.conf', '/etc/app/']) {
      expect(only(withDefs(at(path)), 'FilePathNotNormalized'), path).toHaveLength(1);
    }
  });
});
