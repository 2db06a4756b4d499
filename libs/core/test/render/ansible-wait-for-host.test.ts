/**
 * Every play on a server starts by waiting until the host answers: the apply that created a
 * guest returns when Proxmox started it, before its SSH does, so the first deploy of a new guest
 * would otherwise fail unreachable. The deploy machine's own play (local connection) does not wait.
 */
import { describe, expect, it } from 'vitest';
import { DEPLOY_MACHINE, WAIT_FOR_HOST_SECONDS, playbook, type HostFiles } from '../../src/render/ansible.ts';

type Play = { hosts: string; tasks: Record<string, unknown>[] };

const host = (name: string): HostFiles => ({
  host: name, address: '10.0.0.1',
  files: [{ file: { path: '/etc/x.conf', content: 'x\n', mode: '0644', format: 'text' }, distPath: `files/${name}/etc/x.conf` }],
});

describe('playbook: waiting for the host', () => {
  const plays = playbook({ service: 'svc', stacks: [], packages: { guest: ['curl'] }, hosts: [host('guest'), host(DEPLOY_MACHINE)] }) as Play[];

  it('a server\'s play waits first, before packages and files, whatever --tags select', () => {
    const guest = plays.find((p) => p.hosts === 'guest')!;
    expect(guest.tasks[0]).toEqual({ name: 'Wait until the host answers', 'ansible.builtin.wait_for_connection': { timeout: WAIT_FOR_HOST_SECONDS }, tags: ['always'] });
    expect(Object.keys(guest.tasks[1]!)).toContain('ansible.builtin.apt');
  });

  it('the deploy machine\'s play does not wait for itself', () => {
    const local = plays.find((p) => p.hosts === DEPLOY_MACHINE)!;
    expect(local.tasks.some((t) => 'ansible.builtin.wait_for_connection' in t)).toBe(false);
  });
});
