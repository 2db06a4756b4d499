/**
 * `npm run bench`: one table of issue 12's goals against what this checkout does now, printed and
 * written as JSON (default dist/bench/bench.json) for comparison between commits. Never asserts:
 * speed is measured here, not in tests.
 *
 *   npm run bench [-- --out <file>] [--only <id,id>] [--compare <old bench.json>]
 *   BENCH_ROUNDS=5      runs per row (default 3); the table shows the median, with every run in the JSON
 *   BENCH_ROW_BUDGET=60 seconds: a row stops repeating once its runs took this long (at least one run)
 *
 * Every command row gives wall time (median), CPU time of the whole process tree (user + sys,
 * median, from /usr/bin/time) and the machine's load average before and after: on a shared machine
 * wall time alone says little. The "cache warm" row is measured after a run that filled the
 * validation cache, and says how many services each run found there. Nx runs as `npm run
 * deploy:affected` and CI run it (NX_ISOLATE_PLUGINS=false, NX_DAEMON=false). The deploy row runs
 * deploy-graph-bench.ts (fake tools of set durations, the real graph), the scale rows
 * scale-bench.ts (synthetic homelabs of 26 and 500 services, one run each).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadHomelab, synthesizeSite } from '@homelab/core';
import { site } from '@homelab/site';
import { SCALE_COMMANDS, measureScale } from './scale-bench.ts';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const { values: flags } = parseArgs({
  options: { out: { type: 'string' }, only: { type: 'string' }, compare: { type: 'string' } },
  allowPositionals: false,
});
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const budgetMs = Math.max(1, Number(process.env.BENCH_ROW_BUDGET ?? 60)) * 1000;
const outFile = resolve(root, flags.out ?? 'dist/bench/bench.json');
const only = flags.only ? new Set(flags.only.split(',').map((s) => s.trim())) : undefined;
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** A goal: an upper bound in seconds, or a relation the bench cannot judge as one number. */
type Goal = { readonly maxSeconds: number } | { readonly text: string };

interface Run {
  readonly wallSeconds: number;
  /** user + sys of the process tree; undefined without /usr/bin/time. */
  readonly cpuSeconds?: number;
  readonly peakRssMiB?: number;
  /** Whatever the row reads from the output (cached services, ...). */
  readonly detail?: string;
}

interface Row {
  readonly id: string;
  readonly what: string;
  readonly goal?: Goal;
  readonly runs: readonly Run[];
  /** `measured`, or why not: `failed: ...`, `not measured yet (...)`. */
  readonly status: string;
  readonly medianSeconds?: number;
  readonly medianCpuSeconds?: number;
  readonly peakRssMiB?: number;
  readonly met?: boolean;
  readonly loadBefore: number;
  readonly loadAfter: number;
  readonly note?: string;
}

const rows: Row[] = [];

function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

