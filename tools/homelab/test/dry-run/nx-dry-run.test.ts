/**
 * A dry run through Nx changes nothing anywhere, upstream deploys included, and shows every
 * command it would run. Tested the way it failed: `nx run arr:deploy --dry-run` ran the deploys
 * of proxmox and traefik for real (`^deploy` did not pass `--dry-run` on), and only a missing
 * variable in their preflight stopped them. So here every variable a deploy reads is set to a
 * dummy value (the preflight passes), the deploy tools are stand-ins that log each call, and each
 * of the four ways to ask for a dry run runs Nx for real in a throwaway copy of the workspace.
 *
 * Slow (each Nx start builds the project graph; the first run synthesizes and validates every
 * service), so: one copy, one describe, steps in sequence, and generous timeouts.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendFromEnv, deployUnitFromSynth, loadHomelab, synthesizeSite } from '@homelab/core';
import { loadSite } from '../../src/commands/context.ts';
import { changingCalls, readToolCalls, writeRecordingTools } from './recording-tools.ts';
import { commitAll, throwawayWorkspace } from './throwaway-workspace.ts';

const SOURCE = fileURLToPath(new URL('../../../../', import.meta.url));
// run-many validates all the services once (schema checks only, see isolatedEnv). The runs after
// it hit Nx's cache.
const NX_RUN_TIMEOUT_MS = 40 * 60_000;
const STEP_TIMEOUT_MS = NX_RUN_TIMEOUT_MS + 60_000;

let copy: string;
let scratch: string;
let log: string;
let state: string;
let env: NodeJS.ProcessEnv;
const started = Date.now();

/** Each service package's dependsOn in the model (an observer's watched services included), by directory. */
let modelDeps: ReadonlyMap<string, readonly string[]> = new Map();

/**
 * Every service and the services it depends on: the packages' package.json, and the model's
 * dependsOn (the edges the Nx plugin adds: monitoring observes services no package.json lists).
 */
function serviceGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const dir of readdirSync(join(root, 'packages'))) {
    if (!existsSync(join(root, 'packages', dir, 'src', 'index.ts'))) continue;
    const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const fromPackageJson = Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@homelab/')).map((d) => d.slice('@homelab/'.length));
    graph.set(dir, [...new Set([...fromPackageJson, ...(modelDeps.get(dir) ?? [])])]);
  }
  for (const [service, deps] of graph) graph.set(service, deps.filter((d) => graph.has(d)));
  return graph;
}

function upstreamOf(graph: Map<string, string[]>, service: string): Set<string> {
  const seen = new Set<string>();
  const visit = (s: string): void => {
    for (const d of graph.get(s) ?? []) if (!seen.has(d)) { seen.add(d); visit(d); }
  };
  visit(service);
  return seen;
}

function downstreamOf(graph: Map<string, string[]>, service: string): Set<string> {
  const seen = new Set<string>();
  const visit = (s: string): void => {
    for (const [other, deps] of graph) if (deps.includes(s) && !seen.has(other)) { seen.add(other); visit(other); }
  };
  visit(service);
  return seen;
}

/** Every variable a deploy of any service reads, each set to a harmless dummy. */
async function dummyDeployEnv(root: string): Promise<Record<string, string>> {
  const site = await loadSite(root);
  const home = await loadHomelab(root, site);
  const synthesis = synthesizeSite(home, { backend: backendFromEnv({}) });
  const names = new Set(synthesis.results.flatMap((r) => deployUnitFromSynth(r, { home, root, distRoot: join(root, 'dist') }).env.map((e) => e.name)));
  // An endpoint nothing listens on: were anything to call it, it fails at once.
  return Object.fromEntries([...names].sort().map((n) => [n, /ENDPOINT|URL/.test(n) ? 'https://127.0.0.1:1' : 'dummy-not-a-secret']));
}

/** The environment of the tests' runs: nothing inherited that could reach a real tool or cluster. */
function isolatedEnv(base: NodeJS.ProcessEnv, fakeBin: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (/^(NX_|PROXMOX_|TF_|HOMELAB_TF_|TALOSCONFIG|HOMELAB_SMOKE_|HOMELAB_STATE_DIR)/.test(k)) continue;
    out[k] = v;
  }
  return {
    ...out,
    PATH: `${fakeBin}:${base['PATH'] ?? ''}`,
    // `npm run`/`npx` put Node's directory (/usr/bin here) before fakeBin: pin the deploy's tools
    // to the stand-ins, or a real ansible-playbook would run against the site's real addresses.
    HOMELAB_TF_BIN: join(fakeBin, 'tofu'),
    HOMELAB_ANSIBLE_PLAYBOOK_BIN: join(fakeBin, 'ansible-playbook'),
    HOMELAB_TALOSCTL_BIN: join(fakeBin, 'talosctl'),
    HOMELAB_STATE_DIR: state,
    // What these runs check is which tools are called, not what the validators think of the files:
    // schema checks only (the real validators have their own tests, and CI's `npm start` runs them
    // all over the site). Outside CI "off" is a warning, not an error; it keeps run-many, which
    // validates every service twice (the validate target, then deploy's own check), in minutes.
    HOMELAB_VALIDATE_TOOLS: 'off',
    CI: '',
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
  };
}

