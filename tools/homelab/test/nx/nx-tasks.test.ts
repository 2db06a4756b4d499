/**
 * The homelab executor's options: the verb and the service, nothing else (flags Nx hands every
 * task, `--dry-run` meant for deploy, are not read), and a target that names neither is refused
 * with the field, the value and where to fix it. What the tasks do is run through Nx for real in
 * nx-batch.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { homelabTaskOf } from '../../src/commands/nx-tasks.ts';

describe('homelab executor options', () => {
  it('reads verb and service; the flags Nx merges in are ignored', () => {
    expect(homelabTaskOf('@homelab/arr:synth', { verb: 'synth', service: 'arr', dryRun: true, yes: true })).toEqual({ id: '@homelab/arr:synth', verb: 'synth', service: 'arr' });
    expect(homelabTaskOf('@homelab/arr:validate', { verb: 'validate', service: 'arr' }).verb).toBe('validate');
  });

  it.each([
    [{ verb: 'deploy', service: 'arr' }, /^@homelab\/arr:x: options\.verb is "deploy"; the homelab executor runs synth or validate\. Fix the target .*targets\.ts/],
    [{ service: 'arr' }, /^@homelab\/arr:x: options\.verb is undefined;/],
    [{ verb: 'synth', service: '' }, /^@homelab\/arr:x: options\.service is ""; it names the service .*Fix the target/],
    [{ verb: 'synth' }, /^@homelab\/arr:x: options\.service is undefined;/],
  ])('refuses %j', (options, message) => {
    expect(() => homelabTaskOf('@homelab/arr:x', options)).toThrow(message);
  });
});
