/**
 * `homelab group | patch | status`: fleet operations over Nx's project graph and the Proxmox
 * API. Exit codes: 0 done; 1 an operation or check failed (API error, unreachable endpoint,
 * task or tool failure, unhealthy cluster); 2 bad input (unknown group, service, layer or
 * flag); 3 refused by a group rule (always on, dependents running, hardware-bound bulk
 * operation, ...), a held lock or a VPN stop not confirmed; 4 not set up (API variables or a
 * required tool missing); 130 interrupted.
 *
 * `patch` and `group start|stop` take the deploy locks of every service whose guests they touch,
 * plus the fleet lock (FLEET_LOCK), so two fleet operations never overlap and a deploy of a
 * service being patched is refused; `--dry-run` takes none but names any holder. SIGINT,
 * SIGTERM and SIGHUP stop them cleanly: the running tool's process group is interrupted, nothing
 * further starts, the locks are released and a summary is printed (exit 130).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  DeployLockBusyError, EXIT as CORE_EXIT, FLEET_LOCK, InterruptedError, LockWaitAbortedError, acquireDeployLocks, describeOwner, inspectDeployLock, managementVpnServices,
  type DeployLocks, type GroupPlan, type PveAccess, type PveSettings, type RunSignals,
  ClusterUnhealthyError, PveClient, PveError, PveNotConfiguredError, Progress, ToolFailedError, ToolNotFoundError,
  buildStatus, execaRunner, findOnPath, formatGroupList, formatGroupPlan, formatPatchPlan, formatStatus, groupViews,
  adminTokenNeed, isError, loadHomelab, pveAccessMissing, loadServiceGraph, planGroupOperation, planPatch, pveSettingsFromEnv,
  readFleetState, readNxProjectGraph, serviceState, readRecordedDeploys, deployStateDir, runGroupPlan, runPatchPlan, describeAction, PATCH_LAYERS,
  type FleetState, type GraphReader, type Homelab, type ProcessRunner, type PveTransport, type ServiceGraph, type Site,
} from '@homelab/core';
import { loadSite, type CommandOptions } from './context.ts';
import { terminalConfirm } from './deploy-confirm.ts';
import { notConfigured, pveAccess, pveClientOf, tokenIssuers } from './pve-access.ts';

export const EXIT = { ok: CORE_EXIT.ok, failed: CORE_EXIT.failed, usage: CORE_EXIT.usage, refused: CORE_EXIT.refused, notConfigured: CORE_EXIT.setup, interrupted: CORE_EXIT.interrupted } as const;

/** The flag that confirms `group stop` of the management VPN without a terminal question. */
export const CONFIRM_VPN_STOP_FLAG = '--confirm-vpn-stop';

