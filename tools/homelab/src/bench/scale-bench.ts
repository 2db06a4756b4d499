/**
 * `npm run bench:scale`: how the commands grow with the size of the homelab. For each size
 * (BENCH_SCALE_SIZES, default 26,100,500) a synthetic homelab (scale-workspace.ts) is written to a
 * temporary workspace, and each command runs there as an operator runs it, once, under
 * /usr/bin/time: synth, validate with schemas only (cache off) and with every tool (the new
 * workspace's cache is empty, so cold; it fills the cache), plan with that warm cache, and `nx graph`. Reports wall time and peak
 * RSS per command and size, the time per service, and each size against the smallest (the goal:
 * 500 services within 20× the 26-service time, peak RSS ≤ 500 MB). Printed and written as JSON
 * (BENCH_SCALE_JSON, default dist/bench/scale.json). Never asserts: speed is measured here.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createScaleWorkspace } from './scale-workspace.ts';

const repo = fileURLToPath(new URL('../../../..', import.meta.url));
const cli = join(repo, 'tools/homelab/src/main.ts');

export interface Measured { readonly seconds: number; readonly peakRssMiB: number; readonly ok: boolean; readonly detail?: string }

export const SCALE_COMMANDS: readonly { readonly label: string; readonly argv: (ws: string) => string[]; readonly env?: Record<string, string> }[] = [
  { label: 'synth', argv: (ws) => ['node', '--import', 'tsx', cli, 'synth', '--root', ws] },
  { label: 'validate, schemas only', argv: (ws) => ['node', '--import', 'tsx', cli, 'validate', '--root', ws], env: { HOMELAB_VALIDATE_TOOLS: 'off', HOMELAB_VALIDATE_CACHE: 'off', CI: '' } },
  // The workspace is new, so its validation cache is empty: this run is cold, and fills the cache the plan below finds.
  { label: 'validate, every tool', argv: (ws) => ['node', '--import', 'tsx', cli, 'validate', '--root', ws] },
  { label: 'plan, validation cache warm', argv: (ws) => ['node', '--import', 'tsx', cli, 'plan', '--root', ws] },
  { label: 'nx graph', argv: (ws) => [join(repo, 'node_modules/.bin/nx'), 'graph', `--file=${join(ws, 'graph.json')}`] },
];

function measure(ws: string, argv: readonly string[], env: Record<string, string> = {}): Measured {
  const r = spawnSync('/usr/bin/time', ['-f', 'BENCH %e %M', ...argv], {
    cwd: ws, encoding: 'utf8', maxBuffer: 256 << 20,
    // CI=true: a validator missing on this machine is an error, not a skipped check.
    env: { ...process.env, HOMELAB_SITE: './site.ts', NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true', ...env },
  });
  const line = r.stderr.split('\n').reverse().find((l) => l.startsWith('BENCH '));
  const [, seconds, kib] = line?.split(' ') ?? [];
  const ok = r.status === 0;
  const detail = ok ? undefined : (r.stderr.replace(/^BENCH .*$/m, '').trim() || r.stdout.trim()).split('\n').slice(-3).join(' | ').slice(0, 300);
  return { seconds: Number(seconds), peakRssMiB: Number(kib) / 1024, ok, ...(detail ? { detail } : {}) };
}

export interface ScaleResult { readonly size: number; readonly command: string; readonly measured: Measured }

/** Each command once per size, each size in its own temporary workspace (removed after). */
export function measureScale(sizes: readonly number[], labels?: readonly string[], log: (line: string) => void = (l) => console.error(l)): ScaleResult[] {
  const commands = labels ? SCALE_COMMANDS.filter((c) => labels.includes(c.label)) : SCALE_COMMANDS;
  const results: ScaleResult[] = [];
  for (const size of sizes) {
    const ws = createScaleWorkspace(repo, size);
    try {
      for (const c of commands) {
        const measured = measure(ws, c.argv(ws), c.env);
        results.push({ size, command: c.label, measured });
        log(`scale ${size}: ${c.label}: ${measured.ok ? `${measured.seconds.toFixed(2)} s, ${measured.peakRssMiB.toFixed(0)} MiB` : `FAILED ${measured.detail}`}`);
      }
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  }
  return results;
}

function main(): void {
  const sizes = (process.env.BENCH_SCALE_SIZES ?? '26,100,500').split(',').map(Number).filter((n) => n > 0);
  const jsonPath = process.env.BENCH_SCALE_JSON ?? join(repo, 'dist/bench/scale.json');
  // BENCH_SCALE_COMMANDS: a semicolon-separated subset of the labels (default: all).
  const labels = process.env.BENCH_SCALE_COMMANDS?.split(';').map((l) => l.trim());
  const results = measureScale(sizes, labels);
  const commands = labels ? SCALE_COMMANDS.filter((c) => labels.includes(c.label)) : SCALE_COMMANDS;
  const base = Math.min(...sizes);
  const cell = (m: Measured | undefined): string => (!m ? '-' : m.ok ? `${m.seconds.toFixed(2)} s` : 'FAILED');
  const header = ['command', ...sizes.map((s) => `${s} services`), `${Math.max(...sizes)} vs ${base} (size ×${(Math.max(...sizes) / base).toFixed(1)})`, 'peak RSS'];
  const rows = commands.map((c) => {
    const at = (s: number) => results.find((r) => r.size === s && r.command === c.label)?.measured;
    const small = at(base);
    const large = at(Math.max(...sizes));
    const growth = small?.ok && large?.ok ? `${(large.seconds / small.seconds).toFixed(1)}×` : '-';
    const rss = Math.max(...results.filter((r) => r.command === c.label && r.measured.ok).map((r) => r.measured.peakRssMiB));
    return [c.label, ...sizes.map((s) => cell(at(s))), growth, Number.isFinite(rss) ? `${rss.toFixed(0)} MiB` : '-'];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const print = (r: readonly string[]) => console.log(`  ${r.map((v, i) => v.padEnd(widths[i]!)).join('  ')}`);
  console.log(`homelab scale bench (synthetic homelabs: one LXC shape, fan-out 3; goal: ${Math.max(...sizes)} services ≤ 20× the 26-service time, peak RSS ≤ 500 MB)`);
  print(header);
  for (const r of rows) print(r);
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify({ sizes, results }, null, 2)}\n`);
  console.log(`written: ${jsonPath}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
