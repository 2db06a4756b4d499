/**
 * A local stand-in for the Proxmox VE API that knows exactly what the PVE 9.1.3 API schema
 * (`schemas/test-data/pve-api-9.1.3.apidata.json`) defines, and nothing more. Every request is
 * matched against the schema's path templates and methods, and its parameters (path, query
 * or form body) against the method's parameter schema: unknown paths, methods, parameters,
 * missing required ones and wrong types (PVE booleans are 0/1) get HTTP 501 with the reason,
 * so the client cannot drift from the real API unnoticed. Defined requests get plausible
 * canned answers from a small simulated cluster; those answers are themselves checked against
 * the schema's `returns`, so the canned data cannot drift either.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { findSchemasDir } from '../../src/validate/schemas-dir.ts';
import { HARDWARE_HANDLERS, type FakeDisk, type FakeUsb } from './handlers-hardware.ts';
import { CONFIG_HANDLERS, type FakeGuestConfig } from './handlers-config.ts';

export const APIDATA_FILE = 'test-data/pve-api-9.1.3.apidata.json';

interface ParamSchema {
  readonly type?: string;
  readonly optional?: number;
  readonly enum?: readonly string[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: unknown;
  readonly properties?: Readonly<Record<string, ParamSchema>>;
  readonly items?: ParamSchema;
  readonly additionalProperties?: number | ParamSchema;
}

export interface MethodInfo {
  readonly name: string;
  readonly method: string;
  readonly allowtoken?: number;
  readonly parameters?: { readonly properties?: Readonly<Record<string, ParamSchema>>; readonly additionalProperties?: number };
  readonly returns?: ParamSchema;
}

export interface ApiNode {
  readonly path: string;
  readonly info?: Readonly<Record<string, MethodInfo>>;
  readonly children?: readonly ApiNode[];
}

export interface Endpoint {
  readonly template: string;
  readonly segments: readonly string[];
  readonly info: Readonly<Record<string, MethodInfo>>;
}

export function loadApidata(): ApiNode[] {
  return JSON.parse(readFileSync(join(findSchemasDir(), APIDATA_FILE), 'utf8')) as ApiNode[];
}

export function endpointsOf(roots: readonly ApiNode[]): Endpoint[] {
  const out: Endpoint[] = [];
  const walk = (n: ApiNode): void => {
    out.push({ template: n.path, segments: n.path.split('/').filter(Boolean), info: n.info ?? {} });
    for (const c of n.children ?? []) walk(c);
  };
  roots.forEach(walk);
  return out;
}

export type Match =
  | { readonly ok: true; readonly endpoint: Endpoint; readonly info: MethodInfo; readonly pathParams: Record<string, string> }
  | { readonly ok: false; readonly reason: string };

/** The most literal template that matches the path, then the method. */
export function matchRequest(endpoints: readonly Endpoint[], method: string, path: string): Match {
  const segments = path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  let best: { endpoint: Endpoint; literal: number; params: Record<string, string> } | undefined;
  for (const e of endpoints) {
    if (e.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let literal = 0;
    let ok = true;
    e.segments.forEach((t, i) => {
      const m = /^\{(.+)\}$/.exec(t);
      if (m) params[m[1]!] = segments[i]!;
      else if (t === segments[i]) literal++;
      else ok = false;
    });
    if (ok && (!best || literal > best.literal)) best = { endpoint: e, literal, params };
  }
  if (!best) return { ok: false, reason: `path ${path} matches no path template of the PVE 9.1.3 API` };
  const info = best.endpoint.info[method];
  if (!info) return { ok: false, reason: `${method} is not defined for ${best.endpoint.template} (defined: ${Object.keys(best.endpoint.info).join(', ') || 'none'})` };
  return { ok: true, endpoint: best.endpoint, info, pathParams: best.params };
}

const PVE_NODE = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;

function checkScalar(name: string, schema: ParamSchema, value: string): string | undefined {
  switch (schema.type) {
    case 'boolean':
      return /^[01]$/.test(value) ? undefined : `parameter ${name}: ${JSON.stringify(value)} is not a PVE boolean (0 or 1)`;
    case 'integer': {
      if (!/^-?\d+$/.test(value)) return `parameter ${name}: ${JSON.stringify(value)} is not an integer`;
      const n = Number(value);
      if (schema.minimum !== undefined && n < schema.minimum) return `parameter ${name}: ${n} is below the minimum ${schema.minimum}`;
      if (schema.maximum !== undefined && n > schema.maximum) return `parameter ${name}: ${n} is above the maximum ${schema.maximum}`;
      return undefined;
    }
    case 'number': {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) return `parameter ${name}: ${JSON.stringify(value)} is not a number`;
      if (schema.minimum !== undefined && n < schema.minimum) return `parameter ${name}: ${n} is below the minimum ${schema.minimum}`;
      if (schema.maximum !== undefined && n > schema.maximum) return `parameter ${name}: ${n} is above the maximum ${schema.maximum}`;
      return undefined;
    }
    case 'string':
    case undefined: {
      if (schema.enum && !schema.enum.includes(value)) return `parameter ${name}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`;
      if (schema.maxLength !== undefined && value.length > schema.maxLength) return `parameter ${name}: longer than ${schema.maxLength}`;
      if (schema.format === 'pve-node' && !PVE_NODE.test(value)) return `parameter ${name}: ${JSON.stringify(value)} is not a node name`;
      if (schema.pattern) {
        let re: RegExp | undefined;
        try { re = new RegExp(`^(?:${schema.pattern})$`); } catch { re = undefined; }
        if (re && !re.test(value)) return `parameter ${name}: ${JSON.stringify(value)} does not match ${schema.pattern}`;
      }
      return undefined;
    }
    default:
      return undefined; // arrays and objects are passed as strings PVE parses itself
  }
}

