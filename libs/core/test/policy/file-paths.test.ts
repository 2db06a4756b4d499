import { describe, expect, it } from 'vitest';
import { isSafeTargetPath, targetPathFaults } from '../../src/index.ts';
import { appWith, expectNone, only, withDefs } from './helpers.ts';

const at = (path: string) => appWith({ files: () => [{ path, mode: '0644', format: 'text', content: 'x\n' }] });
const PATH_CODES = ['RelativeFilePath', 'FilePathNotNormalized', 'FilePathTooLong', 'FilePathComponentTooLong', 'FilePathTemplate', 'FilePathUnsafeCharacter'];
const codesOf = (path: string) => only(withDefs(at(path)), ...PATH_CODES).map((p) => p.code).sort();

describe('file-paths', () => {
  it('passes absolute, normalized paths of the safe set, as the packages use them', () => {
    for (const path of [
      '/etc/app/app.conf', '/etc/systemd/system/mnt-pve-truenas\\x2dmedia.automount', '/etc/systemd/system/getty@tty1.service.d/override.conf',
      '/opt/stacks/app/compose.yml', '/home/pi/printer_data/config/moonraker.conf', '/etc/app/a+b=c,d:e~f%g.conf', `/${'a'.repeat(255)}`,
    ]) {
      expectNone(withDefs(at(path)), ...PATH_CODES);
      expect(isSafeTargetPath(path), path).toBe(true);
    }
  });
  it('RelativeFilePath', () => {
    for (const path of ['app.conf', './app.conf', 'etc/app/app.conf']) {
      expect(only(withDefs(at(path)), 'RelativeFilePath'), path).toEqual([expect.objectContaining({ source: 'packages/app', path: `files[${path}].path`, received: path })]);
    }
  });
  it('FilePathNotNormalized', () => {
    for (const path of ['/etc/app/../shadow', '/etc//app.conf', '/etc/./app.conf', '/etc/app/', '/a/./b']) {
      expect(only(withDefs(at(path)), 'FilePathNotNormalized'), path).toHaveLength(1);
    }
  });
  it('../../x is relative and climbs: both, at the file', () => {
    expect(codesOf('../../x')).toEqual(['FilePathNotNormalized', 'RelativeFilePath']);
  });
  it('FilePathTemplate: a Jinja lookup in the path, reported as a template (not as its characters)', () => {
    for (const path of ["/etc/app/{{ lookup('pipe', 'id') }}", '/etc/{% if x %}a{% endif %}', '/etc/{#x#}']) {
      expect(codesOf(path), path).toEqual(['FilePathTemplate']);
    }
    const [p] = only(withDefs(at("/etc/app/{{ lookup('pipe', 'id') }}")), 'FilePathTemplate');
    expect(p).toEqual(expect.objectContaining({ source: 'packages/app', path: "files[/etc/app/{{ lookup('pipe', 'id') }}].path", received: "/etc/app/{{ lookup('pipe', 'id') }}" }));
    expect(p!.fix).toMatch(/literal path/);
  });
  it('FilePathUnsafeCharacter: shell metacharacters, quotes, whitespace, control characters, a stray backslash', () => {
    for (const [path, ch] of [['/opt/stacks/app;id/compose.yml', ';'], ['/etc/app/a b', ' '], ['/etc/app/$(id)', '$'], ['/etc/app/`id`', '`'], ['/etc/app/a\nb', '\n'],
      ['/etc/app/a|b', '|'], ["/etc/app/'x'", "'"], ['/etc/app/a\\b', '\\'], ['/etc/app/a\\x2Gb', '\\'], ['/etc/app/é', 'é'], ['/etc/app/a&b', '&'], ['/etc/app/*', '*']] as const) {
      const found = only(withDefs(at(path)), 'FilePathUnsafeCharacter');
      expect(found, JSON.stringify(path)).toHaveLength(1);
      expect(found[0]!.message, JSON.stringify(path)).toContain(JSON.stringify(ch));
    }
  });
  it('FilePathTooLong and FilePathComponentTooLong: a 5000-character path is refused before anything is written, shown cut', () => {
    const path = `/etc/app/${'a'.repeat(4991)}`;
    expect(codesOf(path)).toEqual(['FilePathComponentTooLong', 'FilePathTooLong']);
    const [p] = only(withDefs(at(path)), 'FilePathTooLong');
    expect(p!.message).toContain('5000 bytes');
    expect(String(p!.received)).toContain('(5000 characters)');
    expect(String(p!.received).length).toBeLessThan(200);
    expect(codesOf(`/etc/${'b/'.repeat(2100)}c`)).toEqual(['FilePathTooLong']);
    expect(codesOf(`/etc/${'d'.repeat(256)}`)).toEqual(['FilePathComponentTooLong']);
  });
  it('measures bytes, not characters', () => {
    expect(targetPathFaults(`/${'é'.repeat(128)}`).map((f) => f.kind)).toContain('component-too-long');
  });
});
