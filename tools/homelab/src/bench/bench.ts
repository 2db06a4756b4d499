/**
 * `npm run bench`: how fast the homelab synthesizes, validates and plans. Prints a table; never
 * asserts (speed is measured here, not in tests).
 *
 *   in-process: load every package + build the model + synthesize every service (median of N)
 *   CLI:        `homelab plan` end to end (the main job, npm start)
 *   Nx:         `nx run-many -t synth` cold (cache skipped) and cached; `nx show projects --affected`
 *               for one changed package
 *   memory:     peak RSS of this process and of the CLI run
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadHomelab, synthesizeSite } from '@homelab/core';
import { site } from '@homelab/site';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const rows: [string, string][] = [];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeCommand(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const started = performance.now();
  const r = spawnSync(cmd, args, { cwd: root, env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - started;
  if (r.status !== 0) {
    rows.push([label, `FAILED (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`]);
    return NaN;
  }
  rows.push([label, `${(ms / 1000).toFixed(2)} s`]);
  return ms;
}

async function inProcess(): Promise<void> {
  const times: number[] = [];
  let services = 0;
  let files = 0;
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const home = await loadHomelab(root, site);
    const s = synthesizeSite(home);
    times.push(performance.now() - started);
    services = s.results.length;
    files = s.results.reduce((n, r) => n + r.files.size, 0);
  }
  rows.push([`in-process synth, all ${services} services (${files} files), first run`, `${times[0]!.toFixed(0)} ms`]);
  rows.push([`in-process synth, all services, median of ${rounds - 1} warm runs`, `${median(times.slice(1)).toFixed(0)} ms`]);
  rows.push(['peak RSS of the in-process runs', `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`]);
}

function cliPeakRss(): void {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', 'npx', '--no-install', 'tsx', 'tools/homelab/src/main.ts', 'plan'], { cwd: root, encoding: 'utf8' });
  const kib = Number(r.stderr.trim().split('\n').at(-1));
  rows.push(['peak RSS of `homelab plan`', Number.isFinite(kib) ? `${(kib / 1024).toFixed(0)} MiB` : 'n/a (/usr/bin/time missing)']);
}

await inProcess();
timeCommand('`homelab plan` (npm start), every artifact validated (cache off), wall', 'npx', ['--no-install', 'tsx', 'tools/homelab/src/main.ts', 'plan'], { HOMELAB_VALIDATE_CACHE: 'off' });
timeCommand('`homelab plan` (npm start), unchanged homelab (validation cache warm), wall', 'npx', ['--no-install', 'tsx', 'tools/homelab/src/main.ts', 'plan']);
timeCommand('`homelab plan`, schemas only (HOMELAB_VALIDATE_TOOLS=off, cache off), wall', 'npx', ['--no-install', 'tsx', 'tools/homelab/src/main.ts', 'plan'], { HOMELAB_VALIDATE_CACHE: 'off', HOMELAB_VALIDATE_TOOLS: 'off' });
cliPeakRss();
// --skip-nx-cache does not store results, so "cold" is a reset cache followed by a normal run.
spawnSync('npx', ['--no-install', 'nx', 'reset', '--onlyCache'], { cwd: root, env: { ...process.env, NX_DAEMON: 'false' } });
timeCommand('`nx run-many -t synth` cold (after nx reset --onlyCache)', 'npx', ['--no-install', 'nx', 'run-many', '-t', 'synth', '--outputStyle=static']);
timeCommand('`nx run-many -t synth` cached', 'npx', ['--no-install', 'nx', 'run-many', '-t', 'synth', '--outputStyle=static']);
timeCommand('`nx show projects --affected` for one changed package', 'npx', ['--no-install', 'nx', 'show', 'projects', '--affected', '--files=packages/authentik/src/index.ts']);
timeCommand('`nx graph --file` (project graph)', 'npx', ['--no-install', 'nx', 'graph', '--file=/tmp/homelab-bench-graph.json']);

const width = Math.max(...rows.map(([k]) => k.length));
console.log(`homelab bench (node ${process.version}, ${execFileSync('nproc').toString().trim()} cores)`);
for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
