/**
 * A unit's User= and its sandbox (ReadWritePaths=) are set up before any of its ExecStartPre
 * commands run, so a unit that creates its user and data directory in ExecStartPre
 * (`+systemd-sysusers`, `+systemd-tmpfiles --create`) never starts on a fresh host: seen on a
 * real Debian container in the lab as status=217/USER, then 226/NAMESPACE. The playbook applies
 * every sysusers.d and tmpfiles.d file after installing it and before any unit starts.
 */
import { describe, expect, it } from 'vitest';
import { playbook, type HostFiles } from '../../src/render/ansible.ts';

type Task = Record<string, unknown> & { name: string };
type Play = { hosts: string; tasks: Task[] };

const files = (...paths: string[]): HostFiles['files'] => paths.map((path) => ({
  file: path.endsWith('.service')
    ? { path, content: '[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n', mode: '0644', format: 'systemd' as const }
    : { path, content: 'x\n', mode: '0644', format: 'text' as const },
  distPath: `files/guest${path}`,
}));

function tasksOf(paths: string[]): Task[] {
  const plays = playbook({ service: 'svc', stacks: [], packages: {}, hosts: [{ host: 'guest', address: '10.0.0.1', files: files(...paths) }] }) as Play[];
  return plays.find((p) => p.hosts === 'guest')!.tasks;
}

describe('playbook: sysusers.d files', () => {
  it('creates the users after the file is installed and before any unit starts, reporting a change only when it creates one', () => {
    const tasks = tasksOf(['/etc/sysusers.d/app.conf', '/etc/systemd/system/app.service']);
    const names = tasks.map((t) => t.name);
    const create = names.indexOf('Create the users of /etc/sysusers.d/app.conf');
    expect(create).toBeGreaterThan(names.indexOf('Install /etc/sysusers.d/app.conf'));
    expect(create).toBeLessThan(names.indexOf('Enable and start app.service'));
    expect(create).toBeLessThan(names.indexOf('Reload systemd units'));
    expect(tasks[create]).toMatchObject({
      'ansible.builtin.command': { argv: ['systemd-sysusers', '/etc/sysusers.d/app.conf'] },
      register: 'homelab_sysusers',
      tags: ['files'],
    });
    expect(String(tasks[create]!.changed_when)).toBe("'Creating ' in homelab_sysusers.stderr");
  });

  it('a file that is not a sysusers.d configuration gets no such task', () => {
    const names = tasksOf(['/etc/sysusers.d/notes.txt', '/etc/app/sysusers.d/app.conf', '/etc/systemd/system/app.service']).map((t) => t.name);
    expect(names.filter((n) => n.startsWith('Create the users of'))).toEqual([]);
  });

  it('creates the paths of a tmpfiles.d file before any unit starts (a sandbox\'s ReadWritePaths= must exist when the namespace is set up)', () => {
    const tasks = tasksOf(['/etc/tmpfiles.d/app.conf', '/etc/systemd/system/app.service']);
    const names = tasks.map((t) => t.name);
    const create = names.indexOf('Create the paths of /etc/tmpfiles.d/app.conf');
    expect(create).toBeGreaterThan(names.indexOf('Install /etc/tmpfiles.d/app.conf'));
    expect(create).toBeLessThan(names.indexOf('Enable and start app.service'));
    expect(tasks[create]).toMatchObject({ 'ansible.builtin.command': { argv: ['systemd-tmpfiles', '--create', '/etc/tmpfiles.d/app.conf'] }, changed_when: false });
    expect(tasksOf(['/etc/tmpfiles.d/readme.md']).some((t) => t.name.startsWith('Create the paths of'))).toBe(false);
  });
});
