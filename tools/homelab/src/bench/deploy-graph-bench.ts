/**
 * `npm run bench:deploy-graph`: how close `homelab deploy` comes to the critical path of the
 * real graph. The embedded site is loaded and synthesized as `homelab deploy` does (loadHomelab,
 * synthesizeSite, deployUnitFromSynth; dist/ written to a temporary directory), then deployed
 * with a fake process boundary whose tools sleep set durations (the inputs below, scaled by
 * BENCH_DEPLOY_SCALE): no real tool runs, nothing outside the temporary directory is written.
 *
 * Reported per bound (services at once / Terraform calls at once): makespan (the whole
 * deployServices call: preflight, locks, copies, records included), the tool span (first tool
 * start to last tool end), the serial sum (every service's tools one after the other) and the
 * critical path (the longest dependsOn chain with those durations), and makespan / critical
 * path (issue 12's goal: <= 1.05 with enough parallelism). Never asserts: speed is measured
 * here, not in tests. The table is printed and written to dist/bench/deploy-graph.json.
 *
 * The bench removes each manifest's unmeasured inputs (preflight would refuse those services
 * until the site measures them); every variable the services read is set to a placeholder.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_TOOLS, DEPLOY_PARALLELISM, EXIT, dependencyWaves, deployServices, deployUnitFromSynth, loadHomelab, serviceCommands, synthesizeSite, writeDist,
  type DeployAction, type DeployEnv, type DeployUnit, type ToolSpawner,
} from '@homelab/core';
import { loadSite } from '../commands/context.ts';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const scale = Number(process.env.BENCH_DEPLOY_SCALE ?? 1);

/** Milliseconds each fake tool sleeps (before scaling): infra 300 (init + plan + apply), config 200, smoke 100. */
const DURATION_MS: Record<DeployAction, number> = { init: 100, plan: 100, apply: 100, token: 20, playbook: 200, smoke: 100 };
const sleepOf = (action: DeployAction, factor = scale): number => DURATION_MS[action] * factor;

