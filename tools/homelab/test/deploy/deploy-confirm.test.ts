/** The terminal question deploy asks after a plan: through a real readline on stream pairs. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isYes, terminalConfirm } from '../../src/commands/deploy-confirm.ts';

function terminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.on('data', (d) => { shown += String(d); });
  return { input, output, shown: () => shown };
}

describe('terminalConfirm', () => {
  it.each([
    ['y\n', true], ['yes\n', true], ['Y\n', true], [' YES \n', true],
    ['n\n', false], ['\n', false], ['yep\n', false], ['no\n', false],
  ])('answer %j -> %s', async (typed, expected) => {
    const t = terminal();
    const ask = terminalConfirm({ input: t.input, output: t.output });
    const answer = ask('Apply these changes to proxy? [y/N]');
    t.input.write(typed);
    expect(await answer).toBe(expected);
    expect(t.shown()).toContain('Apply these changes to proxy? [y/N] ');
  });

  it('an interrupt while asking answers no', async () => {
    const t = terminal();
    const stop = new AbortController();
    const answer = terminalConfirm({ input: t.input, output: t.output, signal: stop.signal })('Apply these changes to idp? [y/N]');
    stop.abort();
    expect(await answer).toBe(false);
    // Already interrupted: not even asked.
    const t2 = terminal();
    expect(await terminalConfirm({ input: t2.input, output: t2.output, signal: stop.signal })('Apply these changes to idp? [y/N]')).toBe(false);
    expect(t2.shown()).toBe('');
  });

  it('Ctrl-C typed at the question is passed on as deploy\'s interrupt, and is a no', async () => {
    const t = terminal();
    let interrupted = 0;
    const answer = terminalConfirm({ input: t.input, output: t.output, onInterrupt: () => { interrupted += 1; } })('Apply these changes to app? [y/N]');
    t.input.write('\u0003');
    expect(await answer).toBe(false);
    expect(interrupted).toBe(1);
  });

  it('isYes: y or yes only', () => {
    expect(['y', 'yes', 'YES'].map(isYes)).toEqual([true, true, true]);
    expect(['', 'n', 'ja', 'y es'].map(isYes)).toEqual([false, false, false, false]);
  });
});