export const FLEET_USAGE = `usage:
  homelab group list [--json]
  homelab group stop <group> [--service <name>]... [--dry-run] [--timeout <s>] [--force] [--parallel <n>]
                [--lock-wait <s>] [--confirm-vpn-stop]
  homelab group start <group> [--service <name>]... [--dry-run] [--parallel <n>] [--lock-wait <s>]
  homelab patch proxmox|lxc|docker|talos|pi [--dry-run] [--parallel <n>] [--service <name>]...
                [--image <installer>] [--ssh-user <user>] [--health-timeout <s>] [--lock-wait <s>]
  homelab status [--service <name>]... [--json]
  homelab adopt [--service <name>]... [--write] [--json]
  homelab drift [--service <name>]... [--json]
  homelab discover [--node <name>] [--json]
  API: PROXMOX_VE_ENDPOINT (else the first node's https://<ip>:8006/), PROXMOX_VE_API_TOKEN (else the token
       \`homelab deploy\` stored in <state>/secrets/proxmox-api-token); TLS: --ca-file <pem> | HOMELAB_PVE_CA_FILE, --insecure | PROXMOX_VE_INSECURE=true`;

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
  /** The API endpoint of a node, for the gates that ask a node which is not rebooting. @default https://<node ip>:<configured port>/ */
  readonly nodeEndpoint?: (node: { readonly name: string; readonly ip: string }, configured: PveSettings) => string;
  /** Stands in for the terminal question (stopping the management VPN). */
  readonly confirm?: (question: string) => Promise<boolean>;
  /** Whether there is a terminal to ask in. @default stdin and stderr are TTYs */
  readonly isTTY?: boolean;
  /** Replace the SIGINT/SIGTERM/SIGHUP handlers (tests): aborted = interrupted. */
  readonly signals?: RunSignals;
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
  group: { ...COMMON, timeout: { type: 'string' }, force: { type: 'boolean' }, parallel: { type: 'string' }, 'lock-wait': { type: 'string' }, 'confirm-vpn-stop': { type: 'boolean' } },
  patch: { ...COMMON, parallel: { type: 'string' }, image: { type: 'string' }, 'ssh-user': { type: 'string' }, 'health-timeout': { type: 'string' }, 'lock-wait': { type: 'string' } },
  status: COMMON,
  adopt: { ...COMMON, write: { type: 'boolean' } },
  drift: COMMON,
  discover: { ...COMMON, node: { type: 'string' } },
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

function nonNegativeInt(values: Values, name: string): number {
  const raw = values[name];
  if (raw === undefined) return 0;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number of seconds (0: fail at once); received ${JSON.stringify(raw)}.`);
  return Number(raw);
}

function positiveInt(values: Values, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || n < 1) throw new UsageError(`--${name} must be a positive whole number; received ${JSON.stringify(raw)}.`);
  return n;
}

export async function runFleet(command: string, options: CommandOptions, given: FleetDeps): Promise<number> {
  // Its own object per run: the API access is resolved (and announced) once per run (./pve-access.ts).
  const deps: FleetDeps = { ...given };
  try {
    if (command === 'group') return await groupCommand(options, deps);
    if (command === 'patch') return await patchCommand(options, deps);
    if (command === 'status') return await statusCommand(options, deps);
    if (command === 'adopt' || command === 'drift') return await clusterCommand(command, options, deps);
    if (command === 'discover') return await discoverCommand(options, deps);
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
  if (error instanceof DeployLockBusyError) {
    deps.err(`homelab: refused: ${error.message}`);
    return EXIT.refused;
  }
  if (error instanceof LockWaitAbortedError || error instanceof InterruptedError) {
    deps.err(`homelab: ${error.message}`);
    return EXIT.interrupted;
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

/** The access when it is configured (exported or stored token, endpoint), else undefined. */
async function apiAccess(site: Site, deps: FleetDeps): Promise<PveAccess | undefined> {
  const access = await pveAccess(site, deps);
  return access.configured ? access : undefined;
}

/** The configured API, pointed at one node's own address (same port, token and TLS settings). */
function nodeClients(access: PveAccess, site: Site, values: Values, deps: FleetDeps): (node: string) => PveClient {
  const configured = pveSettingsFromEnv(access.env, site.providerEnv, {
    ...(typeof values['ca-file'] === 'string' ? { caFile: values['ca-file'] } : {}),
    ...(values.insecure ? { insecure: true } : {}),
  });
  const endpointOf = deps.nodeEndpoint ?? ((n, c) => `${c.baseUrl.protocol}//${n.ip}:${c.baseUrl.port || (c.baseUrl.protocol === 'https:' ? '443' : '80')}/`);
  const cache = new Map<string, PveClient>();
  return (name) => {
    const node = site.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`${name} is not a node of the site`);
    let client = cache.get(name);
    if (!client) {
      client = pveClientOf(access, site, values, deps, endpointOf(node, configured));
      cache.set(name, client);
    }
    return client;
  };
}

/** The lock names an operation takes: the fleet lock and its services' deploy locks. */
const lockNames = (services: readonly string[]): string[] => [FLEET_LOCK, ...services];

