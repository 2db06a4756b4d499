/**
 * `homelab group | patch | status`: fleet operations over Nx's project graph and the Proxmox
 * API. Exit codes: 0 done; 1 an operation or check failed (API error, unreachable endpoint,
 * task or tool failure, unhealthy cluster); 2 bad input (unknown group, service, layer or
 * flag); 3 refused by a group rule (always on, dependents running, hardware-bound bulk
 * operation, ...); 4 not set up (API variables or a required tool missing).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  ClusterUnhealthyError, PveClient, PveError, PveNotConfiguredError, Progress, ToolFailedError, ToolNotFoundError,
  buildStatus, execaRunner, findOnPath, formatGroupList, formatGroupPlan, formatPatchPlan, formatStatus, groupViews,
  isError, isPveConfigured, loadHomelab, loadServiceGraph, planGroupOperation, planPatch, pveSettingsFromEnv,
  readFleetState, readNxProjectGraph, serviceState, readRecordedDeploys, deployStateDir, runGroupPlan, runPatchPlan, describeAction, PATCH_LAYERS,
  type FleetState, type GraphReader, type Homelab, type ProcessRunner, type PveTransport, type ServiceGraph, type Site,
} from '@homelab/core';
import { loadSite, type CommandOptions } from './context.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3, notConfigured: 4 } as const;

export const FLEET_USAGE = `usage:
  homelab group list [--json]
  homelab group stop <group> [--service <name>]... [--dry-run] [--timeout <s>] [--force] [--parallel <n>]
  homelab group start <group> [--service <name>]... [--dry-run] [--parallel <n>]
  homelab patch proxmox|lxc|docker|talos|pi [--dry-run] [--parallel <n>] [--service <name>]...
                [--image <installer>] [--ssh-user <user>] [--health-timeout <s>]
  homelab status [--service <name>]... [--json]
  API: PROXMOX_VE_ENDPOINT, PROXMOX_VE_API_TOKEN; TLS: --ca-file <pem> | HOMELAB_PVE_CA_FILE, --insecure | PROXMOX_VE_INSECURE=true`;

/** Everything the commands touch outside their arguments, so tests can replace it. */
export interface FleetDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly loadSite: (root: string) => Promise<Site>;
  readonly loadHomelab: (root: string, site: Site) => Promise<Homelab>;
  readonly readGraph: GraphReader;
  readonly runner: ProcessRunner;
  readonly findTool: (tool: string) => string | undefined;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  /** @default node:http/https */
  readonly transport?: PveTransport;
  /** Poll interval of gates and task waits. @default 10000 (gates) */
  readonly pollMs?: number;
}

export function defaultFleetDeps(): FleetDeps {
  return {
    env: process.env,
    out: (l) => console.log(l),
    err: (l) => console.error(l),
    loadSite,
    loadHomelab,
    readGraph: (root) => readNxProjectGraph(root),
    runner: execaRunner(),
    findTool: (t) => findOnPath(t, process.env.PATH),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: Date.now,
  };
}

class UsageError extends Error {}

const COMMON = {
  root: { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  service: { type: 'string', multiple: true, short: 's' },
  insecure: { type: 'boolean' },
  'ca-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const FLAGS = {
  group: { ...COMMON, timeout: { type: 'string' }, force: { type: 'boolean' }, parallel: { type: 'string' } },
  patch: { ...COMMON, parallel: { type: 'string' }, image: { type: 'string' }, 'ssh-user': { type: 'string' }, 'health-timeout': { type: 'string' } },
  status: COMMON,
} as const;

type Values = Record<string, string | boolean | string[] | undefined>;

/** Parses the arguments after the command (cli/fleet-commands.ts has checked them with commander already). */
function parse(command: keyof typeof FLAGS, options: CommandOptions): { values: Values; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: [...options.argv], options: FLAGS[command], allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const values = { ...parsed.values } as Values;
  if (options.dryRun) values['dry-run'] = true;
  if (options.json) values.json = true;
  const services = [...new Set([...options.services, ...((values.service as string[] | undefined) ?? [])])];
  if (services.length) values.service = services;
  return { values, positionals: parsed.positionals };
}

function positiveInt(values: Values, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || n < 1) throw new UsageError(`--${name} must be a positive whole number; received ${JSON.stringify(raw)}.`);
  return n;
}

export async function runFleet(command: string, options: CommandOptions, deps: FleetDeps): Promise<number> {
  try {
    if (command === 'group') return await groupCommand(options, deps);
    if (command === 'patch') return await patchCommand(options, deps);
    if (command === 'status') return await statusCommand(options, deps);
    throw new UsageError(`unknown fleet command "${command}".`);
  } catch (error) {
    return report(error, deps);
  }
}

