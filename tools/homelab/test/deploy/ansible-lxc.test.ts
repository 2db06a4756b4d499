/**
 * The generated Ansible playbooks, run FOR REAL with ansible-playbook against a real Debian
 * bookworm host: an LXC container on a private bridge of this machine (tools/ci/lxc-test-host.sh;
 * .ci/run exports HOMELAB_TEST_HOST=10.77.0.11 when it is up). Skipped, saying why, without it.
 *
 * What is real: the synthesized dist/traefik and dist/authentik playbooks, byte for byte, run
 * over SSH; file modes, owners, templating of secrets from the environment, createOnly, and
 * idempotence (the second run reports changed=0).
 * What is not, and why: the test host has no internet and no Docker engine runs here, so the
 * runs skip the `packages` (apt docker.io) and `stack` (docker compose up) tags; the inventory
 * is a generated test inventory mapping every host name to the test host; secrets are dummy
 * values. The handler test puts a stub `docker` on the host that only logs its argv, to show
 * that a stack is recreated exactly when one of its files changed.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  DEPLOY_MACHINE, deployUnitFromSynth, findExecutable, runTool, writeDist,
  type DeployUnit, type Homelab, type ToolCall,
} from '@homelab/core';
import { synthesizeThisSite, WORKSPACE_ROOT } from '@homelab/site/testing';

const HOST = process.env.HOMELAB_TEST_HOST?.trim() ?? '';
const KEY = process.env.HOMELAB_TEST_SSH_KEY?.trim() || '/var/lib/homelab-test-host/id_ed25519';
const SKIP_REASON = 'HOMELAB_TEST_HOST is not set: run `tools/ci/lxc-test-host.sh up` as root, then export HOMELAB_TEST_HOST=10.77.0.11 (.ci/run does both)';
// Only our own private test bridge: never any other address.
if (HOST && !/^10\.77\.0\.\d{1,3}$/.test(HOST)) throw new Error(`HOMELAB_TEST_HOST=${HOST} is not on the private test bridge 10.77.0.0/24 that lxc-test-host.sh creates; refusing to run playbooks against it.`);

const SSH_OPTS = ['-i', KEY, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR'];
const ANSIBLE_ENV = {
  ANSIBLE_HOST_KEY_CHECKING: 'False',
  ANSIBLE_SSH_COMMON_ARGS: '-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null',
  ANSIBLE_PIPELINING: 'True',
  ANSIBLE_NOCOLOR: '1',
  ANSIBLE_RETRY_FILES_ENABLED: 'False',
};

interface Recap { ok: number; changed: number; unreachable: number; failed: number }

function recap(stdout: string): Record<string, Recap> {
  const out: Record<string, Recap> = {};
  for (const m of stdout.matchAll(/^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)) {
    out[m[1]!] = { ok: Number(m[2]), changed: Number(m[3]), unreachable: Number(m[4]), failed: Number(m[5]) };
  }
  return out;
}
const totalChanged = (r: Record<string, Recap>) => Object.values(r).reduce((n, h) => n + h.changed, 0);

/** Stand-in for Proxmox's pct on the test host (config/set/status/reboot only). */
const FAKE_PCT = `#!/bin/sh
set -eu
dir=/var/lib/homelab-fake-pct
mkdir -p "$dir"
conf="$dir/$2.conf"
case "$1" in
  config) cat "$conf" 2>/dev/null || true ;;
  set) key=$(printf '%s' "$3" | sed 's/^--//'); touch "$conf"; grep -v "^$key: " "$conf" > "$conf.new" || true; printf '%s: %s\\n' "$key" "$4" >> "$conf.new"; mv "$conf.new" "$conf"; echo "set $2 $key $4" >> "$dir/log" ;;
  status) echo 'status: running' ;;
  reboot) echo "reboot $2" >> "$dir/log" ;;
  *) echo "fake pct: $1 is not supported" >&2; exit 2 ;;
esac
`;