/** --dry-run takes no lock but says who holds one, and that the real run would be refused. */
async function reportLockHolders(what: string, services: readonly string[], deps: FleetDeps): Promise<void> {
  for (const name of lockNames(services)) {
    const held = await inspectDeployLock(deployStateDir(deps.env), name);
    if (!held) continue;
    const holder = held.owner ? describeOwner(held.owner) : 'an unreadable lock file';
    deps.out(`note: ${name === FLEET_LOCK ? 'the fleet lock' : `the deploy lock of ${name}`} (${held.path}) is held by ${holder}${held.stale ? ' (stale: its process is gone; the real run would reclaim it)' : `: the real ${what} would be refused`}.`);
  }
}

async function takeLocks(services: readonly string[], values: Values, deps: FleetDeps, signal: AbortSignal): Promise<DeployLocks> {
  return acquireDeployLocks(deployStateDir(deps.env), lockNames(services), {
    waitMs: nonNegativeInt(values, 'lock-wait') * 1000,
    signal,
    onWait: (m) => deps.err(`homelab: ${m}`),
  });
}

interface Interrupts extends Required<RunSignals> {
  /** The signal received first, once there is one. */
  readonly received: () => NodeJS.Signals | undefined;
  readonly stop: () => void;
}

/**
 * SIGINT, SIGTERM and SIGHUP (a dropped SSH session): the first interrupts the running tool and
 * starts nothing further; a second terminates the tool.
 */
function listenForSignals(what: string, deps: FleetDeps): Interrupts {
  if (deps.signals) {
    const signal = deps.signals.signal ?? new AbortController().signal;
    return { signal, forceSignal: deps.signals.forceSignal ?? new AbortController().signal, received: () => (signal.aborted ? 'SIGINT' : undefined), stop: () => {} };
  }
  const interrupt = new AbortController();
  const terminate = new AbortController();
  let first: NodeJS.Signals | undefined;
  const ignoreBrokenPipe = (): void => {};
  const onSignal = (sig: NodeJS.Signals): void => {
    // After SIGHUP the terminal may be gone: a write must not crash the cleanup.
    if (sig === 'SIGHUP') { process.stdout.on('error', ignoreBrokenPipe); process.stderr.on('error', ignoreBrokenPipe); }
    if (!interrupt.signal.aborted) {
      first = sig;
      deps.err(`\nhomelab ${what}: ${sig} received: interrupting the running step (its tool gets SIGINT), starting nothing more, then releasing the locks.${sig === 'SIGINT' ? ' Ctrl-C again to terminate the tool.' : ''}`);
      interrupt.abort();
    } else if (!terminate.signal.aborted) {
      deps.err(`homelab ${what}: second ${sig}: terminating the running tool (SIGTERM).`);
      terminate.abort();
    }
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of signals) process.on(sig, onSignal);
  return {
    signal: interrupt.signal, forceSignal: terminate.signal, received: () => first,
    stop: () => { for (const sig of signals) process.off(sig, onSignal); },
  };
}

/**
 * `group stop` of a group holding the management VPN: refused unless confirmed, by a terminal
 * question or --confirm-vpn-stop. Returns the refusal message, or undefined to go on.
 */