function report(error: unknown, deps: FleetDeps): number {
  if (error instanceof UsageError) {
    deps.err(`homelab: ${error.message}`);
    deps.err(FLEET_USAGE);
    return EXIT.usage;
  }
  if (error instanceof PveNotConfiguredError || error instanceof ToolNotFoundError) {
    deps.err(`homelab: ${error.message}`);
    return EXIT.notConfigured;
  }
  if (error instanceof PveError || error instanceof ToolFailedError || error instanceof ClusterUnhealthyError) {
    deps.err(`homelab: ${error.message}`);
    return EXIT.failed;
  }
  throw error;
}

interface Loaded {
  readonly home: Homelab;
  readonly graph: ServiceGraph;
}

async function load(options: CommandOptions, deps: FleetDeps, site: Site): Promise<Loaded> {
  const home = await deps.loadHomelab(options.root, site);
  const errors = home.problems.filter(isError);
  if (errors.length) {
    deps.err(`homelab: warning: the model has ${errors.length} problem${errors.length === 1 ? '' : 's'} (run \`homelab validate\`); fleet operations use what loaded:`);
    for (const p of errors.slice(0, 5)) deps.err(`homelab: warning:   ${p.source}: ${p.path}: ${p.code}: ${p.message}`);
  }
  const graph = await loadServiceGraph(options.root, home, deps.readGraph);
  if (graph.source === 'model') {
    deps.err('homelab: WARNING: the Nx project graph is NOT available:');
    deps.err(`homelab: WARNING:   ${graph.fallback}`);
    deps.err("homelab: WARNING: falling back to the services' dependsOn from the model for the dependency order.");
  }
  for (const w of graph.warnings) deps.err(`homelab: warning: ${w}`);
  return { home, graph };
}

function pveClient(site: Site, values: Values, deps: FleetDeps): PveClient {
  const settings = pveSettingsFromEnv(deps.env, site.providerEnv, {
    ...(typeof values['ca-file'] === 'string' ? { caFile: values['ca-file'] } : {}),
    ...(values.insecure ? { insecure: true } : {}),
  });
  if (settings.insecure) deps.err(`homelab: warning: TLS verification of ${settings.endpoint} is off (--insecure / PROXMOX_VE_INSECURE).`);
  return new PveClient(settings, { sleep: deps.sleep, now: deps.now, ...(deps.transport ? { transport: deps.transport } : {}) });
}

function apiConfigured(site: Site, deps: FleetDeps): boolean {
  return isPveConfigured(deps.env, site.providerEnv);
}

// ------------------------------------------------------------------ group

