import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseShellcheckLine, shellcheckFiles, ShellcheckRunError } from '../../src/shell/shellcheck-files.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;

describe.skipIf(!shellcheck && !process.env.CI)(`shellcheckFiles (real shellcheck)${shellcheck ? '' : ': skipped, shellcheck is not installed'}`, () => {
  it('passes a clean script file and reports a failing one by file, line, column and SC code', () => {
    expect(shellcheckFiles([fixture('hello.sh')])).toEqual([]);
    expect(shellcheckFiles([fixture('hello.sh'), fixture('unquoted-rm.sh')])).toEqual([
      { file: fixture('unquoted-rm.sh'), line: 3, column: 8, level: 'warning', code: 'SC2115', message: 'Use "${var:?}" to ensure this never expands to /* .' },
    ]);
  });

  it('says when shellcheck itself could not check (a missing file is no finding)', () => {
    expect(() => shellcheckFiles([fixture('absent.sh')])).toThrow(ShellcheckRunError);
  });
});

describe('shellcheckFiles without shellcheck', () => {
  it('names the tool to install', () => {
    expect(() => shellcheckFiles(['x.sh'], { shellcheck: '/nonexistent/shellcheck' })).toThrow(/^cannot run \/nonexistent\/shellcheck: .*Install it \(Debian package shellcheck\)\.$/);
  });

  it('parses gcc-format lines and ignores the rest', () => {
    expect(parseShellcheckLine("a b.sh:2:1: warning: Use 'cd ... || exit' or 'cd ... || return' in case cd fails. [SC2164]"))
      .toEqual({ file: 'a b.sh', line: 2, column: 1, level: 'warning', code: 'SC2164', message: "Use 'cd ... || exit' or 'cd ... || return' in case cd fails." });
    expect(parseShellcheckLine('In a.sh line 2:')).toBeUndefined();
  });
});
