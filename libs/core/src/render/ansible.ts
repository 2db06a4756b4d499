/**
 * The Ansible inventory and playbook that bring a service's rendered files to their hosts:
 * directories, files with their modes (templated only where they reference secrets), Compose
 * stacks brought up, and restarts only for what changed (handlers). Traefik's dynamic files
 * trigger nothing: Traefik hot-reloads them.
 */
import { posix } from 'node:path';
import type { ConfigFile } from '../model/service.ts';

export interface HostFiles {
  /** Inventory name of the host (the service whose guest it is). */
  readonly host: string;
  readonly address: string;
  /** Files for this host, with their path inside dist/<service>/. */
  readonly files: readonly { readonly file: ConfigFile; readonly distPath: string }[];
}

export interface PlaybookInput {
  readonly service: string;
  readonly hosts: readonly HostFiles[];
  /** Compose stacks (directories holding compose.yml) to bring up on the service's own host. */
  readonly stacks: readonly { readonly host: string; readonly dir: string }[];
  /** Host packages to install (apt), per host. */
  readonly packages: Readonly<Record<string, readonly string[]>>;
}

export function inventory(input: PlaybookInput): Record<string, unknown> {
  const hosts = Object.fromEntries([...input.hosts].sort((a, b) => a.host.localeCompare(b.host)).map((h) => [h.host, {
    ansible_host: h.address,
    ansible_user: 'root',
    ansible_python_interpreter: '/usr/bin/python3',
  }]));
  return { all: { hosts } };
}

function handlerName(stackDir: string): string {
  return `Recreate stack ${stackDir}`;
}

export function playbook(input: PlaybookInput): unknown[] {
  return input.hosts.map((h) => {
    const stacksHere = input.stacks.filter((s) => s.host === h.host).map((s) => s.dir).sort();
    const dirs = [...new Set(h.files.map((f) => posix.dirname(f.file.path)))].sort();
    const pkgs = input.packages[h.host] ?? [];
    const tasks: unknown[] = [];
    if (pkgs.length) {
      tasks.push({
        name: 'Install host packages',
        'ansible.builtin.apt': { name: [...pkgs].sort(), state: 'present', update_cache: true, cache_valid_time: 3600 },
        tags: ['packages'],
      });
    }
    tasks.push({
      name: 'Create configuration directories',
      'ansible.builtin.file': { path: '{{ item }}', state: 'directory', owner: 'root', group: 'root', mode: '0755' },
      loop: dirs,
      tags: ['files'],
    });
    for (const { file, distPath } of [...h.files].sort((a, b) => a.file.path.localeCompare(b.file.path))) {
      // Only files that read secrets go through Jinja; others are copied byte for byte.
      const templated = file.secret === true || /lookup\(\s*'(ansible\.builtin\.)?env'/.test(file.content);
      const owner = file.owner ?? 'root';
      const notify = [
        ...(file.restarts ?? []).map((dir) => handlerName(dir)),
        ...stacksHere.filter((dir) => file.path.startsWith(`${dir}/`)).map((dir) => handlerName(dir)),
      ];
      tasks.push({
        name: `Install ${file.path}`,
        [templated ? 'ansible.builtin.template' : 'ansible.builtin.copy']: {
          src: `{{ playbook_dir }}/../${distPath}`,
          dest: file.path,
          owner,
          group: owner,
          mode: file.mode,
          ...(file.createOnly ? { force: false } : {}),
        },
        ...(templated ? { no_log: true } : {}),
        ...(notify.length ? { notify: [...new Set(notify)].sort() } : {}),
        tags: ['files'],
      });
    }
    for (const dir of stacksHere) {
      tasks.push({
        name: `Bring up the stack in ${dir}`,
        'ansible.builtin.command': { cmd: 'docker compose up --detach --remove-orphans', chdir: dir },
        register: 'compose_up',
        changed_when: "'Started' in compose_up.stderr or 'Recreated' in compose_up.stderr or 'Created' in compose_up.stderr",
        tags: ['stack'],
      });
    }
    const handlers = [...new Set([...stacksHere, ...h.files.flatMap((f) => f.file.restarts ?? [])])].sort().map((dir) => ({
      name: handlerName(dir),
      'ansible.builtin.command': { cmd: 'docker compose up --detach --force-recreate --remove-orphans', chdir: dir },
      changed_when: true,
      tags: ['stack'],
    }));
    return {
      name: `Configure ${input.service} on ${h.host}`,
      hosts: h.host,
      gather_facts: false,
      tasks,
      ...(handlers.length ? { handlers } : {}),
    };
  });
}
