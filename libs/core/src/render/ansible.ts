/**
 * The Ansible inventory and playbook that bring a service's rendered files to their hosts:
 * directories, files with their modes (templated only where they reference secrets), Compose
 * stacks brought up, and restarts only for what changed (handlers). Traefik's dynamic files
 * trigger nothing: Traefik hot-reloads them.
 *
 * Every model value is data to Ansible (ansible-data.ts): the YAML marks each string `!unsafe`
 * except the expressions built here from constants. A value that is part of a path Ansible must
 * compute (a file's place under dist/) is passed as a task variable, never spliced into Jinja.
 */
import { posix } from 'node:path';
import type { ConfigFile } from '../model/service.ts';
import { ansibleExpression, ansibleYamlData, plainAnsible, type AnsibleExpression } from './ansible-data.ts';
import { envCheckPlay, envLookupNames } from './ansible-env-check.ts';
import { toYaml, type YamlOptions } from './yaml.ts';

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

/**
 * Inventory name of the machine that runs the deploy itself (Ansible's local connection): files
 * meant for the operator, not for a server (WireGuard client configurations).
 */
export const DEPLOY_MACHINE = 'localhost';

// systemd-escaped names (`mnt-pve-nas\x2dmedia.automount`) keep their `\xNN` escapes.
const UNIT_NAME = /^(?:[A-Za-z0-9@._:-]|\\x[0-9a-f]{2})+\.(service|timer|socket|path|mount|automount)$/;

/** `restarts` entries that name a systemd unit (`nginx.service`) rather than a Compose stack directory. */
export function isSystemdUnitName(entry: string): boolean {
  return UNIT_NAME.test(entry);
}

/** A unit file under /etc/systemd/system with an [Install] section: deploy enables and starts it. */
function installableUnit(file: ConfigFile): string | undefined {
  if (file.format !== 'systemd' || posix.dirname(file.path) !== '/etc/systemd/system') return undefined;
  const name = posix.basename(file.path);
  return isSystemdUnitName(name) && /^\[Install\]\s*$/m.test(file.content) ? name : undefined;
}