/** Every problem with the parameters of one request. */
export function checkParams(info: MethodInfo, params: ReadonlyMap<string, string[]>): string[] {
  const props = info.parameters?.properties ?? {};
  const problems: string[] = [];
  const schemaFor = (name: string): ParamSchema | undefined => {
    if (props[name]) return props[name];
    const indexed = Object.keys(props).find((k) => k.endsWith('[n]') && new RegExp(`^${k.slice(0, -3)}\\d+$`).test(name));
    return indexed ? props[indexed] : undefined;
  };
  for (const [name, values] of params) {
    const schema = schemaFor(name);
    if (!schema) {
      problems.push(`parameter ${name} is not defined for ${info.method} ${info.name} (defined: ${Object.keys(props).sort().join(', ') || 'none'})`);
      continue;
    }
    if (values.length > 1 && schema.type !== 'array') problems.push(`parameter ${name} is given ${values.length} times`);
    for (const v of values) {
      const p = checkScalar(name, schema, v);
      if (p) problems.push(p);
    }
  }
  for (const [name, schema] of Object.entries(props)) {
    if (!schema.optional && !name.endsWith('[n]') && !params.has(name)) problems.push(`required parameter ${name} is missing`);
  }
  return problems;
}

/** Checks a canned answer against the method's `returns` schema (PVE booleans are 0/1). */
export function checkReturns(schema: ParamSchema | undefined, value: unknown, at = 'data'): string[] {
  if (!schema || schema.type === undefined) return [];
  const bad = (what: string): string[] => [`${at}: expected ${what}, got ${JSON.stringify(value)?.slice(0, 60)}`];
  switch (schema.type) {
    case 'null': return value === null ? [] : bad('null');
    case 'string': {
      if (typeof value !== 'string') return bad('a string');
      return schema.enum && !schema.enum.includes(value) ? bad(`one of ${schema.enum.join(', ')}`) : [];
    }
    case 'integer': return Number.isInteger(value) ? [] : bad('an integer');
    case 'number': return typeof value === 'number' ? [] : bad('a number');
    case 'boolean': return value === 0 || value === 1 ? [] : bad('0 or 1');
    case 'array': {
      if (!Array.isArray(value)) return bad('an array');
      return value.flatMap((v, i) => checkReturns(schema.items, v, `${at}[${i}]`));
    }
    case 'object': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return bad('an object');
      const obj = value as Record<string, unknown>;
      const props = schema.properties ?? {};
      const problems: string[] = [];
      for (const [k, s] of Object.entries(props)) {
        if (!(k in obj)) { if (!s.optional) problems.push(`${at}.${k}: required by the schema but missing`); continue; }
        problems.push(...checkReturns(s, obj[k], `${at}.${k}`));
      }
      if (schema.additionalProperties === 0) for (const k of Object.keys(obj)) if (!(k in props)) problems.push(`${at}.${k}: not in the schema`);
      return problems;
    }
    default: return [];
  }
}

// ---------------------------------------------------------------- the simulated cluster

export interface FakeNode {
  readonly name: string;
  readonly ip: string;
  online: boolean;
  uptime: number;
  /** What `disks/list` answers (handlers-hardware.ts). @default none */
  disks?: FakeDisk[];
  /** What `hardware/usb` answers (handlers-hardware.ts). @default none */
  usb?: FakeUsb[];
}

