import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRELUDE_FILE, renderScript, renderScriptText, ScriptRenderError } from '../../src/index.ts';

/** Runs a rendered script with real bash (or sh) and returns what it printed and its exit. */
function run(script: string, shell = 'bash'): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(shell, ['-c', script], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const HOSTILE = ['a b', `it's`, '"double"', '$HOME', '$(touch /tmp/pwned)', '`id`', 'line1\nline2', '*', '', '\\', `'; exit 7; '`, '-e'];

describe('renderScript: values', () => {
  it('gives bash back every hostile value exactly, as one word or as the items of a list', () => {
    const source = '#!/usr/bin/env bash\nreadonly one=@one@\nreadonly many=(@many@)\nprintf \'%s\\0\' "${one}" "${many[@]}"\n';
    for (const value of HOSTILE) {
      const out = run(renderScriptText(source, 'x.sh', { header: [], values: { one: value, many: HOSTILE } }));
      expect(out.status, value).toBe(0);
      expect(out.stdout.split('\0').slice(0, -1)).toEqual([value, ...HOSTILE]);
    }
  });

  it('passes a value as command arguments in word position, and numbers bare', () => {
    const script = renderScriptText('#!/bin/sh\nset -eu\nprintf \'[%s]\' @words@ @n@\n', 'x.sh', { header: [], values: { words: ['a b', '$x'], n: 3 } });
    expect(script).toContain("printf '[%s]' 'a b' '$x' 3\n");
    expect(run(script, 'sh').stdout).toBe('[a b][$x][3]');
  });

  it('writes a rows line once per row, each row quoted as words, and drops it for no row', () => {
    const source = '#!/bin/sh\nset -eu\nf() { printf \'<%s|%s>\' "$1" "$2"; }\nf @rows@\necho end\n';
    const rows = [['a b', `it's`], ['$x', 'line1\nline2']];
    const script = renderScriptText(source, 'x.sh', { header: [], values: { rows: { rows } } });
    expect(script.split('\n').filter((l) => l.startsWith('f '))).toHaveLength(2);
    expect(run(script, 'sh').stdout).toBe(`<a b|it's><$x|line1\nline2>end\n`);
    expect(renderScriptText(source, 'x.sh', { header: [], values: { rows: { rows: [] } } })).toBe('#!/bin/sh\nset -eu\nf() { printf \'<%s|%s>\' "$1" "$2"; }\necho end\n');
    expect(() => renderScriptText('#!/bin/sh\nf @rows@ @x@\n', 'r.sh', { header: [], values: { rows: { rows }, x: 1 } }))
      .toThrow('r.sh:2: @rows@ holds rows (a line per row), so it must be the only placeholder on its line');
  });

  it('reports every fault of a file at once, naming the file and line: missing, unused, inside a word or quotes, no shebang', () => {
    const source = 'echo hi\nx=@given@\ny="@quoted@"\nz=pre@fix@\nw=@missing@\n';
    let error: unknown;
    try {
      renderScriptText(source, 'packages/x/scripts/bad.sh', { header: [], values: { given: 1, quoted: 'q', fix: 'f', extra: 'e' } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScriptRenderError);
    expect((error as Error).message.split('\n')).toEqual([
      'cannot render packages/x/scripts/bad.sh:',
      '  - packages/x/scripts/bad.sh:3: the placeholder @quoted@ is part of a word or a quoted string; write it as a whole word (`x=@quoted@`, `(@quoted@)`, `cmd @quoted@`) so its value is quoted as shell words',
      '  - packages/x/scripts/bad.sh:4: the placeholder @fix@ is part of a word or a quoted string; write it as a whole word (`x=@fix@`, `(@fix@)`, `cmd @fix@`) so its value is quoted as shell words',
      '  - packages/x/scripts/bad.sh:5: the placeholder @missing@ has no value; pass values.missing to renderScript',
      '  - packages/x/scripts/bad.sh: the value extra is given but the script has no placeholder @extra@; remove it from values or use it in the script',
      '  - packages/x/scripts/bad.sh: the value fix is given but the script has no placeholder @fix@; remove it from values or use it in the script',
      '  - packages/x/scripts/bad.sh: the value quoted is given but the script has no placeholder @quoted@; remove it from values or use it in the script',
      '  - packages/x/scripts/bad.sh:1: the script starts with "echo hi", not a shebang of #!/usr/bin/env bash, #!/bin/bash, #!/bin/sh',
    ]);
  });

  it('leaves bash\'s own @ alone: "${a[@]}", "$@", @<(...)', () => {
    const source = '#!/usr/bin/env bash\nf() { printf \'%s,\' "$@"; }\na=(1 2)\nf "${a[@]}"\n';
    expect(run(renderScriptText(source, 'x.sh', { header: [] })).stdout).toBe('1,2,');
  });
});

describe('renderScript: layout and the shared prelude', () => {
  const source = '#!/usr/bin/env bash\n#\n# What this script does.\n\nreadonly v=@v@\necho "${v}"\n';
  const script = renderScriptText(source, 'x.sh', { header: ['Generated header.', 'Second line.'], values: { v: 'ok' } });
  const lines = script.split('\n');
  const prelude = readFileSync(PRELUDE_FILE, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));

  it('is the shebang, the header as comments, the file\'s leading comment, the prelude, then the rest', () => {
    expect(lines.slice(0, 5)).toEqual(['#!/usr/bin/env bash', '# Generated header.', '# Second line.', '#', '# What this script does.']);
    expect(lines.slice(5, 5 + prelude.length)).toEqual(prelude);
    expect(lines.slice(5 + prelude.length)).toEqual(['', 'readonly v=ok', 'echo "${v}"', '']);
  });

  it('gives a bash script strict mode, changed and die', () => {
    const body = (cmds: string) => renderScriptText(`#!/usr/bin/env bash\n${cmds}\n`, 'x.sh', { header: [] });
    expect(run(body('changed pool rbd created')).stdout).toBe('homelab: changed: pool rbd created\n');
    expect(run(body('die "no disk"; echo after'))).toEqual({ status: 1, stdout: '', stderr: 'error: no disk\n' });
    expect(run(body('false; echo after')).stdout).toBe('');
    expect(run(body('false | true; echo after')).stdout).toBe('');
    expect(run(body('echo "${unset_variable}"; echo after')).status).not.toBe(0);
  });

  it('gives a POSIX sh script no prelude (pipefail is bash): it keeps its own set line', () => {
    const sh = renderScriptText('#!/bin/sh\nset -eu\ncommand -v changed || echo none\n', 'x.sh', { header: ['h'] });
    expect(sh).toBe('#!/bin/sh\n# h\nset -eu\ncommand -v changed || echo none\n');
    expect(run(sh, 'sh').stdout).toBe('none\n');
  });
});

describe('renderScript: script files', () => {
  it('loads the file a module-relative URL names (not one relative to the working directory)', () => {
    const script = renderScript(new URL('./fixtures/hello.sh', import.meta.url), { header: ['h'], values: { greeting: 'hello world' } });
    expect(script.split('\n').slice(0, 3)).toEqual(['#!/usr/bin/env bash', '# h', '#']);
    expect(run(script).stdout).toBe('homelab: changed: hello world\n');
  });

  it('names a missing script file and where scripts belong', () => {
    expect(() => renderScript(new URL('./fixtures/absent.sh', import.meta.url), { header: [] }))
      .toThrow(/^cannot read the script .*libs\/core\/test\/shell\/fixtures\/absent\.sh: ENOENT.*Scripts live beside their package \(scripts\/<name>\.sh\) and must ship with it\.$/s);
  });
});
