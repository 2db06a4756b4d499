/**
 * Bad command lines through the installed bin: exit 2 (EXIT.usage), one clear message with the
 * fix, the closest valid name where there is one, never a stack trace.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '@homelab/core';
import { REPO_ROOT, STACK_FRAME, homelab, type HomelabRun } from './run-homelab.ts';

/** One service per package folder (the service is named by its folder). */
const SERVICES = readdirSync(join(REPO_ROOT, 'packages')).sort();

function expectUsageError(r: HomelabRun): void {
  expect(r.code, r.stderr).toBe(EXIT.usage);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(r.stderr).not.toContain('internal error');
}

// Each test starts a real process; on a loaded machine that takes long.
describe('homelab: bad input exits 2 with the fix', { timeout: 120_000 }, () => {
  it.each([
    ['an unknown command', ['plna'], "unknown command 'plna'", '(Did you mean plan?)', 'homelab'],
    ['an unknown flag', ['plan', '--servce', 'arr'], "unknown option '--servce'", '(Did you mean --service?)', 'homelab plan'],
    ['an unknown patch layer', ['patch', 'proxmx', '--dry-run'], "unknown command 'proxmx'", '(Did you mean proxmox?)', 'homelab patch'],
  ])('%s: did you mean the closest one, and the command whose help to read', async (_what, args, message, suggestion, command) => {
    const r = await homelab(args);
    expectUsageError(r);
    expect(r.stderr).toContain(`homelab: ${message}`);
    expect(r.stderr).toContain(suggestion);
    expect(r.stderr).toContain(`fix: see the valid form with \`${command} --help\``);
  });

  it('a missing argument: group stop without the group', async () => {
    const r = await homelab(['group', 'stop']);
    expectUsageError(r);
    expect(r.stderr).toContain("homelab: missing required argument 'group'");
    expect(r.stderr).toContain('`homelab group stop --help`');
  });

  it('a missing option value: --service with nothing after it', async () => {
    const r = await homelab(['validate', '--service']);
    expectUsageError(r);
    expect(r.stderr).toContain("option '-s, --service <name>' argument missing");
  });

  it.each([
    [['group', 'stop', 'media', '--parallel', 'many'], "option '--parallel <n>' argument 'many' is invalid. a positive whole number is needed"],
    [['deploy', '--lock-wait', '-5', '--dry-run'], "option '--lock-wait <seconds>' argument '-5' is invalid. a number of seconds is needed"],
    [['status', 'extra'], "too many arguments for 'status'"],
  ])('an invalid value %j', async (args, message) => {
    const r = await homelab(args);
    expectUsageError(r);
    expect(r.stderr).toContain(message);
  });

  it.each([['plan'], ['validate'], ['synth'], ['deploy']])('%s --service nonexistent: the closest service name and every valid one', async (command) => {
    const r = await homelab([command, '--service', 'arx', ...(command === 'deploy' ? ['--dry-run'] : [])]);
    expectUsageError(r);
    expect(r.stderr).toContain('no service is named "arx" (did you mean "arr"?)');
    const valid = r.stderr.match(/^fix: name one of the (\d+) services: (.+)\.$/m);
    expect(valid, r.stderr).not.toBeNull();
    expect(valid![2]!.split(', ')).toEqual(SERVICES);
    expect(Number(valid![1])).toBe(SERVICES.length);
  }, 120_000);

  it('--service with a name like no service: no guess, still the list', async () => {
    const r = await homelab(['plan', '--service', 'nonexistent']);
    expectUsageError(r);
    expect(r.stderr).toContain('homelab: no service is named "nonexistent".');
    expect(r.stderr).not.toContain('did you mean');
    expect(r.stderr).toMatch(/^fix: name one of the \d+ services: alertmind, arr, /m);
  }, 120_000);

  it("--service '': named as an empty name, with the list", async () => {
    const r = await homelab(['plan', '--service', '']);
    expectUsageError(r);
    expect(r.stderr).toContain('homelab: --service was given an empty name.');
    expect(r.stderr).toMatch(/^fix: name one of the \d+ services: /m);
  }, 120_000);
});