export interface FakeGuest {
  readonly vmid: number;
  node: string;
  readonly type: 'lxc' | 'qemu';
  readonly name: string;
  status: 'running' | 'stopped';
  tags?: string;
  uptime?: number;
  /** What `GET .../config` answers (handlers-config.ts). */
  config?: FakeGuestConfig;
  /** `GET .../config` fails with this HTTP status (e.g. 403 for a guest the token may not audit). */
  configStatus?: { status: number; text: string };
}

export interface FakeCluster {
  readonly nodes: FakeNode[];
  readonly guests: FakeGuest[];
  quorate: boolean;
  cephHealth: 'HEALTH_OK' | 'HEALTH_WARN' | 'HEALTH_ERR';
  cephChecks?: Record<string, string>;
  /** The accepted `user@realm!tokenid=secret`. */
  readonly token: string;
  /** Status polls a task reports `running` before it stops. @default 1 */
  taskPolls?: number;
  /** Exit status of the task that acts on a VMID, when it should fail. */
  taskExit?: Record<number, string>;
}

export interface RecordedRequest {
  readonly method: string;
  /** Path template from the schema, e.g. `/nodes/{node}/lxc/{vmid}/status/start`. */
  readonly template: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
}

export interface Rejection {
  readonly method: string;
  readonly path: string;
  readonly reasons: readonly string[];
}

export interface PveTestServer {
  /** `http://127.0.0.1:<port>/`: what PROXMOX_VE_ENDPOINT would hold. */
  readonly endpoint: string;
  readonly cluster: FakeCluster;
  /** Requests the schema accepted, in order. */
  readonly requests: RecordedRequest[];
  /** Requests the schema rejected (answered 501). */
  readonly rejections: Rejection[];
  /** Canned answers that did not match the schema's `returns` (a bug in this server). */
  readonly cannedFaults: string[];
  close(): Promise<void>;
}

interface Task { upid: string; node: string; type: string; id: string; user: string; starttime: number; polls: number; exitstatus: string }

export type Handler = (ctx: { params: Record<string, string>; cluster: FakeCluster; tasks: Map<string, Task>; user: string }) =>
  { status?: number; statusText?: string; data: unknown };

let taskCounter = 0;

function newTask(cluster: FakeCluster, tasks: Map<string, Task>, node: string, type: string, vmid: number, user: string, exitstatus: string): string {
  taskCounter++;
  const hex = (n: number): string => n.toString(16).toUpperCase().padStart(8, '0');
  const starttime = 1_767_225_600 + taskCounter;
  const upid = `UPID:${node}:${hex(4000 + taskCounter)}:${hex(100000 + taskCounter)}:${hex(starttime)}:${type}:${vmid}:${user}:`;
  tasks.set(upid, { upid, node, type, id: String(vmid), user, starttime, polls: cluster.taskPolls ?? 1, exitstatus });
  return upid;
}

function guestAction(action: 'start' | 'stop' | 'shutdown', type: 'lxc' | 'qemu'): Handler {
  const taskType = `${type === 'lxc' ? 'vz' : 'qm'}${action}`;
  return ({ params, cluster, tasks, user }) => {
    const vmid = Number(params.vmid);
    const guest = cluster.guests.find((g) => g.vmid === vmid && g.type === type && g.node === params.node);
    if (!guest) return { status: 500, statusText: `Configuration file 'nodes/${params.node}/${type === 'lxc' ? 'lxc' : 'qemu-server'}/${vmid}.conf' does not exist`, data: null };
    if (action === 'start' && guest.status === 'running') return { status: 500, statusText: `${type === 'lxc' ? 'CT' : 'VM'} ${vmid} already running`, data: null };
    if (action !== 'start' && guest.status === 'stopped') return { status: 500, statusText: `${type === 'lxc' ? 'CT' : 'VM'} ${vmid} not running`, data: null };
    const exit = cluster.taskExit?.[vmid] ?? 'OK';
    if (exit === 'OK') {
      guest.status = action === 'start' ? 'running' : 'stopped';
      guest.uptime = action === 'start' ? 1 : 0;
    }
    return { data: newTask(cluster, tasks, params.node!, taskType, vmid, user, exit) };
  };
}