interface Run { readonly status: number | null; readonly output: string }

function run(file: string, args: readonly string[]): Run {
  const r = spawnSync(file, args, { cwd: copy, env, encoding: 'utf8', timeout: NX_RUN_TIMEOUT_MS, maxBuffer: 256 * 1024 * 1024 });
  // Nx colours its output when it thinks it may (CI=true does): the checks read the plain text.
  return { status: r.status, output: stripVTControlCharacters(`${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n(spawn: ${r.error.message})` : ''}`) };
}

const nx = (...args: string[]): Run => run(join(copy, 'node_modules', '.bin', 'nx'), args);

/** Per service, the numbers of the commands the dry run printed (`[traefik] 1. infra: ...`), and where the first one was. */
function printedCommands(output: string): Map<string, { numbers: number[]; firstAt: number }> {
  const found = new Map<string, { numbers: number[]; firstAt: number }>();
  const lines = output.split('\n');
  lines.forEach((line, at) => {
    const m = /\[([a-z0-9-]+)\] (\d+)\. (infra|config|smoke|talos|root)[^:]*: /.exec(line);
    if (!m) return;
    const entry = found.get(m[1]!) ?? { numbers: [], firstAt: at };
    entry.numbers.push(Number(m[2]));
    found.set(m[1]!, entry);
  });
  return found;
}

/** The run changed nothing: no tool call but validate's offline checks, no record, no lock. */
function expectNothingChanged(r: Run): void {
  expect(changingCalls(log), r.output.slice(-4000)).toEqual([]);
  expect(existsSync(join(state, 'deployed')) ? readdirSync(join(state, 'deployed')) : []).toEqual([]);
  expect(existsSync(join(state, 'locks')) ? readdirSync(join(state, 'locks')) : []).toEqual([]);
  expect(existsSync(join(state, 'history.jsonl'))).toBe(false);
}

/** Every expected service printed its commands, numbered from 1, each after the services it depends on. */
function expectOrderedCommands(r: Run, services: Iterable<string>, graph: Map<string, string[]>): Map<string, { numbers: number[]; firstAt: number }> {
  const printed = printedCommands(r.output);
  for (const service of services) {
    const mine = printed.get(service);
    expect(mine, `${service} printed no command:\n${r.output.slice(-4000)}`).toBeDefined();
    expect(mine!.numbers).toEqual(mine!.numbers.map((_n, i) => i + 1));
    for (const dep of graph.get(service) ?? []) {
      const theirs = printed.get(dep);
      if (theirs) expect(theirs.firstAt, `${dep} before ${service}`).toBeLessThan(mine!.firstAt);
    }
  }
  return printed;
}

/**
 * The site pins no image checksum yet (nobody has read the vendors' lists), so a real deploy of
 * any guest would be refused by preflight. The harness's deploy is about which tools run: the copy
 * pins the fictional fixture checksums, and nothing of it leaves the copy.
 */
function pinFixtureImageChecksums(root: string): void {
  const file = join(root, 'libs', 'site', 'src', 'index.ts');
  appendFileSync(file, "\nimport { FIXTURE_IMAGE_CHECKSUMS } from '@homelab/core/testing';\nObject.assign(site, { imageChecksums: FIXTURE_IMAGE_CHECKSUMS });\n");
  commitAll(root, 'pin the fixture image checksums');
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'homelab-nx-dry-run-tools-'));
  log = join(scratch, 'calls.log');
  state = join(scratch, 'state');
  writeRecordingTools(join(scratch, 'bin'), log);
  copy = throwawayWorkspace(SOURCE);
  pinFixtureImageChecksums(copy);
  env = { ...isolatedEnv(process.env, join(scratch, 'bin')), ...(await dummyDeployEnv(SOURCE)) };
  const home = await loadHomelab(SOURCE, await loadSite(SOURCE));
  modelDeps = new Map(home.services.map((s) => [s.pkg.dir.slice('packages/'.length), s.dependsOn]));
}, 5 * 60_000);

afterAll(() => {
  console.log(`nx dry-run tests: ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
  if (copy) rmSync(copy, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('a dry run through Nx, with every variable set so the preflight passes', () => {
  it('nx run-many -t deploy --dry-run (with --yes too): every service, dry', () => {
    const graph = serviceGraph(copy);
    const r = nx('run-many', '-t', 'deploy', '--dry-run', '--yes', '--output-style=stream');
    expect(r.status, r.output.slice(-4000)).toBe(0);
    expectNothingChanged(r);
    const printed = expectOrderedCommands(r, graph.keys(), graph);
    expect([...printed.keys()].sort()).toEqual([...graph.keys()].sort());
  }, STEP_TIMEOUT_MS);

  it('the harness sees a deploy: an Nx deploy without --dry-run, with --yes, calls tofu apply', () => {
    // Proves the checks here can fail. proxmox depends on no other service, so one deploy.
    const graph = serviceGraph(copy);
    expect(graph.get('proxmox')).toEqual([]);
    try {
      const r = nx('run', 'proxmox:deploy', '--yes', '--skip-smoke', '--output-style=stream');
      expect(r.status, r.output.slice(-4000)).toBe(0);
      expect(readToolCalls(log).some((c) => c.tool === 'tofu' && c.args[0] === 'apply')).toBe(true);
      expect(readToolCalls(log).some((c) => c.tool === 'ansible-playbook' && c.args.includes('playbook.yml'))).toBe(true);
      expect(changingCalls(log).length).toBeGreaterThan(0);
    } finally {
      // Whatever happened, the later dry runs start from no record and no call.
      rmSync(log, { force: true });
      rmSync(state, { recursive: true, force: true });
    }
  }, STEP_TIMEOUT_MS);

  it('nx run arr:deploy --dry-run: arr and every service upstream, dry, in order', () => {
    const graph = serviceGraph(copy);
    const r = nx('run', 'arr:deploy', '--dry-run', '--output-style=stream');
    expect(r.status, r.output.slice(-4000)).toBe(0);
    expectNothingChanged(r);
    const upstream = upstreamOf(graph, 'arr');
    expect([...upstream].sort()).toEqual(expect.arrayContaining(['proxmox', 'traefik']));
    const printed = expectOrderedCommands(r, [...upstream, 'arr'], graph);
    expect([...printed.keys()].sort()).toEqual([...upstream, 'arr'].sort());
  }, STEP_TIMEOUT_MS);

  it('the second line of defence: without --dry-run and without --yes, no terminal, nothing is applied either', () => {
    // Should a path ever lose --dry-run, deploy without a terminal refuses to apply unless --yes.
    const r = nx('run', 'arr:deploy', '--output-style=stream');
    expect(r.status, r.output.slice(-4000)).not.toBe(0);
    // Refused by deploy itself (not stopped earlier by a failing synth or validate).
    expect(r.output).toMatch(/nx run @homelab\/[a-z0-9-]+:deploy\n[\s\S]*ConfirmationRequired at --yes/);
    expectNothingChanged(r);
  }, STEP_TIMEOUT_MS);

  it('nx affected -t deploy --dry-run: the changed service, its dependents and what they depend on, dry', () => {
    const graph = serviceGraph(copy);
    // A change to arr's changelog: arr is affected, and synth and validate stay cached (their
    // inputs leave *.md out), so only Nx's own start-up is paid again.
    appendFileSync(join(copy, 'packages', 'arr', 'CHANGELOG.md'), '\nTouched by the dry-run test.\n');
    commitAll(copy, 'touch arr');
    const affected = new Set(['arr', ...downstreamOf(graph, 'arr')]);
    const expected = new Set([...affected].flatMap((s) => [s, ...upstreamOf(graph, s)]));
    const r = nx('affected', '-t', 'deploy', '--base=HEAD~1', '--head=HEAD', '--dry-run', '--output-style=stream');
    expect(r.status, r.output.slice(-4000)).toBe(0);
    expectNothingChanged(r);
    const printed = expectOrderedCommands(r, expected, graph);
    expect([...printed.keys()].sort()).toEqual([...expected].sort());
  }, STEP_TIMEOUT_MS);

  it('npm run deploy:affected -- --dry-run: only what changed, validated first, dry, printed without --output-style', () => {
    // The previous step committed the change to arr.
    const graph = serviceGraph(copy);
    const affected = new Set(['arr', ...downstreamOf(graph, 'arr')]);
    const r = run('npm', ['run', '--silent', 'deploy:affected', '--', '--base=HEAD~1', '--head=HEAD', '--dry-run']);
    expect(r.status, r.output.slice(-4000)).toBe(0);
    expectNothingChanged(r);
    const printed = expectOrderedCommands(r, affected, graph);
    expect([...printed.keys()].sort()).toEqual([...affected].sort());
    for (const service of affected) expect(r.output).toContain(`nx run @homelab/${service}:validate`);
  }, STEP_TIMEOUT_MS);
});
