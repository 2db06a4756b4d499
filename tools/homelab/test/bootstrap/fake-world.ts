/**
 * A fake homelab at the process boundary, for bootstrap end to end: freshly installed Proxmox VE
 * nodes and Pis behind a fake `ssh`, and fake `tofu`/`terraform`, `ansible-playbook`, `talosctl`
 * and `npx`. Each fake tool is a two-line wrapper that hands its argv and working directory to
 * this in-process server, which keeps the state, logs every call and answers.
 *
 * What the nodes run is checked against the upstream definitions, so the fakes cannot drift:
 * every `pvesh` call and every `pveum user token` / `pvecm create` call (through the API method
 * it fronts) is matched against the PVE 9.1.3 API schema (path, method, parameters), and every
 * answer against the schema's `returns`; a mismatch is a rejection the tests assert empty. The
 * fake tofu creates the guests the synthesized Terraform JSON declares in the shared FakeCluster,
 * which the fake PVE API (libs/core/test/pve/pve-test-server.ts) serves.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  checkParams, checkReturns, defaultCluster, endpointsOf, loadApidata, matchRequest, type FakeCluster,
} from '../../../../libs/core/test/pve/pve-test-server.ts';
import { shellWords } from './shell-words.ts';

export interface WorldNode {
  readonly name: string;
  readonly ip: string;
  /** What `hostname` answers. @default name */
  hostname?: string;
  /** What `pveversion` answers. @default pve-manager/9.1.3/… */
  pveVersion?: string;
  /** Not reachable over SSH at all (exit 255). */
  unreachable?: boolean;
  bridges: { iface: string; type: string; active: number }[];
  readonly rootKey: string;
  readonly authorizedKeys: Set<string>;
  readonly knownHosts: Set<string>;
  cluster?: string;
  /** The Ceph packages are installed. */
  ceph?: boolean;
}

export interface WorldPi { readonly name: string; readonly ip: string; unreachable?: boolean }

export interface Call {
  readonly tool: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** ssh: the host name and the remote words. */
  readonly host?: string;
  readonly remote?: readonly string[];
  /** What the tool had as PROXMOX_VE_API_TOKEN (the provider's credential). */
  readonly token?: string;
}

export interface FakeWorld {
  readonly binDir: string;
  readonly nodes: Map<string, WorldNode>;
  readonly pis: Map<string, WorldPi>;
  readonly cluster: FakeCluster;
  readonly members: string[];
  readonly tokens: Map<string, { value: string; privsep: number; comment?: string }>;
  readonly calls: Call[];
  readonly rejections: string[];
  /** A tool call (`tofu apply` in dist/<service>) that waits until released: `tool:first-arg:service`. */
  holdAt?: string;
  /** Resolves when a call reaches holdAt. */
  readonly held: Promise<void>;
  release(): void;
  close(): Promise<void>;
}

interface Answer { stdout?: string; stderr?: string; exitCode: number }

const endpoints = endpointsOf(loadApidata());
const METHOD: Readonly<Record<string, string>> = { get: 'GET', create: 'POST', set: 'PUT', delete: 'DELETE' };

export function worldNode(name: string, ip: string, bridge = 'vmbr0'): WorldNode {
  return {
    name, ip, bridges: [{ iface: bridge, type: 'bridge', active: 1 }, { iface: 'eno1', type: 'eth', active: 1 }],
    rootKey: `ssh-rsa AAAAB3NzaFake${name} root@${name}`, authorizedKeys: new Set(), knownHosts: new Set(),
  };
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `--k v` pairs after the path; pvesh's own --output-format is not an API parameter. */
function options(words: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('--')) throw new Error(`unexpected word ${w}`);
    out[w.slice(2)] = words[i + 1] ?? '';
    i++;
  }
  delete out['output-format'];
  return out;
}