async function groupCommand(options: CommandOptions, deps: FleetDeps): Promise<number> {
  const { values, positionals } = parse('group', options);
  if (values.help) { deps.out(FLEET_USAGE); return EXIT.ok; }
  const [sub, group, ...extra] = positionals;
  const site = await deps.loadSite(options.root);
  const groups = Object.keys(site.groups);
  if (sub === 'list') {
    if (group !== undefined) throw new UsageError(`group list takes no argument; received ${JSON.stringify(group)}.`);
    return groupList(options, deps, site, values);
  }
  if (sub !== 'start' && sub !== 'stop') throw new UsageError(sub === undefined ? 'group needs a subcommand: list, start or stop.' : `unknown group subcommand "${sub}". Use list, start or stop.`);
  if (group === undefined) throw new UsageError(`group ${sub} needs a group. Groups: ${groups.join(', ')}.`);
  if (extra.length) throw new UsageError(`group ${sub} takes one group; received also ${extra.join(' ')}. Name services with --service.`);
  if (!site.groups[group]) { deps.err(`homelab: unknown group "${group}". Groups: ${groups.join(', ')}.`); return EXIT.usage; }
  const dryRun = values['dry-run'] === true;
  const parallel = positiveInt(values, 'parallel', 4);
  const timeoutSec = positiveInt(values, 'timeout', 120);
  const services = (values.service as string[] | undefined) ?? [];

  const { home, graph } = await load(options, deps, site);
  const request = { op: sub, group, services } as const;
  // The rules that need no live state (always on, hardware-bound, names) answer without the API;
  // with the API, the live rules are checked too, so every reason is reported at once.
  const offline = planGroupOperation(home, graph, undefined, request);
  let client: PveClient | undefined;
  let state: FleetState | undefined;
  if (offline.kind !== 'usage' && apiConfigured(site, deps)) {
    client = pveClient(site, values, deps);
    try {
      state = await readFleetState(client);
    } catch (error) {
      // Refused anyway: say why, and that the live rules could not be checked.
      if (offline.kind !== 'refused' || !(error instanceof PveError)) throw error;
      deps.err(`homelab: the live rules were not checked: ${error.message}`);
    }
  } else if (offline.kind === 'plan' && !dryRun) {
    throw new PveNotConfiguredError([`homelab group ${sub} starts and stops guests through the Proxmox API: set ${site.providerEnv.endpoint} and ${site.providerEnv.apiToken} (or use --dry-run to see the order).`]);
  }
  const plan = state ? planGroupOperation(home, graph, state, request) : offline;
  if (plan.kind === 'usage') { deps.err(`homelab: ${plan.message}`); return EXIT.usage; }
  if (plan.kind === 'refused') {
    deps.err(`homelab: group ${sub} ${group} refused:`);
    for (const r of plan.refusals) deps.err(`  ${r.code}: ${r.message}`);
    return EXIT.refused;
  }
  if (dryRun || !client) {
    for (const l of formatGroupPlan(plan)) deps.out(l);
    deps.out(`(dry run: nothing was ${sub === 'stop' ? 'stopped' : 'started'})`);
    return EXIT.ok;
  }
  for (const s of plan.skipped) deps.out(`skip ${s.service}: ${s.reason}`);
  if (!plan.waves.length) { deps.out(`group ${sub} ${group}: nothing to do.`); return EXIT.ok; }
  deps.out(`group ${sub} ${group}: ${plan.waves.flat().length} guest(s) in ${plan.waves.length} wave(s), ${sub === 'stop' ? 'leaves' : 'roots'} first`);
  const progress = new Progress(deps.out, deps.now);
  const result = await runGroupPlan(plan, client, { parallel, shutdownTimeoutSec: timeoutSec, force: values.force === true, progress });
  deps.out(`group ${sub} ${group}: ${result.done.length} done, ${result.failed.length} failed, ${result.notStarted.length} not started`);
  for (const f of result.failed) deps.err(`homelab: ${describeAction(f.action)}: ${f.message}`);
  if (result.notStarted.length) deps.err(`homelab: not started: ${result.notStarted.map(describeAction).join(', ')}`);
  return result.failed.length ? EXIT.failed : EXIT.ok;
}

async function groupList(options: CommandOptions, deps: FleetDeps, site: Site, values: Values): Promise<number> {
  const { home, graph } = await load(options, deps, site);
  const views = groupViews(home, graph);
  let state: FleetState | undefined;
  let failure: unknown;
  if (apiConfigured(site, deps)) {
    try {
      state = await readFleetState(pveClient(site, values, deps));
    } catch (error) {
      failure = error;
    }
  }
  if (values.json) {
    deps.out(JSON.stringify({
      graph: { source: graph.source, method: graph.method ?? null, elapsedMs: graph.elapsedMs, fallback: graph.fallback ?? null },
      groups: views.map((v) => ({ ...v, state: state ? Object.fromEntries(v.members.map((m) => [m, serviceStateOf(home, m, state)])) : null })),
    }, null, 2));
  } else {
    for (const l of formatGroupList(home, views, state)) deps.out(l);
    deps.out('');
    deps.out(graph.source === 'nx' ? `graph: Nx project graph (${graph.method}, ${graph.elapsedMs} ms)` : 'graph: the model (Nx was not available)');
  }
  return failure === undefined ? EXIT.ok : report(failure, deps);
}

function serviceStateOf(home: Homelab, name: string, state: FleetState): string {
  const s = serviceState(home, home.byName.get(name)!, state);
  return s === 'not-a-guest' ? 'n/a' : s;
}

// ------------------------------------------------------------------ patch