function resources(cluster: FakeCluster, type: string | undefined): unknown[] {
  const guests = cluster.guests.map((g) => ({
    id: `${g.type}/${g.vmid}`, type: g.type, node: g.node, vmid: g.vmid, name: g.name, status: g.status,
    uptime: g.status === 'running' ? g.uptime ?? 3600 : 0, template: 0, maxcpu: 2, maxmem: 2_147_483_648, mem: 536_870_912, cpu: 0.02,
    disk: 1_073_741_824, maxdisk: 8_589_934_592, netin: 1000, netout: 2000, diskread: 10, diskwrite: 20,
    ...(g.tags !== undefined ? { tags: g.tags } : {}),
  }));
  const nodes = cluster.nodes.map((n) => ({
    id: `node/${n.name}`, type: 'node', node: n.name, status: n.online ? 'online' : 'offline', uptime: n.online ? n.uptime : 0,
    maxcpu: 4, maxmem: 8_589_934_592, mem: 4_294_967_296, cpu: 0.1, level: '', 'cgroup-mode': 2,
  }));
  if (type === 'vm') return guests;
  if (type === 'node') return nodes;
  if (type === 'storage' || type === 'sdn') return [];
  return [...nodes, ...guests];
}

const HANDLERS: Record<string, Handler> = {
  'GET /cluster/resources': ({ params, cluster }) => ({ data: resources(cluster, params.type) }),
  'GET /cluster/status': ({ cluster }) => ({
    data: [
      { type: 'cluster', id: 'cluster', name: 'test-cluster', nodes: cluster.nodes.length, quorate: cluster.quorate ? 1 : 0, version: 7 },
      ...cluster.nodes.map((n, i) => ({ type: 'node', id: `node/${n.name}`, name: n.name, ip: n.ip, online: n.online ? 1 : 0, local: i === 0 ? 1 : 0, nodeid: i + 1, level: '' })),
    ],
  }),
  'GET /cluster/ceph/status': ({ cluster }) => ({
    data: {
      fsid: '5f3c1c4e-0000-4000-8000-000000000001',
      health: {
        status: cluster.cephHealth,
        checks: Object.fromEntries(Object.entries(cluster.cephChecks ?? {}).map(([k, m]) => [k, { severity: cluster.cephHealth, summary: { message: m, count: 1 }, muted: false }])),
        mutes: [],
      },
      osdmap: { num_osds: 6, num_up_osds: 6, num_in_osds: 6 },
      pgmap: { num_pgs: 129, pgs_by_state: [{ state_name: 'active+clean', count: 129 }] },
    },
  }),
  'GET /nodes/{node}/tasks/{upid}/status': ({ params, tasks }) => {
    const t = tasks.get(params.upid!);
    if (!t || t.node !== params.node) return { status: 500, statusText: `unable to open file '/var/log/pve/tasks/active' for ${params.upid}`, data: null };
    const running = t.polls > 0;
    if (running) t.polls--;
    return {
      data: {
        upid: t.upid, node: t.node, pid: 4000, pstart: 100000, starttime: t.starttime, type: t.type, id: t.id, user: t.user,
        status: running ? 'running' : 'stopped', ...(running ? {} : { exitstatus: t.exitstatus }),
      },
    };
  },
  'POST /nodes/{node}/lxc/{vmid}/status/start': guestAction('start', 'lxc'),
  'POST /nodes/{node}/lxc/{vmid}/status/stop': guestAction('stop', 'lxc'),
  'POST /nodes/{node}/lxc/{vmid}/status/shutdown': guestAction('shutdown', 'lxc'),
  'POST /nodes/{node}/qemu/{vmid}/status/start': guestAction('start', 'qemu'),
  'POST /nodes/{node}/qemu/{vmid}/status/stop': guestAction('stop', 'qemu'),
  'POST /nodes/{node}/qemu/{vmid}/status/shutdown': guestAction('shutdown', 'qemu'),
  ...HARDWARE_HANDLERS,
  ...CONFIG_HANDLERS,
};