interface Row {
  readonly parallelism: number;
  readonly proxmoxApiParallelism: number;
  readonly makespanMs: number;
  readonly toolSpanMs: number;
  readonly ratio: number;
  readonly toolSpanRatio: number;
  readonly maxRunning: number;
  readonly result: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function prepare(work: string): Promise<{ units: DeployUnit[]; env: DeployEnv; siteName: string }> {
  const site = await loadSite(root);
  const home = await loadHomelab(root, site);
  const synthesis = synthesizeSite(home);
  const distRoot = join(work, 'dist');
  for (const result of synthesis.results) await writeDist(distRoot, result);
  const units = synthesis.results.map((r) => {
    const unit = deployUnitFromSynth(r, { home, root, distRoot });
    const { unmeasured: _unmeasured, ...manifest } = unit.manifest;
    return { ...unit, manifest };
  });
  const names = new Set(units.flatMap((u) => [...u.env.map((e) => e.name), ...u.manifest.env]));
  const env: DeployEnv = { PATH: '/fake/bin', HOME: work, ...Object.fromEntries([...names].map((n) => [n, 'bench-placeholder'])) };
  return { units, env, siteName: site.name };
}

/** Each service's tools, one after the other, with the bench's durations. */
function serviceCost(unit: DeployUnit, env: DeployEnv, stateDir: string): number {
  const tools = { ...DEFAULT_TOOLS, tf: '/fake/bin/tofu', ansiblePlaybook: '/fake/bin/ansible-playbook', npx: '/fake/bin/npx' };
  return serviceCommands(unit, { tools, env, stateDir, root, smokeTarget: 'bench' }).reduce((ms, c) => ms + sleepOf(c.action), 0);
}

function criticalPath(units: readonly DeployUnit[], cost: ReadonlyMap<string, number>): { ms: number; path: string[] } {
  const deps = new Map(units.map((u) => [u.service, u.manifest.dependsOn.filter((d) => cost.has(d))]));
  const best = new Map<string, { ms: number; path: string[] }>();
  for (const name of dependencyWaves(deps).waves.flat()) {
    const before = deps.get(name)!.map((d) => best.get(d)!).sort((a, b) => b.ms - a.ms)[0];
    best.set(name, { ms: (before?.ms ?? 0) + cost.get(name)!, path: [...(before?.path ?? []), name] });
  }
  return [...best.values()].sort((a, b) => b.ms - a.ms)[0] ?? { ms: 0, path: [] };
}

async function run(units: readonly DeployUnit[], env: DeployEnv, siteName: string, work: string, parallelism: number, proxmoxApiParallelism: number, criticalMs: number, factor = scale): Promise<Row> {
  const stateDir = join(work, `state-${parallelism}-${proxmoxApiParallelism}-${factor}`);
  let firstStart = Infinity;
  let lastEnd = 0;
  const spawner: ToolSpawner = async (call) => {
    if (call.step === 'record') return { exitCode: 0, stdout: call.args[0] === 'rev-parse' ? 'bench\n' : '', stderr: '', durationMs: 0 };
    const action = (call as { action?: DeployAction }).action ?? 'init';
    const started = performance.now();
    firstStart = Math.min(firstStart, started);
    await sleep(sleepOf(action, factor));
    lastEnd = Math.max(lastEnd, performance.now());
    const exitCode = action === 'plan' ? 2 : 0;
    return { exitCode, stdout: action === 'token' ? 'bench@pve!bench=bench-token\n' : '', stderr: '', durationMs: performance.now() - started };
  };
  let maxRunning = 0;
  const started = performance.now();
  const summary = await deployServices(units, {
    root, stateDir, env, siteName, spawner, yes: true, parallelism, proxmoxApiParallelism,
    findExecutable: async (name) => `/fake/bin/${name}`,
    out: (line) => {
      const m = /^deploy: (\d+) running/.exec(line);
      if (m) maxRunning = Math.max(maxRunning, Number(m[1]));
    },
    err: () => undefined,
  });
  const makespanMs = performance.now() - started;
  if (summary.exitCode !== EXIT.ok) {
    const why = summary.problems.map((p) => `${p.code} ${p.path}: ${p.message}`).slice(0, 5).join('\n  ');
    throw new Error(`the bench deploy did not succeed (${summary.result}):\n  ${why || summary.services.filter((s) => s.status !== 'deployed').map((s) => `${s.service} ${s.status} ${s.reason ?? ''}`).join('\n  ')}`);
  }
  const toolSpanMs = lastEnd - firstStart;
  return { parallelism, proxmoxApiParallelism, makespanMs, toolSpanMs, ratio: makespanMs / criticalMs, toolSpanRatio: toolSpanMs / criticalMs, maxRunning, result: summary.result };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'homelab-deploy-graph-bench-'));
  try {
    const { units, env, siteName } = await prepare(work);
    const cost = new Map(units.map((u) => [u.service, serviceCost(u, env, join(work, 'state'))]));
    const serialMs = [...cost.values()].reduce((a, b) => a + b, 0);
    const critical = criticalPath(units, cost);
    const n = units.length;
    const bounds: [number, number][] = [
      [DEPLOY_PARALLELISM.services, DEPLOY_PARALLELISM.proxmoxApi],
      [n, DEPLOY_PARALLELISM.proxmoxApi],
      [n, n],
    ];
    const rows: Row[] = [];
    for (const [p, api] of bounds) rows.push(await run(units, env, siteName, work, p, api, critical.ms));
    // What bounds the ratio: the runner's own work (copies, fsynced records, locks, preflight)
    // with tools that take no time at all, every service at once.
    const overhead = await run(units, env, siteName, work, n, n, critical.ms, 0);
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`deploy graph bench: ${n} services of the embedded site, fake tools (ms: ${Object.entries(DURATION_MS).map(([k, v]) => `${k} ${v * scale}`).join(', ')})`);
    console.log(`  serial sum     ${s(serialMs)}`);
    console.log(`  critical path  ${s(critical.ms)}: ${critical.path.join(' -> ')}`);
    console.log('');
    console.log('  services  api  makespan  tool span  makespan/critical  tool span/critical  most running');
    for (const r of rows) {
      console.log(`  ${String(r.parallelism).padStart(8)}  ${String(r.proxmoxApiParallelism).padStart(3)}  ${s(r.makespanMs).padStart(8)}  ${s(r.toolSpanMs).padStart(9)}  ${r.ratio.toFixed(3).padStart(17)}  ${r.toolSpanRatio.toFixed(3).padStart(18)}  ${String(r.maxRunning).padStart(12)}`);
    }
    const out = join(root, 'dist', 'bench');
    mkdirSync(out, { recursive: true });
    const file = join(out, 'deploy-graph.json');
    writeFileSync(file, `${JSON.stringify({
      at: new Date().toISOString(), services: n, scale, durationsMs: Object.fromEntries(Object.entries(DURATION_MS).map(([k, v]) => [k, v * scale])),
      serialSumMs: serialMs, criticalPathMs: critical.ms, criticalPath: critical.path, goal: { ratio: 1.05 }, rows,
      overheadMakespanMs: overhead.makespanMs,
    }, null, 2)}\n`);
    console.log(`\n  the runner's own work (tools of 0 ms, ${n} at once): makespan ${s(overhead.makespanMs)}; critical path + that: ${s(critical.ms + overhead.makespanMs)}`);
    console.log(`  written to ${file}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