async function vpnStopRefusal(home: Homelab, plan: Extract<GroupPlan, { kind: 'plan' }>, values: Values, deps: FleetDeps): Promise<string | undefined> {
  if (plan.op !== 'stop') return undefined;
  const vpn = managementVpnServices(home);
  const stopping = [...new Set(plan.waves.flat().map((a) => a.service))].filter((s) => vpn.includes(s));
  if (!stopping.length || values['confirm-vpn-stop'] === true) return undefined;
  const port = home.site.wireguard?.port;
  const what = `${stopping.join(', ')} ${stopping.length === 1 ? 'is' : 'are'} the management VPN (UDP ${port}, site.wireguard): stopping it drops every remote session that came in through it, and it can then only be started again from the LAN.`;
  const interactive = deps.isTTY ?? (process.stdin.isTTY === true && process.stderr.isTTY === true);
  const confirm = deps.confirm ?? (interactive ? terminalConfirm() : undefined);
  if (confirm) {
    deps.err(`homelab: ${what}`);
    if (await confirm('Stop the management VPN? [y/N]')) return undefined;
    return `VpnStop: ${stopping.join(', ')} not stopped: not confirmed. Nothing was stopped.`;
  }
  return `VpnStop: ${what} Nothing was stopped. Run it from a terminal to be asked, or pass ${CONFIRM_VPN_STOP_FLAG} if you are on the LAN (or have another way in).`;
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
  const access = offline.kind !== 'usage' ? await apiAccess(site, deps) : undefined;
  if (access) {
    client = pveClientOf(access, site, values, deps);
    try {
      state = await readFleetState(client);
    } catch (error) {
      // Refused anyway: say why, and that the live rules could not be checked.
      if (offline.kind !== 'refused' || !(error instanceof PveError)) throw error;
      deps.err(`homelab: the live rules were not checked: ${error.message}`);
    }
  } else if (offline.kind === 'plan' && !dryRun) {
    throw notConfigured(`group ${sub} starts and stops guests`, await pveAccess(site, deps), site, tokenIssuers(home), ' (or use --dry-run to see the order)');
  }
  const plan = state ? planGroupOperation(home, graph, state, request) : offline;
  if (plan.kind === 'usage') { deps.err(`homelab: ${plan.message}`); return EXIT.usage; }
  if (plan.kind === 'refused') {
    deps.err(`homelab: group ${sub} ${group} refused:`);
    for (const r of plan.refusals) deps.err(`  ${r.code}: ${r.message}`);
    return EXIT.refused;
  }
  const lockServices = [...new Set(plan.waves.flat().map((a) => a.service))].sort();
  if (dryRun || !client) {
    for (const l of formatGroupPlan(plan)) deps.out(l);
    if (sub === 'stop' && lockServices.some((s) => managementVpnServices(home).includes(s))) {
      deps.out(`note: this stops the management VPN (${managementVpnServices(home).join(', ')}): the real run asks first, or needs ${CONFIRM_VPN_STOP_FLAG}.`);
    }
    await reportLockHolders(`group ${sub}`, lockServices, deps);
    deps.out(`(dry run: nothing was ${sub === 'stop' ? 'stopped' : 'started'})`);
    return EXIT.ok;
  }
  for (const s of plan.skipped) deps.out(`skip ${s.service}: ${s.reason}`);
  if (!plan.waves.length) { deps.out(`group ${sub} ${group}: nothing to do.`); return EXIT.ok; }
  const refusal = await vpnStopRefusal(home, plan, values, deps);
  if (refusal) {
    deps.err(`homelab: group ${sub} ${group} refused:`);
    deps.err(`  ${refusal}`);
    return EXIT.refused;
  }
  const interrupts = listenForSignals(`group ${sub}`, deps);
  let locks: DeployLocks | undefined;
  try {
    locks = await takeLocks(lockServices, values, deps, interrupts.signal);
    deps.out(`group ${sub} ${group}: ${plan.waves.flat().length} guest(s) in ${plan.waves.length} wave(s), ${sub === 'stop' ? 'leaves' : 'roots'} first`);
    const progress = new Progress(deps.out, deps.now);
    const result = await runGroupPlan(plan, client, { parallel, shutdownTimeoutSec: timeoutSec, force: values.force === true, progress, signal: interrupts.signal });
    await locks.release();
    const sig = interrupts.received();
    deps.out(`group ${sub} ${group}: ${sig ? `interrupted (${sig}): ` : ''}${result.done.length} done, ${result.failed.length} failed, ${result.unfinished.length ? `${result.unfinished.length} sent but not waited for, ` : ''}${result.notStarted.length} not started`);
    for (const f of result.failed) deps.err(`homelab: ${describeAction(f.action)}: ${f.message}`);
    for (const u of result.unfinished) deps.err(`homelab: ${describeAction(u)}: the ${sub} task was sent before the interrupt; Proxmox may still be carrying it out (homelab status shows the outcome).`);
    if (result.notStarted.length) deps.err(`homelab: not started: ${result.notStarted.map(describeAction).join(', ')}`);
    if (sig) { deps.err(`homelab: group ${sub} ${group}: interrupted by ${sig}; the locks are released.`); return EXIT.interrupted; }
    return result.failed.length ? EXIT.failed : EXIT.ok;
  } finally {
    await locks?.release();
    interrupts.stop();
  }
}