describe.skipIf(!HOST)(`generated playbooks on a real test host${HOST ? ` (${HOST})` : ` (skipped: ${SKIP_REASON})`}`, () => {
  let work: string;
  let home: Homelab;
  const units = new Map<string, DeployUnit>();
  let ansible: string;
  let ssh: string;

  async function onHost(command: string): Promise<string> {
    const call: ToolCall = { service: 'test-host', step: 'config', label: 'ssh', file: ssh, args: [...SSH_OPTS, `root@${HOST}`, command], cwd: work, setEnv: {}, readsEnv: [], mutates: true, stream: false };
    return (await runTool(call, { env: process.env })).stdout;
  }

  /** The service's own inventory with every remote host pointed at the test host. */
  function testInventory(service: string): string {
    const inv = parse(readFileSync(join(work, 'dist', service, 'ansible', 'inventory.yml'), 'utf8')) as { all: { hosts: Record<string, Record<string, unknown>> } };
    for (const [name, vars] of Object.entries(inv.all.hosts)) {
      if (name === DEPLOY_MACHINE || vars.ansible_connection === 'local') continue;
      inv.all.hosts[name] = { ...vars, ansible_host: HOST, ansible_user: 'root', ansible_ssh_private_key_file: KEY };
    }
    const path = join(work, `${service}-test-inventory.yml`);
    writeFileSync(path, stringify(inv));
    return path;
  }

  async function play(service: string, skipTags: string): Promise<{ stdout: string; recap: Record<string, Recap> }> {
    const unit = units.get(service)!;
    // Dummy values for every secret the playbook templates; never real ones.
    const secrets = Object.fromEntries(unit.env.filter((e) => e.step === 'config').map((e) => [e.name, `dummy-${e.name}`]));
    const call: ToolCall = {
      service, step: 'config', label: 'ansible-playbook', file: ansible,
      args: ['-i', testInventory(service), 'playbook.yml', '--skip-tags', skipTags],
      cwd: join(unit.distDir, 'ansible'), setEnv: { ...ANSIBLE_ENV, ...secrets }, readsEnv: Object.keys(secrets), mutates: true, stream: false,
    };
    const result = await runTool(call, { env: process.env });
    return { stdout: result.stdout, recap: recap(result.stdout) };
  }

  beforeAll(async () => {
    ansible = (await findExecutable('ansible-playbook', process.env)) ?? '';
    ssh = (await findExecutable('ssh', process.env)) ?? '';
    if (!ansible || !ssh) throw new Error('ansible-playbook and ssh must be installed to run against HOMELAB_TEST_HOST (tools/ci/lxc-test-host.sh installs them).');
    if (!existsSync(KEY)) throw new Error(`no SSH key at ${KEY}: set HOMELAB_TEST_SSH_KEY or run tools/ci/lxc-test-host.sh up`);
    work = mkdtempSync(join(tmpdir(), 'homelab-ansible-lxc-'));
    const synthesis = await synthesizeThisSite();
    home = synthesis.home;
    for (const name of ['traefik', 'authentik']) {
      const result = synthesis.results.find((r) => r.service === name);
      if (!result) throw new Error(`${name} was not synthesized: ${synthesis.problems.map((p) => `${p.source} ${p.code}`).join(', ')}`);
      await writeDist(join(work, 'dist'), result);
      units.set(name, deployUnitFromSynth(result, { home, root: WORKSPACE_ROOT, distRoot: join(work, 'dist') }));
    }
    // A clean host for run 1, whatever an earlier run left.
    await onHost('rm -rf /etc/traefik /opt/stacks /usr/local/bin/docker /var/log/homelab-docker-stub.log /usr/local/lib/homelab /var/lib/homelab-fake-pct');
    // The inventory points the Proxmox node (pve1) at the test host too. Proxmox's pct cannot run
    // here, so it is substituted at the process boundary by a stand-in that keeps each guest's
    // config in a file and logs every call: the root step's argv and idempotency are real.
    await onHost(`echo ${Buffer.from(FAKE_PCT).toString('base64')} | base64 -d > /usr/local/sbin/pct && chmod 755 /usr/local/sbin/pct`);
  }, 120_000);

  afterAll(async () => {
    if (HOST && ssh) await onHost('rm -rf /usr/local/bin/docker /var/log/homelab-docker-stub.log /usr/local/sbin/pct /var/lib/homelab-fake-pct').catch(() => undefined);
  });

  // Runs first, on the clean host: a playbook run by hand with a secret unset must change nothing
  // (render/ansible-env-check.ts). The test after it then sees the host exactly as beforeAll left it.
  it('traefik with its secret unset: ansible-playbook exits 2 naming it, before any change on the host', async () => {
    const unit = units.get('traefik')!;
    const base = { ...process.env };
    const secrets = unit.env.filter((e) => e.step === 'config').map((e) => e.name);
    for (const name of secrets) delete base[name];
    expect(secrets).toContain('CF_DNS_API_TOKEN');
    const call: ToolCall = {
      service: 'traefik', step: 'config', label: 'ansible-playbook', file: ansible,
      args: ['-i', testInventory('traefik'), 'playbook.yml'],
      cwd: join(unit.distDir, 'ansible'), setEnv: ANSIBLE_ENV, readsEnv: [], mutates: true, stream: false, successCodes: [2],
    };
    const result = await runTool(call, { env: base });
    expect(result.stdout).toContain(`Not set or empty: ${[...secrets].sort().join(', ')}. Nothing was changed.`);
    expect(result.stdout).not.toMatch(/PLAY \[Configure /);
    expect(await onHost('for p in /etc/traefik /opt/stacks/traefik /var/lib/homelab-fake-pct/log /usr/local/lib/homelab; do test -e $p && echo "$p exists"; done; true')).toBe('');
  }, 120_000);

  it('traefik: run 1 installs every file (changed > 0); run 2 changes nothing (changed=0), createOnly keeps a modified acme.json, modes are right', async () => {
    const first = await play('traefik', 'packages,stack');
    expect(first.recap.traefik).toMatchObject({ failed: 0, unreachable: 0 });
    expect(totalChanged(first.recap)).toBeGreaterThan(0);
    console.log(`traefik run 1: ${JSON.stringify(first.recap)}`);
    // The stack tag is skipped, and so is the handler it would notify (see ansible.ts).
    expect(first.stdout).not.toMatch(/docker compose/);

    // Traefik writes its certificates into acme.json: deploy must never overwrite it.
    await onHost(`printf '%s' '{"letsencrypt":{"Certificates":[]}}' > /etc/traefik/acme.json`);
    // The root step on the node set keyctl (Docker) with pct and rebooted the running guest once.
    expect(await onHost('cat /var/lib/homelab-fake-pct/log')).toBe('set 200 features keyctl=1,nesting=1\nreboot 200');
    const second = await play('traefik', 'packages,stack');
    console.log(`traefik run 2: ${JSON.stringify(second.recap)}`);
    expect(second.recap.traefik).toMatchObject({ changed: 0, failed: 0, unreachable: 0 });
    expect(second.recap.pve1).toMatchObject({ changed: 0, failed: 0, unreachable: 0 });
    expect(await onHost('cat /var/lib/homelab-fake-pct/log')).toBe('set 200 features keyctl=1,nesting=1\nreboot 200');

    const stat = await onHost('stat -c "%a %U:%G %n" /etc/traefik /etc/traefik/dynamic /opt/stacks/traefik /etc/traefik/acme.json /etc/traefik/traefik.yml /etc/traefik/dynamic/traefik.yml /etc/traefik/dynamic/middleware-forward-auth.yml /opt/stacks/traefik/.env /opt/stacks/traefik/compose.yml');
    expect(stat.split('\n')).toEqual([
      '755 root:root /etc/traefik',
      '755 root:root /etc/traefik/dynamic',
      '755 root:root /opt/stacks/traefik',
      '600 root:root /etc/traefik/acme.json',
      '644 root:root /etc/traefik/traefik.yml',
      '644 root:root /etc/traefik/dynamic/traefik.yml',
      '644 root:root /etc/traefik/dynamic/middleware-forward-auth.yml',
      '600 root:root /opt/stacks/traefik/.env',
      '644 root:root /opt/stacks/traefik/compose.yml',
    ]);
    expect(await onHost('cat /etc/traefik/acme.json')).toBe('{"letsencrypt":{"Certificates":[]}}');
    // The secret was templated from the deploy machine's environment into the 0600 .env.
    expect(await onHost('grep -c "^CF_DNS_API_TOKEN=dummy-CF_DNS_API_TOKEN$" /opt/stacks/traefik/.env')).toBe('1');
    // Byte for byte what synth rendered.
    const rendered = readFileSync(join(work, 'dist/traefik/files/traefik/etc/traefik/traefik.yml'), 'utf8');
    expect(`${await onHost('cat /etc/traefik/traefik.yml')}\n`).toBe(rendered);
  }, 300_000);

  it('authentik: run 1 installs its stack files and its route on the traefik host; run 2 reports changed=0', async () => {
    const first = await play('authentik', 'packages,stack');
    console.log(`authentik run 1: ${JSON.stringify(first.recap)}`);
    for (const h of Object.values(first.recap)) expect(h).toMatchObject({ failed: 0, unreachable: 0 });
    expect(totalChanged(first.recap)).toBeGreaterThan(0);
    const second = await play('authentik', 'packages,stack');
    console.log(`authentik run 2: ${JSON.stringify(second.recap)}`);
    expect(Object.keys(second.recap).sort()).toEqual(['authentik', 'pve1', 'traefik']);
    expect(await onHost('grep -c "^set 207 features keyctl=1,nesting=1$" /var/lib/homelab-fake-pct/log')).toBe('1');
    for (const h of Object.values(second.recap)) expect(h).toMatchObject({ changed: 0, failed: 0, unreachable: 0 });
    const stat = await onHost('stat -c "%a %n" /opt/stacks/authentik/.env /opt/stacks/authentik/compose.yml /etc/traefik/dynamic/authentik.yml');
    expect(stat.split('\n')).toEqual(['600 /opt/stacks/authentik/.env', '644 /opt/stacks/authentik/compose.yml', '644 /etc/traefik/dynamic/authentik.yml']);
  }, 300_000);

  it('handlers: the stack is recreated when one of its files changed, and only then (stub docker on the host)', async () => {
    await onHost([
      'rm -rf /etc/traefik /opt/stacks/traefik',
      `printf '%s\\n' '#!/bin/sh' 'echo "$*" >> /var/log/homelab-docker-stub.log' > /usr/local/bin/docker`,
      'chmod 755 /usr/local/bin/docker',
      ': > /var/log/homelab-docker-stub.log',
    ].join(' && '));
    const dockerLog = async () => (await onHost('cat /var/log/homelab-docker-stub.log')).split('\n').filter(Boolean);

    const a = await play('traefik', 'packages');
    expect(a.recap.traefik!.failed).toBe(0);
    expect(await dockerLog()).toEqual(['compose up --detach --remove-orphans', 'compose up --detach --force-recreate --remove-orphans']);

    const b = await play('traefik', 'packages');
    console.log(`traefik with the stack tag, run 2: ${JSON.stringify(b.recap)}`);
    expect(b.recap.traefik!.changed).toBe(0);
    expect((await dockerLog()).slice(2)).toEqual(['compose up --detach --remove-orphans']);

    await onHost('echo "# edited by hand" >> /etc/traefik/traefik.yml');
    const c = await play('traefik', 'packages');
    expect(c.recap.traefik!.changed).toBe(2); // the file put back, and the handler
    expect((await dockerLog()).slice(3)).toEqual(['compose up --detach --remove-orphans', 'compose up --detach --force-recreate --remove-orphans']);
  }, 300_000);
});