/** Only files that read secrets go through Jinja; others are copied byte for byte. */
function isTemplated(file: ConfigFile): boolean {
  return file.secret === true || /lookup\(\s*'(ansible\.builtin\.)?env'/.test(file.content);
}

/** Where the playbook finds a file synth wrote: its path under dist/<service>/ is a task variable. */
const DIST_FILE = ansibleExpression('{{ playbook_dir | dirname }}/{{ homelab_dist_path }}');
const LOOP_ITEM = ansibleExpression('{{ item }}');

export function inventory(input: PlaybookInput): Record<string, unknown> {
  return plainAnsible(inventoryTree(input)) as Record<string, unknown>;
}

/** The inventory as YAML, every model value `!unsafe`. */
export function inventoryYaml(input: PlaybookInput, options: YamlOptions = {}): string {
  return toYaml(ansibleYamlData(inventoryTree(input)), options);
}

/** The playbook as YAML (with its `---`), every model value `!unsafe`. */
export function playbookYaml(input: PlaybookInput, options: YamlOptions = {}): string {
  return `---\n${toYaml(ansibleYamlData(playbookTree(input)), options)}`;
}

function inventoryTree(input: PlaybookInput): Record<string, unknown> {
  const hosts = Object.fromEntries([...input.hosts].sort((a, b) => a.host.localeCompare(b.host)).map((h) => [h.host, h.host === DEPLOY_MACHINE
    ? { ansible_connection: 'local', ansible_python_interpreter: ansibleExpression('{{ ansible_playbook_python }}') }
    : {
      ansible_host: h.address,
      ansible_user: 'root',
      ansible_python_interpreter: '/usr/bin/python3',
    }]));
  return { all: { hosts } };
}

function handlerName(stackDir: string): string {
  return `Recreate stack ${stackDir}`;
}

function unitHandlerName(unit: string): string {
  return `Restart ${unit}`;
}

function restartHandler(entry: string): string {
  return isSystemdUnitName(entry) ? unitHandlerName(entry) : handlerName(entry);
}

/**
 * Ansible runs a notified handler whatever `--tags`/`--skip-tags` say (checked with ansible-core
 * 2.14: `--skip-tags stack` still ran "Recreate stack"). This condition makes a handler honour
 * the selection its own tag implies, so `--skip-tags stack` really restarts nothing.
 */
function runOnlyWhenTagSelected<H extends { readonly tags: readonly HandlerTag[] }>(handler: H): H & { when: AnsibleExpression } {
  const tag = handler.tags[0]!;
  return {
    ...handler,
    // `tag` is one of the two constants of HandlerTag, never a model value.
    when: ansibleExpression(`'${tag}' not in ansible_skip_tags and ('all' in ansible_run_tags or 'tagged' in ansible_run_tags or '${tag}' in ansible_run_tags)`),
  };
}

type HandlerTag = 'stack' | 'units';

/** How long a play waits for its host to answer over SSH: a guest's first boot, or a reboot. */
export const WAIT_FOR_HOST_SECONDS = 600;

/**
 * The plays, one per host; first, when any templated file reads an environment variable, the
 * play that stops everything unless all of them are set (ansible-env-check.ts).
 */
export function playbook(input: PlaybookInput): unknown[] {
  return plainAnsible(playbookTree(input)) as unknown[];
}

function playbookTree(input: PlaybookInput): unknown[] {
  const envNames = envLookupNames(input.hosts.flatMap((h) => h.files.filter((f) => isTemplated(f.file)).map((f) => f.file.content)));
  const check = envCheckPlay(input.service, envNames);
  return [...(check ? [check] : []), ...hostPlays(input)];
}

function hostPlays(input: PlaybookInput): unknown[] {
  return input.hosts.map((h) => {
    const stacksHere = input.stacks.filter((s) => s.host === h.host).map((s) => s.dir).sort();
    // On the deploy machine a `run` script and the files in its directory are used where synth
    // wrote them (dist/<service>/files/localhost/...): they are its inputs, not files to install.
    const runDirs = h.host === DEPLOY_MACHINE ? h.files.filter((f) => f.file.run).map((f) => posix.dirname(f.file.path)) : [];
    const inPlace = (path: string) => runDirs.some((d) => path === d || path.startsWith(`${d}/`));
    const installed = h.files.filter((f) => !inPlace(f.file.path));
    // A directory whose files all belong to one non-root user stays that user's (Moonraker writes
    // in its config directory); every other directory is root's.
    const allDirs = [...new Set(installed.map((f) => posix.dirname(f.file.path)))].sort();
    const dirOwner = (dir: string): string => {
      const owners = new Set(installed.filter((f) => posix.dirname(f.file.path) === dir).map((f) => f.file.owner ?? 'root'));
      return owners.size === 1 ? [...owners][0]! : 'root';
    };
    const dirs = allDirs.filter((d) => dirOwner(d) === 'root');
    const userDirs = [...new Set(allDirs.map(dirOwner))].filter((o) => o !== 'root').sort()
      .map((owner) => ({ owner, dirs: allDirs.filter((d) => dirOwner(d) === owner) }));
    const pkgs = input.packages[h.host] ?? [];
    const tasks: unknown[] = [];
    // The apply that created a guest returns once Proxmox started it, before its SSH answers (and
    // a first boot may reboot); every later deploy finds it answering at once. `always`: whatever
    // --tags select, the wait comes first.
    if (h.host !== DEPLOY_MACHINE) {
      tasks.push({ name: 'Wait until the host answers', 'ansible.builtin.wait_for_connection': { timeout: WAIT_FOR_HOST_SECONDS }, tags: ['always'] });
    }
    if (pkgs.length) {
      tasks.push({
        name: 'Install host packages',
        'ansible.builtin.apt': { name: [...pkgs].sort(), state: 'present', update_cache: true, cache_valid_time: 3600 },
        tags: ['packages'],
      });
    }
    if (dirs.length) tasks.push({
      name: 'Create configuration directories',
      'ansible.builtin.file': { path: LOOP_ITEM, state: 'directory', owner: 'root', group: 'root', mode: '0755' },
      loop: dirs,
      tags: ['files'],
    });
    for (const { owner, dirs: owned } of userDirs) {
      tasks.push({
        name: `Create configuration directories owned by ${owner}`,
        'ansible.builtin.file': { path: LOOP_ITEM, state: 'directory', owner, group: owner, mode: '0755' },
        loop: owned,
        tags: ['files'],
      });
    }
    for (const { file, distPath } of [...installed].sort((a, b) => a.file.path.localeCompare(b.file.path))) {
      const templated = isTemplated(file);
      const owner = file.owner ?? 'root';
      const ownUnit = installableUnit(file);
      const notify = [
        ...(file.restarts ?? []).map((entry) => restartHandler(entry)),
        ...stacksHere.filter((dir) => file.path.startsWith(`${dir}/`)).map((dir) => handlerName(dir)),
        ...(ownUnit ? [unitHandlerName(ownUnit)] : []),
      ];
      tasks.push({
        name: `Install ${file.path}`,
        [templated ? 'ansible.builtin.template' : 'ansible.builtin.copy']: {
          src: DIST_FILE,
          dest: file.path,
          owner,
          group: owner,
          mode: file.mode,
          ...(file.createOnly ? { force: false } : {}),
        },
        vars: { homelab_dist_path: distPath },
        ...(templated ? { no_log: true } : {}),
        ...(notify.length ? { notify: [...new Set(notify)].sort() } : {}),
        tags: ['files', ...(file.tags ?? [])],
      });
    }
    for (const dir of stacksHere) {
      tasks.push({
        name: `Bring up the stack in ${dir}`,
        'ansible.builtin.command': { cmd: 'docker compose up --detach --remove-orphans', chdir: dir },
        register: 'compose_up',
        changed_when: ansibleExpression("'Started' in compose_up.stderr or 'Recreated' in compose_up.stderr or 'Created' in compose_up.stderr"),
        tags: ['stack'],
      });
    }
    // systemd: reload after unit files change, then enable and start every installable unit and
    // every unit a file names in `restarts` (wg-quick@wg0.service, dnsmasq.service).
    const restartEntries = h.files.flatMap((f) => f.file.restarts ?? []);
    const units = [...new Set([
      ...h.files.map((f) => installableUnit(f.file)).filter((u): u is string => u !== undefined),
      ...restartEntries.filter(isSystemdUnitName),
    ])].sort();
    // systemd resolves a unit's User= and builds its sandbox (ReadWritePaths=) before any
    // ExecStartPre runs, so users and paths a unit creates there come too late: apply every
    // sysusers.d and tmpfiles.d file here, before units start.
    for (const { file } of h.files.filter((f) => setupTask(f.file.path) !== undefined).sort((a, b) => a.file.path.localeCompare(b.file.path))) {
      tasks.push({ ...setupTask(file.path), tags: ['files', ...(file.tags ?? [])] });
    }
    if (h.files.some((f) => f.file.format === 'systemd')) {
      tasks.push({ name: 'Reload systemd units', 'ansible.builtin.systemd': { daemon_reload: true }, tags: ['units'] });
    }
    for (const unit of units) {
      tasks.push({ name: `Enable and start ${unit}`, 'ansible.builtin.systemd': { name: unit, enabled: true, state: 'started' }, tags: ['units'] });
    }
    // Idempotent scripts (ConfigFile.run) run on every deploy, after the files and units are in place.
    for (const { file, distPath } of h.files.filter((f) => f.file.run).sort((a, b) => a.file.path.localeCompare(b.file.path))) {
      tasks.push({
        name: `Run ${file.path}`,
        'ansible.builtin.command': { argv: ['bash', inPlace(file.path) ? DIST_FILE : file.path] },
        ...(inPlace(file.path) ? { vars: { homelab_dist_path: distPath } } : {}),
        register: 'homelab_run',
        changed_when: ansibleExpression("'homelab: changed' in homelab_run.stdout"),
        tags: ['run', ...(file.tags ?? [])],
      });
    }
    const stackHandlers = [...new Set([...stacksHere, ...restartEntries.filter((e) => !isSystemdUnitName(e))])].sort().map((dir) => ({
      name: handlerName(dir),
      'ansible.builtin.command': { cmd: 'docker compose up --detach --force-recreate --remove-orphans', chdir: dir },
      changed_when: true,
      tags: ['stack' as const],
    }));
    const unitHandlers = units.map((unit) => ({
      name: unitHandlerName(unit),
      'ansible.builtin.systemd': { name: unit, state: 'restarted', daemon_reload: true },
      tags: ['units' as const],
    }));
    const handlers = [...stackHandlers, ...unitHandlers];
    return {
      name: `Configure ${input.service} on ${h.host}`,
      hosts: h.host,
      gather_facts: false,
      tasks,
      ...(handlers.length ? { handlers: handlers.map(runOnlyWhenTagSelected) } : {}),
    };
  });
}

/**
 * The task that applies a systemd-sysusers(8) or systemd-tmpfiles(8) configuration file, or
 * undefined for any other file. sysusers says when it creates; tmpfiles prints nothing when it
 * creates, so its task cannot tell a change apart (the file's own install task reports it).
 */
function setupTask(path: string): Record<string, unknown> | undefined {
  if (/^\/etc\/sysusers\.d\/[^/]+\.conf$/.test(path)) {
    return {
      name: `Create the users of ${path}`,
      'ansible.builtin.command': { argv: ['systemd-sysusers', path] },
      register: 'homelab_sysusers',
      changed_when: ansibleExpression("'Creating ' in homelab_sysusers.stderr"),
    };
  }
  if (/^\/etc\/tmpfiles\.d\/[^/]+\.conf$/.test(path)) {
    return { name: `Create the paths of ${path}`, 'ansible.builtin.command': { argv: ['systemd-tmpfiles', '--create', path] }, changed_when: false };
  }
  return undefined;
}