async function groupList(options: CommandOptions, deps: FleetDeps, site: Site, values: Values): Promise<number> {
  const { home, graph } = await load(options, deps, site);
  const views = groupViews(home, graph);
  let state: FleetState | undefined;
  let failure: unknown;
  const access = await apiAccess(site, deps);
  if (access) {
    try {
      state = await readFleetState(pveClientOf(access, site, values, deps));
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
    const missing = access ? undefined : pveAccessMissing(await pveAccess(site, deps), site, tokenIssuers(home));
    for (const l of formatGroupList(home, views, state, missing)) deps.out(l);
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
  const access = await apiAccess(site, deps);
  const configured = access !== undefined;
  const client = access ? pveClientOf(access, site, values, deps) : undefined;
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
    await reportLockHolders(`patch ${layer}`, plan.lockServices, deps);
    for (const t of missingTools) deps.out(`note: ${t} is not on PATH here; the real run would stop before starting.`);
    if (plan.needsApi && !configured) deps.out(`note: the gates read the Proxmox API; for the real run: ${pveAccessMissing(await pveAccess(site, deps), site, tokenIssuers(home))}.`);
    if (layer === 'lxc' && !configured) deps.out('note: without the API, stopped containers are not known and not skipped.');
    deps.out('(dry run: nothing was run)');
    return EXIT.ok;
  }
  if (missingTools.length) throw new ToolNotFoundError(missingTools[0]!, `homelab patch ${layer}`);
  if (plan.needsApi && !client) {
    throw notConfigured(`patch ${layer} waits for the cluster to be healthy`, await pveAccess(site, deps), site, tokenIssuers(home));
  }
  // The health gate reads the cluster and Ceph status, which homelab's Terraform token may not
  // (Sys.Audit on /, never granted to it: TERRAFORM_TOKEN_ADMIN_CALLS): refused before anything
  // runs, rather than at the first gate. An exported token is the operator's choice and is used.
  const adminNeed = adminTokenNeed('patch');
  if (plan.needsApi && access?.token.kind === 'stored' && adminNeed) {
    throw new PveNotConfiguredError([`homelab patch ${layer} gates every node on a healthy cluster, and the token stored in ${access.storedPath} (homelab's Terraform token) cannot read it: ${adminNeed}, which that token does not hold by design (least privilege). Export an administrator token as ${site.providerEnv.apiToken} for the patch (e.g. root@pam!homelab-bootstrap, which homelab bootstrap creates).`]);
  }
  for (const s of plan.skipped) deps.out(`skip ${s.name}: ${s.reason}`);
  const interrupts = listenForSignals(`patch ${layer}`, deps);
  let locks: DeployLocks | undefined;
  try {
    locks = await takeLocks(plan.lockServices, values, deps, interrupts.signal);
    deps.out(`homelab patch ${layer}: ${plan.title}`);
    const progress = new Progress(deps.out, deps.now);
    const run = await runPatchPlan(plan, {
      runner: deps.runner, progress, sleep: deps.sleep, now: deps.now, healthTimeoutMs, signal: interrupts.signal, forceSignal: interrupts.forceSignal,
      ...(client && access ? { client, clientFor: nodeClients(access, site, values, deps) } : {}), ...(deps.pollMs !== undefined ? { pollMs: deps.pollMs } : {}),
    });
    await locks.release();
    const sig = interrupts.received();
    const failed = run.results.filter((r) => !r.ok);
    deps.out(`patch ${layer}: ${sig ? `interrupted (${sig}): ` : ''}${run.results.length - failed.length} done, ${failed.length} ${sig ? 'failed or interrupted' : 'failed'}, ${run.notStarted.length} not started`);
    for (const r of run.results) for (const n of r.notes.filter((x) => !x.startsWith('not needed'))) deps.out(`  ${r.unit}: ${n}`);
    for (const f of failed) deps.err(`homelab: ${f.error}`);
    if (run.notStarted.length) deps.err(`homelab: not started (${sig ? `interrupted by ${sig}` : 'serial, stopped at the first failure'}): ${run.notStarted.join(', ')}`);
    for (const s of run.stillSet) {
      deps.err('homelab: ################################################################');
      deps.err(`homelab: ${s.what.toUpperCase()} IS STILL SET (${s.unit}): it could not be cleared:`);
      for (const r of s.reasons) deps.err(`homelab:   ${r}`);
      deps.err(`homelab: clear it as soon as the cluster is reachable: ${s.clear}`);
      deps.err('homelab: ################################################################');
    }
    if (sig) { deps.err(`homelab: patch ${layer}: interrupted by ${sig}; the locks are released.`); return EXIT.interrupted; }
    return failed.length || run.stillSet.length ? EXIT.failed : EXIT.ok;
  } finally {
    await locks?.release();
    interrupts.stop();
  }
}

// ------------------------------------------------------------------ adopt, drift

/** `adopt` and `drift` (their own modules): the cluster's guests against the model. */
async function clusterCommand(command: 'adopt' | 'drift', options: CommandOptions, deps: FleetDeps): Promise<number> {
  const { values, positionals } = parse(command, options);
  if (values.help) { deps.out(FLEET_USAGE); return EXIT.ok; }
  if (positionals.length) throw new UsageError(`${command} takes no argument; received ${positionals.join(' ')}. Name services with --service.`);
  const clientFor = (site: Site, access: PveAccess): PveClient => pveClientOf(access, site, values, deps);
  if (command === 'adopt') return (await import('./adopt.ts')).adoptCommand(options, deps, values, clientFor);
  return (await import('./drift.ts')).driftCommand(options, deps, values, clientFor);
}

// ------------------------------------------------------------------ discover

/** `discover` (its own module): the site's unmeasured inputs against the cluster's hardware listings. */
async function discoverCommand(options: CommandOptions, deps: FleetDeps): Promise<number> {
  const { values, positionals } = parse('discover', options);
  if (values.help) { deps.out(FLEET_USAGE); return EXIT.ok; }
  if (positionals.length) throw new UsageError(`discover takes no argument; received ${positionals.join(' ')}. Name a node with --node.`);
  return (await import('./discover.ts')).discoverCommand(options, deps, values, (site, access) => pveClientOf(access, site, values, deps));
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
  const access = await apiAccess(site, deps);
  const state = access ? await readFleetState(pveClientOf(access, site, values, deps)) : undefined;
  const records = await readRecordedDeploys(deployStateDir(deps.env), home.services.map((s) => s.name));
  const full = buildStatus(home, state, records);
  const report = named.length ? { ...full, rows: full.rows.filter((r) => named.includes(r.service)), unmanaged: [] } : full;
  if (values.json) deps.out(JSON.stringify(report, null, 2));
  else for (const l of formatStatus(report)) deps.out(l);
  if (!access) {
    deps.err(`homelab: live state unknown: ${pveAccessMissing(await pveAccess(site, deps), site, tokenIssuers(home))} (shown: repository and recorded versions only).`);
    return EXIT.notConfigured;
  }
  return EXIT.ok;
}