function guestCurrent(type: 'lxc' | 'qemu'): Handler {
  return ({ params, cluster }) => {
    const g = cluster.guests.find((x) => x.vmid === Number(params.vmid) && x.type === type && x.node === params.node);
    if (!g) return { status: 500, statusText: `Configuration file 'nodes/${params.node}/${type}/${params.vmid}.conf' does not exist`, data: null };
    return { data: { vmid: g.vmid, name: g.name, status: g.status, uptime: g.status === 'running' ? g.uptime ?? 3600 : 0, cpus: 2, maxmem: 2_147_483_648, ha: { managed: 0 }, ...(type === 'qemu' ? { qmpstatus: g.status } : { type: 'lxc' }) } };
  };
}
HANDLERS['GET /nodes/{node}/lxc/{vmid}/status/current'] = guestCurrent('lxc');
HANDLERS['GET /nodes/{node}/qemu/{vmid}/status/current'] = guestCurrent('qemu');

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function defaultCluster(overrides: Partial<FakeCluster> = {}): FakeCluster {
  return {
    nodes: [{ name: 'n1', ip: '10.20.0.11', online: true, uptime: 86_400 }, { name: 'n2', ip: '10.20.0.12', online: true, uptime: 86_400 }],
    guests: [],
    quorate: true,
    cephHealth: 'HEALTH_OK',
    token: 'homelab@pve!fleet=00000000-0000-4000-8000-000000000000',
    ...overrides,
  };
}

export interface TestServerOptions {
  /** Serve HTTPS with this key and certificate (PEM). @default - plain HTTP */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export async function startPveTestServer(cluster: FakeCluster = defaultCluster(), options: TestServerOptions = {}): Promise<PveTestServer> {
  const endpoints = endpointsOf(loadApidata());
  const requests: RecordedRequest[] = [];
  const rejections: Rejection[] = [];
  const cannedFaults: string[] = [];
  const tasks = new Map<string, Task>();

  const send = (res: ServerResponse, status: number, statusText: string, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, statusText, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };

  const listener: RequestListener = (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = req.method ?? 'GET';
      const prefix = '/api2/json';
      if (!url.pathname.startsWith(`${prefix}/`)) {
        rejections.push({ method, path: url.pathname, reasons: ['not under /api2/json'] });
        return send(res, 501, 'Not Implemented', { data: null, message: 'not under /api2/json' });
      }
      const path = url.pathname.slice(prefix.length);
      const reject = (reasons: string[]): void => {
        rejections.push({ method, path, reasons });
        send(res, 501, `Not Implemented: ${reasons[0]!.replace(/[^\x20-\x7e]/g, '?').slice(0, 200)}`, { data: null, errors: reasons });
      };
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('PVEAPIToken=')) return send(res, 401, 'No ticket', { data: null });
      if (auth.slice('PVEAPIToken='.length) !== cluster.token) return send(res, 401, 'invalid token value!', { data: null });
      const user = cluster.token.slice(0, cluster.token.lastIndexOf('='));

      const match = matchRequest(endpoints, method, path);
      if (!match.ok) return reject([match.reason]);
      if (match.info.allowtoken === 0) return reject([`${method} ${match.endpoint.template} does not allow API tokens`]);

      const params = new Map<string, string[]>();
      const add = (k: string, v: string): void => { params.set(k, [...(params.get(k) ?? []), v]); };
      for (const [k, v] of url.searchParams) add(k, v);
      const body = await readBody(req);
      if (body) {
        if (method === 'GET' || method === 'DELETE') return reject([`${method} with a request body`]);
        const type = req.headers['content-type'] ?? '';
        if (type.startsWith('application/json')) {
          for (const [k, v] of Object.entries(JSON.parse(body) as Record<string, unknown>)) add(k, String(v));
        } else if (type.startsWith('application/x-www-form-urlencoded')) {
          for (const [k, v] of new URLSearchParams(body)) add(k, v);
        } else return reject([`unsupported content type ${JSON.stringify(type)}`]);
      }
      for (const [k, v] of Object.entries(match.pathParams)) {
        if (params.has(k)) return reject([`parameter ${k} given both in the path and the request`]);
        add(k, v);
      }
      const problems = checkParams(match.info, params);
      if (problems.length) return reject(problems);

      const flat = Object.fromEntries([...params].map(([k, v]) => [k, v[0]!]));
      requests.push({ method, template: match.endpoint.template, path, params: flat });
      const handler = HANDLERS[`${method} ${match.endpoint.template}`];
      const out = handler ? handler({ params: flat, cluster, tasks, user }) : { data: null };
      if ((out.status ?? 200) === 200) {
        const faults = checkReturns(match.info.returns, out.data);
        if (faults.length) {
          cannedFaults.push(...faults.map((f) => `${method} ${match.endpoint.template}: ${f}`));
          return send(res, 500, 'canned answer does not match the schema', { data: null, errors: faults });
        }
      }
      send(res, out.status ?? 200, out.statusText ?? 'OK', { data: out.data });
    })().catch((error: unknown) => send(res, 500, 'test server error', { data: null, message: String(error) }));
  };
  const server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, listener) : createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/`,
    cluster,
    requests,
    rejections,
    cannedFaults,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