export async function startFakeWorld(spec: { nodes: WorldNode[]; pis: WorldPi[]; cluster?: FakeCluster }): Promise<FakeWorld> {
  const nodes = new Map(spec.nodes.map((n) => [n.ip, n]));
  const pis = new Map(spec.pis.map((p) => [p.ip, p]));
  const cluster = spec.cluster ?? defaultCluster({ nodes: spec.nodes.map((n) => ({ name: n.name, ip: n.ip, online: true, uptime: 86_400 })), guests: [] });
  const members: string[] = [];
  const tokens = new Map<string, { value: string; privsep: number; comment?: string }>();
  const calls: Call[] = [];
  const rejections: string[] = [];
  const applied = new Set<string>();
  const statePaths = new Map<string, string>();
  let release: () => void = () => undefined;
  let resume = new Promise<void>((r) => { release = r; });
  let onHeld: () => void = () => undefined;
  const held = new Promise<void>((r) => { onHeld = r; });
  let tokenCounter = 0;

  /** One API call, checked against the schema both ways. */
  const api = (method: string, path: string, params: Record<string, string>, answer: () => unknown): Answer => {
    const match = matchRequest(endpoints, method, path);
    if (!match.ok) { rejections.push(`${method} ${path}: ${match.reason}`); return { exitCode: 255, stderr: `no such API path: ${path}\n` }; }
    const all = new Map<string, string[]>(Object.entries({ ...params, ...match.pathParams }).map(([k, v]) => [k, [v]]));
    const problems = checkParams(match.info, all);
    if (problems.length) { rejections.push(`${method} ${path}: ${problems.join('; ')}`); return { exitCode: 255, stderr: `${problems[0]}\n` }; }
    const data = answer();
    const faults = checkReturns(match.info.returns, data);
    if (faults.length) { rejections.push(`${method} ${path} answer: ${faults.join('; ')}`); return { exitCode: 255, stderr: 'fake answer off schema\n' }; }
    return { exitCode: 0, stdout: `${JSON.stringify(data)}\n` };
  };

  const clusterStatus = (self: WorldNode): unknown[] => {
    const entry = (n: WorldNode, i: number) => ({ type: 'node', id: `node/${n.name}`, name: n.name, ip: n.ip, online: n.unreachable ? 0 : 1, local: n === self ? 1 : 0, nodeid: i + 1, level: '' });
    if (!self.cluster) return [entry(self, 0)];
    const inCluster = members.map((m) => [...nodes.values()].find((n) => n.name === m)!);
    return [{ type: 'cluster', id: 'cluster', name: self.cluster, nodes: inCluster.length, quorate: inCluster.length * 2 > 1 ? 1 : 0, version: inCluster.length }, ...inCluster.map(entry)];
  };

  const resources = (): unknown[] => cluster.guests.map((g) => ({ id: `${g.type}/${g.vmid}`, type: g.type, node: g.node, vmid: g.vmid, name: g.name, status: g.status, template: 0 }));

  const pvesh = (self: WorldNode, words: readonly string[]): Answer => {
    const [verb, path, ...rest] = words;
    const method = METHOD[verb ?? ''];
    if (!method || !path) return { exitCode: 255, stderr: `pvesh: unknown command ${verb}\n` };
    const params = options(rest);
    if (method === 'GET' && path === '/cluster/status') return api(method, path, params, () => clusterStatus(self));
    if (method === 'GET' && path === '/cluster/resources') return api(method, path, params, resources);
    const net = /^\/nodes\/([^/]+)\/network$/.exec(path);
    if (method === 'GET' && net) return api(method, path, params, () => [...nodes.values()].find((n) => n.name === net[1])?.bridges ?? []);
    const ping = /^\/nodes\/([^/]+)\/qemu\/(\d+)\/agent\/ping$/.exec(path);
    if (method === 'POST' && ping) {
      const guest = cluster.guests.find((g) => g.vmid === Number(ping[2]) && g.node === ping[1] && g.type === 'qemu');
      if (!guest || guest.status !== 'running') return { exitCode: 255, stderr: `VM ${ping[2]} is not running\n` };
      return api(method, path, params, () => ({ result: {} }));
    }
    rejections.push(`pvesh ${words.join(' ')}: the fake world has no answer for it`);
    return { exitCode: 255, stderr: 'unhandled\n' };
  };

  const pveum = (words: readonly string[]): Answer => {
    const [a, b, verb, user, id, ...rest] = words;
    if (a !== 'user' || b !== 'token' || !user) return { exitCode: 255, stderr: 'unhandled pveum\n' };
    const params = options(verb === 'list' ? [id ?? '', ...rest].filter(Boolean) : rest);
    const base = `/access/users/${user}/token`;
    if (verb === 'list') return api('GET', base, params, () => [...tokens].filter(([k]) => k.startsWith(`${user}!`)).map(([k, t]) => ({ tokenid: k.split('!')[1]!, privsep: t.privsep, ...(t.comment ? { comment: t.comment } : {}) })));
    const full = `${user}!${id}`;
    if (verb === 'add') {
      if (tokens.has(full)) return { exitCode: 255, stderr: `Token already exists.\n` };
      return api('POST', `${base}/${id}`, params, () => {
        const value = `00000000-0000-4000-8000-${String(++tokenCounter).padStart(12, '0')}`;
        tokens.set(full, { value, privsep: Number(params.privsep ?? 1), ...(params.comment ? { comment: params.comment } : {}) });
        return { 'full-tokenid': full, info: { privsep: Number(params.privsep ?? 1), ...(params.comment ? { comment: params.comment } : {}) }, value };
      });
    }
    if (verb === 'remove') return api('DELETE', `${base}/${id}`, params, () => { tokens.delete(full); return null; });
    return { exitCode: 255, stderr: 'unhandled pveum\n' };
  };

  const onNode = (self: WorldNode, remote: readonly string[]): Answer => {
    const [cmd, ...rest] = remote;
    const line = remote.join(' ');
    switch (cmd) {
      case 'pveversion': return { exitCode: 0, stdout: `${self.pveVersion ?? 'pve-manager/9.1.3/5d45ae2ee1d8ba04 (running kernel: 6.14.11-4-pve)'}\n` };
      case 'hostname': return { exitCode: 0, stdout: `${self.hostname ?? self.name}\n` };
      case 'true': return { exitCode: 0 };
      case 'cat': return rest[0] === '/root/.ssh/id_rsa.pub' ? { exitCode: 0, stdout: `${self.rootKey}\n` } : { exitCode: 1, stderr: 'no such file\n' };
      case 'pvesh': return pvesh(self, rest);
      case 'pveum': return pveum(rest);
      case 'sh': {
        const [, script, name, arg] = rest;
        if (script === 'command -v ceph-osd >/dev/null') return { exitCode: self.ceph ? 0 : 1 };
        if (script === 'yes | pveceph install --repository no-subscription') { self.ceph = true; return { exitCode: 0, stdout: 'installed Ceph squid successfully!\n' }; }
        if (name === 'trust-key' && arg) { self.authorizedKeys.add(arg); return { exitCode: 0 }; }
        if (name === 'know-host' && arg) { self.knownHosts.add(arg); return { exitCode: 0 }; }
        break;
      }
      case 'pvecm': {
        const [verb, arg] = rest;
        if (verb === 'create' && arg) {
          if (self.cluster) return { exitCode: 255, stderr: `cluster config '/etc/pve/corosync.conf' already exists\n` };
          const checked = api('POST', '/cluster/config', { clustername: arg }, () => 'UPID:fake');
          if (checked.exitCode) return checked;
          self.cluster = arg;
          members.push(self.name);
          return { exitCode: 0, stdout: 'Writing corosync key to /etc/corosync/authkey.\nWriting corosync config to /etc/pve/corosync.conf\nRestart corosync and cluster filesystem\n' };
        }
        if (verb === 'add' && arg) {
          const anchor = nodes.get(arg);
          if (self.cluster) return { exitCode: 255, stderr: 'this host already contains virtual guests or is in a cluster\n' };
          if (!anchor?.cluster) return { exitCode: 255, stderr: `unable to join: ${arg} is not in a cluster\n` };
          if (!self.knownHosts.has(arg)) return { exitCode: 255, stderr: 'Host key verification failed.\n' };
          if (!anchor.authorizedKeys.has(self.rootKey)) return { exitCode: 255, stderr: `root@${arg}: Permission denied (publickey).\n` };
          self.cluster = anchor.cluster;
          members.push(self.name);
          return { exitCode: 0, stdout: 'Join request OK, finishing setup locally\nwaiting for quorum...OK\n' };
        }
        break;
      }
      default: break;
    }
    rejections.push(`ssh ${self.name}: the fake world has no answer for: ${line}`);
    return { exitCode: 127, stderr: `${cmd}: command not found\n` };
  };

  const ssh = (args: readonly string[]): { answer: Answer; host?: string; remote?: string[] } => {
    const sep = args.indexOf('--');
    const target = args[sep - 1] ?? '';
    const ip = target.slice(target.indexOf('@') + 1);
    const remote = shellWords(args[sep + 1] ?? '');
    const node = nodes.get(ip);
    const pi = pis.get(ip);
    const unreachable = { exitCode: 255, stderr: `ssh: connect to host ${ip} port 22: No route to host\n` };
    if (node) return { answer: node.unreachable ? unreachable : onNode(node, remote), host: node.name, remote };
    if (pi) return { answer: pi.unreachable ? unreachable : remote[0] === 'true' ? { exitCode: 0 } : { exitCode: 127, stderr: 'not on a Pi\n' }, host: pi.name, remote };
    return { answer: unreachable, remote };
  };

  const serviceOf = (cwd: string): string => /\/runs\/([^/]+)\//.exec(`${cwd}/`)?.[1] ?? /\/dist\/([^/]+)\//.exec(`${cwd}/`)?.[1] ?? '?';

  /** The guests a stack declares (its synthesized Terraform JSON). */
  const declaredGuests = (cwd: string): { vmid: number; node: string; type: 'lxc' | 'qemu'; name: string }[] => {
    const json = JSON.parse(readFileSync(join(cwd, 'cdk.tf.json'), 'utf8')) as { resource?: Record<string, Record<string, Record<string, unknown>>> };
    const out: { vmid: number; node: string; type: 'lxc' | 'qemu'; name: string }[] = [];
    for (const [type, kind] of [['proxmox_virtual_environment_container', 'lxc'], ['proxmox_virtual_environment_vm', 'qemu']] as const) {
      for (const [key, r] of Object.entries(json.resource?.[type] ?? {})) {
        const init = (r.initialization as { hostname?: string } | undefined);
        out.push({ vmid: Number(r.vm_id), node: String(r.node_name), type: kind, name: String(r.name ?? init?.hostname ?? key) });
      }
    }
    return out;
  };

  /** The API tokens a stack declares, with their user resolved from the user resource it refers to. */
  const declaredTokens = (cwd: string): { full: string; privsep: number }[] => {
    const json = JSON.parse(readFileSync(join(cwd, 'cdk.tf.json'), 'utf8')) as { resource?: Record<string, Record<string, Record<string, unknown>>> };
    const users = json.resource?.proxmox_virtual_environment_user ?? {};
    return Object.values(json.resource?.proxmox_user_token ?? {}).map((t) => {
      const ref = /^\$\{proxmox_virtual_environment_user\.([^.]+)\.user_id\}$/.exec(String(t.user_id));
      const user = ref ? String(users[ref[1]!]?.user_id) : String(t.user_id);
      return { full: `${user}!${String(t.token_name)}`, privsep: t.privileges_separation === false ? 0 : 1 };
    });
  };

  const terraform = async (args: readonly string[], cwd: string, gone: Promise<void>): Promise<Answer> => {
    const [sub] = args;
    const service = serviceOf(cwd);
    if (sub === 'init') {
      const path = args.find((a) => a.startsWith('-backend-config=path='))?.slice('-backend-config=path='.length) ?? service;
      statePaths.set(service, path);
      return { exitCode: 0, stdout: 'Terraform has been successfully initialized!\n' };
    }
    if (sub === 'plan') {
      const missing = declaredGuests(cwd).filter((g) => !cluster.guests.some((c) => c.vmid === g.vmid));
      const out = args.find((a) => a.startsWith('-out='))?.slice(5);
      if (out) writeFileSync(resolve(cwd, out), JSON.stringify(missing));
      if (!missing.length && applied.has(statePaths.get(service) ?? service)) return { exitCode: 0, stdout: 'No changes. Your infrastructure matches the configuration.\n' };
      return { exitCode: args.includes('-detailed-exitcode') ? 2 : 0, stdout: `${missing.map((g) => `  # ${g.type} ${g.vmid} will be created\n`).join('')}Plan: ${missing.length} to add, 0 to change, 0 to destroy.\n` };
    }
    if (sub === 'apply') {
      // A tool killed while held never finishes its apply, as a real interrupted tofu would not.
      if (holdAt === `tofu:apply:${service}`) {
        onHeld();
        if ((await Promise.race([resume.then(() => 'released'), gone.then(() => 'gone')])) === 'gone') return { exitCode: 130 };
      }
      for (const g of declaredGuests(cwd)) {
        if (!cluster.guests.some((c) => c.vmid === g.vmid)) cluster.guests.push({ ...g, status: 'running', uptime: 1 });
      }
      for (const t of declaredTokens(cwd)) if (!tokens.has(t.full)) tokens.set(t.full, { value: `11111111-0000-4000-8000-${String(++tokenCounter).padStart(12, '0')}`, privsep: t.privsep });
      applied.add(statePaths.get(service) ?? service);
      return { exitCode: 0, stdout: 'Apply complete!\n' };
    }
    if (sub === 'output') {
      // `output -raw <name>` of the stack's token output: the full token id and its secret.
      const [t] = declaredTokens(cwd);
      const stored = t && tokens.get(t.full);
      return stored ? { exitCode: 0, stdout: `${t.full}=${stored.value}` } : { exitCode: 1, stderr: 'Error: Output not found\n' };
    }
    return { exitCode: 0 };
  };

  let holdAt: string | undefined;
  const server = createServer((req, res) => {
    void (async () => {
      const { tool, args, cwd, token } = JSON.parse(await body(req)) as { tool: string; args: string[]; cwd: string; token?: string };
      const gone = new Promise<void>((r) => res.on('close', () => r()));
      let answer: Answer;
      if (tool === 'ssh') {
        const r = ssh(args);
        calls.push({ tool, args, cwd, ...(r.host ? { host: r.host } : {}), ...(r.remote ? { remote: r.remote } : {}) });
        answer = r.answer;
      } else {
        calls.push({ tool, args, cwd, ...(token ? { token } : {}) });
        answer = tool === 'tofu' || tool === 'terraform' ? await terraform(args, cwd, gone) : { exitCode: 0, stdout: `${tool}: ok\n` };
      }
      const text = JSON.stringify(answer);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(text);
    })().catch((error: unknown) => { res.writeHead(500); res.end(JSON.stringify({ exitCode: 99, stderr: `fake world: ${String(error)}\n` })); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const binDir = mkdtempSync(join(tmpdir(), 'homelab-fake-world-'));
  const client = join(binDir, 'fake-tool.mjs');
  writeFileSync(client, `const [tool, ...args] = process.argv.slice(2);
const res = await fetch(${JSON.stringify(url)}, { method: 'POST', body: JSON.stringify({ tool, args, cwd: process.cwd(), token: process.env.PROXMOX_VE_API_TOKEN }) });
const a = await res.json();
if (a.stdout) process.stdout.write(a.stdout);
if (a.stderr) process.stderr.write(a.stderr);
process.exit(a.exitCode);
`);
  for (const tool of ['ssh', 'tofu', 'ansible-playbook', 'talosctl', 'npx']) {
    writeFileSync(join(binDir, tool), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(client)} ${tool} "$@"\n`);
    chmodSync(join(binDir, tool), 0o755);
  }
  const world: FakeWorld = {
    binDir, nodes, pis, cluster, members, tokens, calls, rejections, held,
    get holdAt() { return holdAt; },
    set holdAt(v) { holdAt = v; },
    release: () => { release(); resume = new Promise<void>((r) => { release = r; }); },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  return world;
}
