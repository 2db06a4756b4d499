/**
 * Runs the real offline validators over services' dist/ directories, on top of the JSON-schema
 * checks (see docs/validation.md for the table of formats, tools and what each one cannot see).
 *
 * One temporary layout per service (layout.ts), all tool processes through one bounded pool
 * (run-validator.ts, default: one per core), and every tool that takes many files run ONCE over
 * all of them, across services (ansible-playbook --syntax-check, ansible-lint, shellcheck, each
 * promtool subcommand, systemd-analyze verify over hosts whose unit names do not meet). Tools that
 * take one input (terraform: one directory; nginx -t, amtool: one config; wg pubkey: one key) run
 * once per input, in parallel within the pool. Every result is per service and file; a missing
 * tool is a skipped check with a warning, or a failed one in CI.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ToolSpawner } from '../../process/run-tool.ts';
import type { ArtifactRecord } from '../../synth/manifest.ts';
import { checkAmtool, AMTOOL_CHECK } from './checks/amtool.ts';
import { ansiblePairs, checkAnsibleLint, checkAnsibleSyntax, LINT_CHECK, SYNTAX_CHECK } from './checks/ansible.ts';
import { checkNginx, NGINX_CHECK } from './checks/nginx.ts';
import { checkPromtool, PROMTOOL_CHECKS } from './checks/promtool.ts';
import { checkShellcheck, SHELLCHECK_CHECK } from './checks/shellcheck.ts';
import { checkSystemdUnits, SYSTEMD_CHECK, systemdBatches, unitsByHost } from './checks/systemd.ts';
import { checkTerraformDir, TERRAFORM_CHECK } from './checks/terraform.ts';
import { checkWgPubkey, checkWireguardParse, WG_PUBKEY_CHECK, WIREGUARD_PARSE_CHECK } from './checks/wireguard.ts';
import { isCi, locateTools, type ToolPaths, type ValidatorTool } from './find-tools.ts';
import { createLayouts, unmapPaths, type LaidOutArtifact } from './layout.ts';
import { baseEnv, createValidatorRunner, outputLines } from './run-validator.ts';
import type { ToolCheck, ToolCheckContext } from './tool-check.ts';

/** Manifest formats with a tool check, and the checks, in the order they are reported. */
export const TOOL_CHECKS: Readonly<Partial<Record<ArtifactRecord['format'], readonly string[]>>> = {
  'terraform-json': [TERRAFORM_CHECK],
  'prometheus-config': [PROMTOOL_CHECKS['prometheus-config']],
  'prometheus-rules': [PROMTOOL_CHECKS['prometheus-rules']],
  'prometheus-rules-test': [PROMTOOL_CHECKS['prometheus-rules-test']],
  'alertmanager-config': [AMTOOL_CHECK],
  'ansible-playbook': [SYNTAX_CHECK, LINT_CHECK],
  'ansible-inventory': [SYNTAX_CHECK],
  nginx: [NGINX_CHECK],
  wireguard: [WIREGUARD_PARSE_CHECK, WG_PUBKEY_CHECK],
  shell: [SHELLCHECK_CHECK],
  systemd: [SYSTEMD_CHECK],
};

export interface ToolCheckOptions {
  /** Problems name files relative to this directory. @default process.cwd() */
  readonly root?: string;
  /** Where PATH, HOME and CI are read. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A missing tool fails instead of warning. @default CI set in `env` */
  readonly ci?: boolean;
  /** Tool processes at once. @default os.availableParallelism() */
  readonly concurrency?: number;
  /** Pin tool paths, or `null` for "not installed" (tests). @default - found on PATH */
  readonly tools?: ToolPaths;
  /** The process boundary (tests). @default deploy/run-tool.ts's execa spawner */
  readonly spawner?: ToolSpawner;
  /** Per process. @default 180000 */
  readonly timeoutMs?: number;
  /** Keep the temporary layouts (their path is in the result). @default false */
  readonly keepTemp?: boolean;
  /** Told whenever a tool process starts or ends and whenever a check's runs are all done. */
  readonly onProgress?: (progress: ToolProgress) => void;
}