// Nx as `npm run deploy:affected` and the CI workflow run it: plugins in Nx's own process, no daemon.
const BENCH_ENV = { NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

/** One command, timed: wall here, CPU and peak RSS of the tree from /usr/bin/time. */
function runOnce(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): { run?: Run; stdout: string; error?: string } {
  const scratch = mkdtempSync(join(tmpdir(), 'homelab-bench-'));
  const timeFile = join(scratch, 'time');
  const [file, argv] = timeBin ? [timeBin, ['-f', '%U %S %M', '-o', timeFile, cmd, ...args]] : [cmd, [...args]];
  const started = performance.now();
  const r = spawnSync(file, argv, { cwd: root, env: { ...process.env, ...BENCH_ENV, ...env }, encoding: 'utf8', maxBuffer: 256 << 20 });
  const wallSeconds = (performance.now() - started) / 1000;
  let cpuSeconds: number | undefined;
  let peakRssMiB: number | undefined;
  if (timeBin && existsSync(timeFile)) {
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
    const [user, sys, rss] = last.split(' ').map(Number);
    if (Number.isFinite(user) && Number.isFinite(sys)) cpuSeconds = user! + sys!;
    if (Number.isFinite(rss)) peakRssMiB = rss! / 1024;
  }
  rmSync(scratch, { recursive: true, force: true });
  if (r.status !== 0) return { stdout: r.stdout ?? '', error: `exit ${r.status ?? r.signal}: ${`${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n').slice(-3).join(' | ')}` };
  return { stdout: r.stdout ?? '', run: { wallSeconds, ...(cpuSeconds !== undefined ? { cpuSeconds } : {}), ...(peakRssMiB !== undefined ? { peakRssMiB } : {}) } };
}

interface CommandRow {
  readonly id: string;
  readonly what: string;
  readonly goal?: Goal;
  readonly cmd: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Runs before every measured run (not timed): reset a cache. */
  readonly before?: () => void;
  /** Runs once before the first measured run (not timed): fill a cache. */
  readonly setup?: () => string | undefined;
  /** Reads a detail from the output (shown in the table, kept per run in the JSON). */
  readonly detail?: (stdout: string) => string | undefined;
  readonly note?: string;
}

function measure(spec: CommandRow): void {
  if (only && !only.has(spec.id)) return;
  const loadBefore = loadavg()[0]!;
  const setupError = spec.setup?.();
  const runs: Run[] = [];
  let error = setupError;
  let spent = 0;
  for (let i = 0; !error && i < rounds && (i === 0 || spent < budgetMs); i++) {
    spec.before?.();
    const r = runOnce(spec.cmd, spec.args, spec.env ?? {});
    if (!r.run) {
      error = r.error;
      break;
    }
    const detail = spec.detail?.(r.stdout);
    runs.push(detail ? { ...r.run, detail } : r.run);
    spent += r.run.wallSeconds * 1000;
  }
  const medianSeconds = median(runs.map((r) => r.wallSeconds));
  const cpu = runs.flatMap((r) => (r.cpuSeconds === undefined ? [] : [r.cpuSeconds]));
  const rss = runs.flatMap((r) => (r.peakRssMiB === undefined ? [] : [r.peakRssMiB]));
  rows.push({
    id: spec.id, what: spec.what, runs, loadBefore, loadAfter: loadavg()[0]!,
    status: error ? `failed: ${error}` : 'measured',
    ...(spec.goal ? { goal: spec.goal } : {}),
    ...(medianSeconds !== undefined ? { medianSeconds } : {}),
    ...(cpu.length ? { medianCpuSeconds: median(cpu)! } : {}),
    ...(rss.length ? { peakRssMiB: Math.max(...rss) } : {}),
    ...(spec.goal && 'maxSeconds' in spec.goal && medianSeconds !== undefined && !error ? { met: medianSeconds <= spec.goal.maxSeconds } : {}),
    ...(spec.note ? { note: spec.note } : {}),
  });
}

async function inProcess(): Promise<void> {
  if (only && !only.has('synth-in-process')) return;
  const loadBefore = loadavg()[0]!;
  const times: number[] = [];
  let services = 0;
  let files = 0;
  for (let i = 0; i < rounds + 1; i++) {
    const started = performance.now();
    const home = await loadHomelab(root, site);
    const s = synthesizeSite(home);
    times.push((performance.now() - started) / 1000);
    services = s.results.length;
    files = s.results.reduce((n, r) => n + r.files.size, 0);
  }
  rows.push({
    id: 'synth-in-process', what: `in-process load + synth, all ${services} services (${files} files), warm (first run ${times[0]!.toFixed(2)} s)`,
    runs: times.slice(1).map((wallSeconds) => ({ wallSeconds })), status: 'measured', medianSeconds: median(times.slice(1))!,
    peakRssMiB: process.resourceUsage().maxRSS / 1024, loadBefore, loadAfter: loadavg()[0]!,
  });
}

const homelab = ['--no-install', 'tsx', 'tools/homelab/src/main.ts'];
const nx = (...args: string[]): [string, string[]] => ['npx', ['--no-install', 'nx', ...args]];
const resetNxCache = (): void => {
  spawnSync('npx', ['--no-install', 'nx', 'reset', '--onlyCache'], { cwd: root, env: { ...process.env, ...BENCH_ENV }, stdio: 'ignore' });
};
/** `Validation: ... ; 26 unchanged services from the validation cache` → `26 of 26 services cached`. */
const cachedServices = (stdout: string): string => {
  const cached = /; (\d+) unchanged services? from the validation cache/.exec(stdout)?.[1] ?? '0';
  const total = /: (\d+) services in \d+ waves/.exec(stdout)?.[1];
  return `${cached}${total ? ` of ${total}` : ''} services from the cache`;
};
const CHANGED = 'packages/authentik/src/index.ts';

await inProcess();
measure({
  id: 'plan-cache-off', what: '`homelab plan`, every real validator, cache off', goal: { maxSeconds: 3 },
  cmd: 'npx', args: [...homelab, 'plan'], env: { HOMELAB_VALIDATE_CACHE: 'off', CI: '' },
});
measure({
  id: 'plan-cache-warm', what: '`homelab plan`, validation cache warm (after a run that filled it)', goal: { maxSeconds: 1.5 },
  cmd: 'npx', args: [...homelab, 'plan'], env: { CI: '' },
  setup: () => runOnce('npx', [...homelab, 'plan'], { CI: '' }).error,
  detail: cachedServices,
});
measure({
  id: 'plan-schemas-only', what: '`homelab plan`, schemas only (HOMELAB_VALIDATE_TOOLS=off, cache off)',
  cmd: 'npx', args: [...homelab, 'plan'], env: { HOMELAB_VALIDATE_CACHE: 'off', HOMELAB_VALIDATE_TOOLS: 'off', CI: '' },
});
// --skip-nx-cache does not store results, so "cold" is a reset cache followed by a normal run.
measure({
  id: 'nx-synth-cold', what: '`nx run-many -t synth`, cold (after nx reset --onlyCache)', goal: { maxSeconds: 3 },
  cmd: nx()[0], args: nx('run-many', '-t', 'synth', '--outputStyle=static')[1], before: resetNxCache,
});
measure({
  id: 'nx-synth-cached', what: '`nx run-many -t synth`, Nx cache warm',
  cmd: nx()[0], args: nx('run-many', '-t', 'synth', '--outputStyle=static')[1],
  setup: () => runOnce(...nx('run-many', '-t', 'synth', '--outputStyle=static'), {}).error,
});
measure({
  id: 'nx-show-affected', what: `\`nx show projects --affected\` (${CHANGED} changed)`, goal: { maxSeconds: 2 },
  cmd: nx()[0], args: nx('show', 'projects', '--affected', `--files=${CHANGED}`)[1],
});
measure({
  id: 'nx-graph', what: '`nx graph --file` (project graph)', goal: { maxSeconds: 2 },
  cmd: nx()[0], args: nx('graph', `--file=${join(tmpdir(), 'homelab-bench-graph.json')}`)[1],
});
measure({
  id: 'nx-affected-deploy-dry-run', what: `\`nx affected -t synth deploy --dry-run\`, one change (${CHANGED}), Nx cache reset first`, goal: { maxSeconds: 3 },
  cmd: nx()[0], args: nx('affected', '-t', 'synth', 'deploy', `--files=${CHANGED}`, '--dry-run', '--outputStyle=static')[1], before: resetNxCache,
  detail: (stdout) => /Successfully ran targets .*? for (\d+ projects?(?: and \d+ tasks? they depend on)?)/.exec(stdout)?.[1],
});
deployGraphRow();
scaleRows();

interface DeployGraphDoc {
  readonly services: number;
  readonly serialSumMs: number;
  readonly criticalPathMs: number;
  readonly overheadMakespanMs: number;
  readonly rows: readonly { readonly parallelism: number; readonly proxmoxApiParallelism: number; readonly makespanMs: number; readonly ratio: number }[];
}

/**
 * Issue 12 item 3: `homelab deploy` of the real graph with fake tools of set durations
 * (deploy-graph-bench.ts, its own process), against the critical path; the row is the run with
 * enough parallelism for every service, the defaults' ratio beside it.
 */
function deployGraphRow(): void {
  if (only && !only.has('deploy-makespan')) return;
  const loadBefore = loadavg()[0]!;
  const file = join(root, 'dist', 'bench', 'deploy-graph.json');
  const r = runOnce('npx', ['--no-install', 'tsx', 'tools/homelab/src/bench/deploy-graph-bench.ts'], {});
  const what = '`homelab deploy` of every service, fake tools of set durations: makespan / critical path';
  if (!r.run || !existsSync(file)) {
    rows.push({ id: 'deploy-makespan', what, goal: { text: '≤ 1.05 × critical path' }, runs: [], status: `failed: ${r.error ?? `no ${file}`}`, loadBefore, loadAfter: loadavg()[0]! });
    return;
  }
  const doc = JSON.parse(readFileSync(file, 'utf8')) as DeployGraphDoc;
  const wide = doc.rows.find((x) => x.parallelism === doc.services && x.proxmoxApiParallelism === doc.services) ?? doc.rows.at(-1)!;
  const defaults = doc.rows[0]!;
  const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  rows.push({
    id: 'deploy-makespan', what, goal: { text: '≤ 1.05 × critical path' },
    runs: [{ wallSeconds: wide.makespanMs / 1000, detail: `× ${wide.ratio.toFixed(3)} of the critical path ${sec(doc.criticalPathMs)} with ${wide.parallelism} at once; serial sum ${sec(doc.serialSumMs)}; defaults (${defaults.parallelism} services, ${defaults.proxmoxApiParallelism} Terraform) × ${defaults.ratio.toFixed(3)}; the runner's own work ${sec(doc.overheadMakespanMs)}` }],
    status: 'measured', medianSeconds: wide.makespanMs / 1000, loadBefore, loadAfter: loadavg()[0]!, met: wide.ratio <= 1.05,
  });
}

/**
 * Issue 12 item 4: each command on a synthetic homelab of 26 and of 500 services (scale-bench.ts,
 * once each: the 500-service runs are long); the goal is 500 within 20 × the 26-service time.
 */
function scaleRows(): void {
  const ids = SCALE_COMMANDS.map((c) => `scale-500-${c.label.replace(/[^a-z]+/g, '-').replace(/-$/, '')}`);
  if (only && ![...ids, 'scale-500-rss'].some((id) => only.has(id))) return;
  const loadBefore = loadavg()[0]!;
  const results = measureScale([26, 500]);
  const loadAfter = loadavg()[0]!;
  SCALE_COMMANDS.forEach((c, i) => {
    const small = results.find((r) => r.size === 26 && r.command === c.label)?.measured;
    const large = results.find((r) => r.size === 500 && r.command === c.label)?.measured;
    const ratio = small?.ok && large?.ok ? large.seconds / small.seconds : undefined;
    rows.push({
      id: ids[i]!, what: `500 synthetic services: ${c.label}`, goal: { text: '≤ 20 × the 26-service time' },
      runs: large?.ok ? [{ wallSeconds: large.seconds, peakRssMiB: large.peakRssMiB, ...(ratio !== undefined ? { detail: `26 services: ${small!.seconds.toFixed(2)} s, × ${ratio.toFixed(1)}` } : {}) }] : [],
      status: !large?.ok ? `failed: ${large?.detail ?? 'not run'}` : !small?.ok ? `failed at 26 services: ${small?.detail ?? 'not run'}` : 'measured',
      loadBefore, loadAfter,
      ...(large?.ok ? { medianSeconds: large.seconds, peakRssMiB: large.peakRssMiB } : {}),
      ...(ratio !== undefined ? { met: ratio <= 20 } : {}),
    });
  });
  const rss = results.filter((r) => r.size === 500 && r.measured.ok).map((r) => r.measured.peakRssMiB);
  rows.push({
    id: 'scale-500-rss', what: '500 synthetic services: peak RSS of the commands above', goal: { text: '≤ 500 MB' },
    runs: rss.length ? [{ wallSeconds: 0, peakRssMiB: Math.max(...rss), detail: `${Math.max(...rss).toFixed(0)} MiB` }] : [],
    status: rss.length ? 'measured' : 'failed: no command ran', loadBefore, loadAfter,
    // MiB to MB: the goal is in MB.
    ...(rss.length ? { peakRssMiB: Math.max(...rss), met: Math.max(...rss) * 1.048576 <= 500 } : {}),
  });
}

// ---------------------------------------------------------------------------------------------
// Output: one table, and the JSON.

const commit = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).stdout.trim() !== '';
const doc = {
  schema: 1,
  at: new Date().toISOString(),
  commit, dirty,
  node: process.version,
  cores: availableParallelism(),
  rounds,
  rows,
};
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(doc, null, 2)}\n`);

const previous = flags.compare ? (JSON.parse(readFileSync(resolve(flags.compare), 'utf8')) as typeof doc) : undefined;
const s = (x: number | undefined): string => (x === undefined ? '' : `${x.toFixed(2)} s`);
const goalText = (g: Goal | undefined): string => (!g ? '—' : 'maxSeconds' in g ? `≤ ${g.maxSeconds} s` : g.text);
const table: string[][] = [['what', 'goal', 'now (median)', 'runs', 'CPU (median)', 'load 1m', 'verdict', ...(previous ? ['before'] : [])]];
for (const r of rows) {
  const before = previous?.rows.find((p) => p.id === r.id);
  const details = [...new Set(r.runs.flatMap((run) => (run.detail ? [run.detail] : [])))].join('; ');
  table.push([
    r.what,
    goalText(r.goal),
    r.status === 'measured' ? `${s(r.medianSeconds)}${details ? ` (${details})` : ''}` : r.status,
    String(r.runs.length),
    s(r.medianCpuSeconds),
    `${r.loadBefore.toFixed(1)}→${r.loadAfter.toFixed(1)}`,
    r.met === undefined ? (r.goal && r.status !== 'measured' ? '—' : '') : r.met ? 'met' : 'NOT met',
    ...(previous ? [before?.medianSeconds !== undefined ? s(before.medianSeconds) : '—'] : []),
  ]);
}
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
const rssRow = rows.find((r) => r.id === 'plan-cache-off')?.peakRssMiB;
console.log(`homelab bench: ${commit.slice(0, 12)}${dirty ? ' (uncommitted changes)' : ''}, node ${process.version}, ${availableParallelism()} cores, up to ${rounds} runs per row`);
console.log(line(table[0]!));
console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
for (const row of table.slice(1)) console.log(line(row));
if (rssRow !== undefined) console.log(`peak RSS of \`homelab plan\` (cache off): ${rssRow.toFixed(0)} MiB`);
console.log(`written: ${outFile}`);