async function patchCommand(options: CommandOptions, deps: FleetDeps): Promise<number> {
  const { values, positionals } = parse('patch', options);
  if (values.help) { deps.out(FLEET_USAGE); return EXIT.ok; }
  const [layer, ...extra] = positionals;
  if (layer === undefined) throw new UsageError(`patch needs a layer: ${PATCH_LAYERS.join(', ')}.`);
  if (extra.length) throw new UsageError(`patch takes one layer; received also ${extra.join(' ')}.`);
  if (!(PATCH_LAYERS as readonly string[]).includes(layer)) { deps.err(`homelab: unknown patch layer "${layer}". Layers: ${PATCH_LAYERS.join(', ')}.`); return EXIT.usage; }
  const dryRun = values['dry-run'] === true;
  const parallel = positiveInt(values, 'parallel', 4);
  const healthTimeoutMs = positiveInt(values, 'health-timeout', 1200) * 1000;
  const site = await deps.loadSite(options.root);
  const home = await deps.loadHomelab(options.root, site);
  const configured = apiConfigured(site, deps);
  const client = configured ? pveClient(site, values, deps) : undefined;
  const state = client && layer === 'lxc' ? await readFleetState(client) : undefined;
  const result = planPatch(home, layer, {
    parallel,
    services: (values.service as string[] | undefined) ?? [],
    ...(typeof values.image === 'string' ? { image: values.image } : {}),
    ...(typeof values['ssh-user'] === 'string' ? { sshUser: values['ssh-user'] } : {}),
    ...(state ? { state } : {}),
  });
  if (result.kind === 'usage') { deps.err(`homelab: ${result.message}`); return EXIT.usage; }
  const { plan } = result;
  const missingTools = plan.tools.filter((t) => !deps.findTool(t));
  if (dryRun) {
    for (const l of formatPatchPlan(plan)) deps.out(l);
    for (const t of missingTools) deps.out(`note: ${t} is not on PATH here; the real run would stop before starting.`);
    if (plan.needsApi && !configured) deps.out(`note: the gates read the Proxmox API; set ${site.providerEnv.endpoint} and ${site.providerEnv.apiToken} for the real run.`);
    if (layer === 'lxc' && !configured) deps.out('note: without the API, stopped containers are not known and not skipped.');
    deps.out('(dry run: nothing was run)');
    return EXIT.ok;
  }
  if (missingTools.length) throw new ToolNotFoundError(missingTools[0]!, `homelab patch ${layer}`);
  if (plan.needsApi && !client) {
    throw new PveNotConfiguredError([`homelab patch ${layer} waits for the cluster to be healthy through the Proxmox API: set ${site.providerEnv.endpoint} and ${site.providerEnv.apiToken}.`]);
  }
  for (const s of plan.skipped) deps.out(`skip ${s.name}: ${s.reason}`);
  deps.out(`homelab patch ${layer}: ${plan.title}`);
  const progress = new Progress(deps.out, deps.now);
  const run = await runPatchPlan(plan, {
    runner: deps.runner, progress, sleep: deps.sleep, now: deps.now, healthTimeoutMs,
    ...(client ? { client } : {}), ...(deps.pollMs !== undefined ? { pollMs: deps.pollMs } : {}),
  });
  const failed = run.results.filter((r) => !r.ok);
  deps.out(`patch ${layer}: ${run.results.length - failed.length} done, ${failed.length} failed, ${run.notStarted.length} not started`);
  for (const r of run.results) for (const n of r.notes.filter((x) => !x.startsWith('not needed'))) deps.out(`  ${r.unit}: ${n}`);
  for (const f of failed) deps.err(`homelab: ${f.error}`);
  if (run.notStarted.length) deps.err(`homelab: not started (serial, stopped at the first failure): ${run.notStarted.join(', ')}`);
  return failed.length ? EXIT.failed : EXIT.ok;
}

// ------------------------------------------------------------------ status

async function statusCommand(options: CommandOptions, deps: FleetDeps): Promise<number> {
  const { values, positionals } = parse('status', options);
  if (values.help) { deps.out(FLEET_USAGE); return EXIT.ok; }
  if (positionals.length) throw new UsageError(`status takes no argument; received ${positionals.join(' ')}. Name services with --service.`);
  const site = await deps.loadSite(options.root);
  const home = await deps.loadHomelab(options.root, site);
  const named = (values.service as string[] | undefined) ?? [];
  const unknown = named.filter((n) => !home.byName.has(n));
  if (unknown.length) { deps.err(`homelab: unknown service${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}. Services: ${home.services.map((s) => s.name).join(', ')}.`); return EXIT.usage; }
  const configured = apiConfigured(site, deps);
  const state = configured ? await readFleetState(pveClient(site, values, deps)) : undefined;
  const records = await readRecordedDeploys(deployStateDir(deps.env), home.services.map((s) => s.name));
  const full = buildStatus(home, state, records);
  const report = named.length ? { ...full, rows: full.rows.filter((r) => named.includes(r.service)), unmanaged: [] } : full;
  if (values.json) deps.out(JSON.stringify(report, null, 2));
  else for (const l of formatStatus(report)) deps.out(l);
  if (!configured) {
    deps.err(`homelab: live state unknown: set ${site.providerEnv.endpoint} and ${site.providerEnv.apiToken} (shown: repository and recorded versions only).`);
    return EXIT.notConfigured;
  }
  return EXIT.ok;
}
