import { describe, expect, it } from 'vitest';
import type { ToolProgress } from '@homelab/core';
import { validationProgress, type ProgressStream } from '../src/commands/validate-progress.ts';

function stream(isTTY: boolean, columns = 200): ProgressStream & { out: string } {
  const s = { isTTY, columns, out: '', write(text: string) { s.out += text; return true; } };
  return s;
}

const EVENTS: ToolProgress[] = [
  { done: 0, total: 5, running: [] },
  { done: 0, total: 5, running: ['ansible-lint'] },
  { done: 0, total: 5, running: ['ansible-lint', 'terraform providers'] },
  { done: 1, total: 5, running: ['ansible-lint'], finished: { check: 'terraform providers', files: 1, processes: 1, ms: 300 } },
  { done: 1, total: 5, running: ['ansible-lint', 'shellcheck -S warning'] },
  { done: 3, total: 5, running: ['ansible-lint'], finished: { check: 'shellcheck -S warning', files: 2, processes: 1, ms: 450 } },
  { done: 5, total: 5, running: [], finished: { check: 'ansible-lint', files: 2, processes: 1, ms: 3200 } },
];

describe('validation progress', () => {
  it('on a terminal: one line rewritten in place (what runs, n/total done), cleared at the end', () => {
    const s = stream(true);
    const p = validationProgress(s);
    for (const e of EVENTS) p.onProgress(e);
    p.done();
    const frames = s.out.split('\r\u001b[K').filter(Boolean);
    expect(frames).toContain('validate: 0/5 file checks done; running: ansible-lint, terraform providers');
    expect(frames.at(-1)).toBe('validate: 5/5 file checks done');
    expect(s.out.endsWith('\r\u001b[K')).toBe(true);
    expect(s.out).not.toContain('\n');
  });

  it('on a terminal: a line never wraps (cut to the width), and the same tool running twice is counted', () => {
    const s = stream(true, 40);
    validationProgress(s).onProgress({ done: 2, total: 9, running: ['terraform providers', 'terraform providers'] });
    const frame = s.out.split('\r\u001b[K').filter(Boolean)[0]!;
    expect(frame.length).toBeLessThanOrEqual(39);
    expect(frame.endsWith('…')).toBe(true);
    const wide = stream(true);
    validationProgress(wide).onProgress({ done: 2, total: 9, running: ['terraform providers', 'terraform providers'] });
    expect(wide.out).toContain('running: terraform providers ×2');
  });

  it('elsewhere (CI): a plain line per finished check, no control characters, nothing per process', () => {
    const s = stream(false);
    const p = validationProgress(s);
    for (const e of EVENTS) p.onProgress(e);
    p.done();
    expect(s.out.split('\n').filter(Boolean)).toEqual([
      'validate: terraform providers: 1 file, 1 process, done at 0.3 s (1/5)',
      'validate: shellcheck -S warning: 2 files, 1 process, done at 0.5 s (3/5)',
      'validate: ansible-lint: 2 files, 1 process, done at 3.2 s (5/5)',
    ]);
  });
});
