import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellCommand, shellQuote } from '../../src/index.ts';

/** What a real POSIX shell splits the quoted line back into, one word per line. */
function splitByShell(line: string): string[] {
  const out = execFileSync('/bin/sh', ['-c', `for w in ${line}; do printf '%s\\0' "$w"; done`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('shellQuote', () => {
  it('leaves safe words bare and quotes the rest', () => {
    expect(shellQuote('-input=false')).toBe('-input=false');
    expect(shellQuote('a b')).toBe(`'a b'`);
    expect(shellQuote('')).toBe(`''`);
  });

  it('gives a real shell back exactly the words, metacharacters inert', () => {
    const words = ['docker', 'compose', '-f', '/opt/x; touch /tmp/pwned', `it's`, '$(id)', '`id`', 'a\nb', '*', '""', '\\'];
    const line = shellCommand(words).replace(/^/, 'set -f; ');
    const out = execFileSync('/bin/sh', ['-c', `${line.replace('set -f; ', 'set -f; set -- ')}; for w in "$@"; do printf '%s\\0' "$w"; done`], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(words);
    expect(splitByShell(shellQuote('a b'))).toEqual(['a b']);
  });
});