/** Where a tool run is, for a progress display. */
export interface ToolProgress {
  /** File checks finished, of `total` (one per file and tool check). */
  readonly done: number;
  readonly total: number;
  /** Labels of the tool processes running now (`ansible-lint`, `terraform providers`). */
  readonly running: readonly string[];
  /** Set on the event where every run of one check has finished. */
  readonly finished?: { readonly check: string; readonly files: number; readonly processes: number; readonly ms: number };
}

export interface ToolRun {
  readonly checks: readonly ToolCheck[];
  /** Tool processes started. */
  readonly processes: number;
  /** Tool processes allowed at once. */
  readonly concurrency: number;
  readonly ms: number;
  /** The temporary directory; removed unless `keepTemp`. */
  readonly tempDir: string;
  /** Where each tool was found (absent: not installed). */
  readonly tools: Readonly<Partial<Record<ValidatorTool, string>>>;
}

/** Runs every tool check for the given dist/<service> directories. Never throws for a check that fails. */
export async function runToolChecks(distDirs: readonly string[], options: ToolCheckOptions = {}): Promise<ToolRun> {
  const started = performance.now();
  const env = options.env ?? process.env;
  const root = options.root ?? process.cwd();
  const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
  const [tools, layouts] = await Promise.all([
    locateTools(env, options.tools),
    createLayouts(distDirs, { root, formats: new Set(Object.keys(TOOL_CHECKS)) }),
  ]);
  const running: string[] = [];
  // Processes per check (terraform's init counts for terraform providers): the job that started them.
  const processesOf = new Map<string, number>();
  const jobOf = new AsyncLocalStorage<string>();
  let done = 0;
  let total = 0;
  const report = (finished?: ToolProgress['finished']): void => {
    options.onProgress?.({ done, total, running: [...running], ...(finished ? { finished } : {}) });
  };
  const toolEnv = baseEnv(env);
  const runner = createValidatorRunner({
    concurrency, env: toolEnv,
    onProcess(label, state) {
      if (state === 'start') {
        running.push(label);
        const check = jobOf.getStore() ?? label;
        processesOf.set(check, (processesOf.get(check) ?? 0) + 1);
      } else running.splice(running.indexOf(label), 1);
      report();
    },
    ...(options.spawner ? { spawner: options.spawner } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const versions = new Map<ValidatorTool, Promise<string | undefined>>();
  const ctx: ToolCheckContext = {
    runner, tools, ci: options.ci ?? isCi(env), base: layouts.base, layouts: layouts.services, concurrency, env: toolEnv,
    unmap: (text) => unmapPaths(text, layouts.services, layouts.base),
    version(tool, args) {
      let cached = versions.get(tool);
      if (!cached) {
        const file = tools.get(tool)?.path;
        cached = file
          ? runner.run({ label: `${tool} ${args.join(' ')}`, file, args, cwd: layouts.base }).then((exit) => outputLines(`${exit.stdout}\n${exit.stderr}`)[0])
          : Promise.resolve(undefined);
        versions.set(tool, cached);
      }
      return cached;
    },
  };

  try {
    const all = layouts.services.flatMap((l) => l.artifacts);
    const of = (...formats: string[]): LaidOutArtifact[] => all.filter((a) => formats.includes(a.record.format));
    const content = (a: LaidOutArtifact): Promise<string> => readFile(a.path, 'utf8');

    const terraformDirs = new Map<string, LaidOutArtifact[]>();
    for (const a of of('terraform-json')) terraformDirs.set(pathDir(a.path), [...(terraformDirs.get(pathDir(a.path)) ?? []), a]);
    const units = of('systemd');
    const unitTexts = new Map(await Promise.all(units.map(async (u) => [u, await content(u)] as const)));

    // Progress: every file check is counted when its job is queued, and done when it returns.
    const pending = new Map<string, { jobs: number; files: number }>();
    const checkStarted = performance.now();
    const job = (check: string, files: number, run: () => Promise<ToolCheck[]>): Promise<ToolCheck[]> => {
      const entry = pending.get(check) ?? { jobs: 0, files: 0 };
      entry.jobs++;
      entry.files += files;
      pending.set(check, entry);
      total += files;
      return jobOf.run(check, run).then((results) => {
        done += files;
        entry.jobs--;
        report(entry.jobs === 0 ? { check, files: entry.files, processes: processesOf.get(check) ?? 0, ms: performance.now() - checkStarted } : undefined);
        return results;
      });
    };

    const playbooks = of('ansible-playbook');
    const pairs = ansiblePairs(of('ansible-playbook', 'ansible-inventory'));
    const syntax = pairs.length ? job(SYNTAX_CHECK, pairs.reduce((n, p) => n + p.playbooks.length + p.inventories.length, 0), () => checkAnsibleSyntax(ctx, pairs)) : undefined;
    const promFormats = ['prometheus-config', 'prometheus-rules', 'prometheus-rules-test'] as const;
    // ansible-lint is the longest run: it starts as soon as the syntax check it builds on is in.
    const jobs: Promise<ToolCheck[]>[] = [
      ...(syntax ? [syntax] : []),
      ...(playbooks.length ? [job(LINT_CHECK, playbooks.length, () => checkAnsibleLint(ctx, playbooks, syntax))] : []),
      ...[...terraformDirs.values()].map((group) => job(TERRAFORM_CHECK, group.length, () => checkTerraformDir(ctx, group))),
      ...promFormats.filter((f) => of(f).length).map((f) => job(PROMTOOL_CHECKS[f], of(f).length, () => checkPromtool(ctx, f, of(f)))),
      ...of('alertmanager-config').map((a) => job(AMTOOL_CHECK, 1, async () => [await checkAmtool(ctx, a, await content(a))])),
      ...of('nginx').map((a) => job(NGINX_CHECK, 1, async () => [await checkNginx(ctx, a, await content(a))])),
      ...of('wireguard').map((a) => job(WG_PUBKEY_CHECK, 2, async () => {
        const text = await content(a);
        return [checkWireguardParse(a, text), await checkWgPubkey(ctx, a, text)];
      })),
      ...(of('shell').length ? [job(SHELLCHECK_CHECK, of('shell').length, () => checkShellcheck(ctx, of('shell')))] : []),
      ...systemdBatches(unitsByHost(units), unitTexts).map((batch) => job(SYSTEMD_CHECK, batch.flat().length, () => checkSystemdUnits(ctx, batch))),
    ];
    report();
    const checks = (await Promise.all(jobs)).flat();
    return {
      checks: sortChecks(checks, layouts.services.map((l) => l.manifest.artifacts.map((r) => r.file)), layouts.services.map((l) => l.displayDir)),
      processes: runner.started,
      concurrency,
      ms: performance.now() - started,
      tempDir: layouts.base,
      tools: Object.fromEntries([...tools].filter(([, t]) => t.path).map(([name, t]) => [name, t.path!])),
    };
  } finally {
    if (!options.keepTemp) await layouts.cleanup();
  }
}

function pathDir(p: string): string {
  return p.slice(0, p.lastIndexOf('/'));
}

/** Service order, then manifest order, then the order of TOOL_CHECKS. */
function sortChecks(checks: readonly ToolCheck[], files: readonly (readonly string[])[], dirs: readonly string[]): ToolCheck[] {
  const key = (c: ToolCheck): [number, number, number] => {
    const s = dirs.findIndex((d) => c.source === `${d}/${c.file}`);
    const order = TOOL_CHECKS[c.format]?.findIndex((name) => c.check.startsWith(name)) ?? 0;
    return [s, files[s]?.indexOf(c.file) ?? 0, order];
  };
  return checks
    .map((c, i) => ({ c, i, k: key(c) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2] || a.i - b.i)
    .map(({ c }) => c);
}
