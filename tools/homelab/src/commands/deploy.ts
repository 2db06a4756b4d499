/**
 * `homelab deploy [--service <name>]... [--dry-run] [--force] [--skip-smoke] [--infra-only] [--lock-wait <s>] [--parallel <n>] [--json] [--yes]`
 * (flags parsed by the commander layer, cli/commands.ts, into DeployFlags)
 *
 * Synthesizes the named services (all when none is named), validates them in process (nothing
 * is applied that would fail `homelab validate`; a stale dist/<service>/ is validated from a
 * scratch copy), and hands them to the deploy runner of @homelab/core: preflight, locks, and
 * only under the locks refreshes a stale dist/<service>/ (so it never rewrites the files of a
 * deploy that is running), then each service as soon as its dependencies are done (at most
 * deployParallelism at once, below), from a copy of dist/<service>/ in its run directory: tofu/terraform init, plan -out, the operator's yes (a terminal
 * question, or --yes), apply of that saved plan, ansible-playbook, smoke tests, record.
 * `nx run <svc>:deploy` runs this with one --service; Nx orders the services itself.
 *
 * Ctrl-C (or SIGTERM, or SIGHUP: a dropped SSH session) stops cleanly: the running tool gets
 * SIGINT, a second signal sends it SIGTERM; the locks are released, the interrupted service is
 * recorded as failed, the summary is printed and the exit code is 130.
 * Exit codes: EXIT (0 ok; 1 a service failed, synth or validation errors; 2 usage; 3 preflight,
 * lock held or not confirmed; 4 setup; 130 interrupted).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEPLOY_PARALLELISM, EXIT, backendFromEnv, deployServices, deployStateDir, deployUnitFromSynth, formatProblems, isError,
  loadHomelab, synthesizeSite, writeDist, type DeployServicesOptions, type DeploySummary, type Site, type SynthResult,
} from '@homelab/core';
import { unknownServiceMessage } from '../cli/service-names.ts';
import { distRoot, loadSite } from './context.ts';
import { terminalConfirm } from './deploy-confirm.ts';
import { formatDeployValidationWarnings, validateForDeploy } from './deploy-validation.ts';

/**
 * The parsed command line of `homelab deploy`. The commander layer (cli/commands.ts) builds
 * it, so a typo in a flag never reaches here and tests hand it over typed.
 */
export interface DeployFlags {
  /** --service: these services; empty means every service, in dependency order. */
  readonly services: readonly string[];
  /** --dry-run: run the preflight and print the exact commands; run nothing. */
  readonly dryRun: boolean;
  /** --force: redeploy services whose synthesized manifest equals the deployed one. */
  readonly force: boolean;
  /** --skip-smoke: no smoke tests after the apply. */
  readonly skipSmoke: boolean;
  /** --infra-only: the Terraform stacks alone, recorded as infrastructure (a full deploy still due). @default false */
  readonly infraOnly?: boolean;
  /** --lock-wait: seconds to wait for another deploy's lock (0: fail at once). */
  readonly lockWait: number;
  /** --parallel: at most this many services at once; overrides the site's deploy.parallelism. */
  readonly parallel?: number;
  /** --json: the summary as one JSON document on stdout. */
  readonly json: boolean;
  /** --yes, -y: apply without asking (required without a terminal). */
  readonly yes: boolean;
}

/** What deploy needs besides its flags. */
export interface DeployContext {
  readonly root: string;
}

/**
 * What the command touches outside its arguments, so tests can replace it. `confirm` stands in
 * for the terminal question; `isTTY` for whether there is a terminal to ask in.
 */
export type DeployCommandDeps = Partial<Pick<DeployServicesOptions, 'spawner' | 'findExecutable' | 'out' | 'err' | 'now' | 'env' | 'signal' | 'forceSignal' | 'confirm'>> & {
  readonly isTTY?: boolean;
  /** Told the runner's summary (bootstrap reads which services changed). */
  readonly onSummary?: (summary: DeploySummary) => void;
};

/**
 * How many services deploy at once: --parallel, else the site's deploy.parallelism, else 4. A
 * terminal question (no --yes) without --parallel: one at a time, so each plan is read with no
 * other service printing beside it; with --parallel the questions still never interleave (one
 * at a time, each plan shown again right above its question).
 */
export function deployParallelism(flags: Pick<DeployFlags, 'parallel'>, site: Pick<Site, 'deploy'>, asks: boolean): { services: number; proxmoxApi: number } {
  const proxmoxApi = site.deploy?.proxmoxApiParallelism ?? DEPLOY_PARALLELISM.proxmoxApi;
  if (flags.parallel !== undefined) return { services: flags.parallel, proxmoxApi };
  return { services: asks ? 1 : site.deploy?.parallelism ?? DEPLOY_PARALLELISM.services, proxmoxApi };
}

async function distIsCurrent(dir: string, result: SynthResult): Promise<boolean> {
  for (const [file, content] of result.files) {
    try {
      if ((await readFile(join(dir, file), 'utf8')) !== content) return false;
    } catch {
      return false;
    }
  }
  return true;
}

export async function deployCommand(flags: DeployFlags, context: DeployContext, deps: DeployCommandDeps = {}): Promise<number> {
  const out = deps.out ?? ((l: string) => console.log(l));
  const err = deps.err ?? ((l: string) => console.error(l));
  const env = deps.env ?? process.env;
  const root = context.root;
  const services = flags.services;

  const site = await loadSite(root);
  const home = await loadHomelab(root, site);
  const unknown = unknownServiceMessage(services, [...home.byName.keys()]);
  if (unknown) {
    err(`homelab deploy: ${unknown}`);
    return EXIT.usage;
  }
  const synthesis = synthesizeSite(home, { backend: backendFromEnv(env), ...(services.length ? { only: services } : {}) });
  const errors = synthesis.problems.filter(isError);
  if (errors.length) {
    err(`${formatProblems(errors)}\n\ndeploy: synth found ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was deployed.`);
    return EXIT.failed;
  }

  // dist/ is what the tools run (copied to a run directory under the lock). A stale one is
  // rewritten only under the lock, never beside a deploy of the same service that is running;
  // until then it is validated from a scratch copy, like a dry run's.
  const dist = distRoot(root);
  const stale: SynthResult[] = [];
  for (const result of synthesis.results) {
    if (!(await distIsCurrent(join(dist, result.service), result))) {
      stale.push(result);
      if (flags.dryRun) out(`[${result.service}] dist/${result.service}/ is stale; deploy would re-synthesize it first`);
    }
  }
  const refreshDist = async (names: readonly string[]): Promise<void> => {
    for (const result of synthesis.results) {
      if (!names.includes(result.service) || (await distIsCurrent(join(dist, result.service), result))) continue;
      await writeDist(dist, result);
      out(`[${result.service}] synthesized dist/${result.service}/`);
    }
  };
  const units = synthesis.results.map((r) => deployUnitFromSynth(r, { home, root, distRoot: dist }));

  // Nothing is applied that would fail validation; a dry run says so before printing commands.
  const validation = await validateForDeploy(synthesis.results.map((r) => r.service), { root, env, stale });
  for (const line of formatDeployValidationWarnings(validation.warnings)) err(`deploy: validation ${line}`);
  if (validation.problems.length) {
    const n = validation.problems.length;
    err(`${formatProblems(validation.problems)}\n\ndeploy: validation found ${n} problem${n === 1 ? '' : 's'} in the generated files; nothing was deployed.`);
    return EXIT.failed;
  }

  // Ctrl-C: the first interrupts the running tool, a second terminates it.
  const interrupt = new AbortController();
  const terminate = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!interrupt.signal.aborted) {
      err(`\ndeploy: ${signal} received: stopping the running tool (SIGINT), then releasing the locks. ${signal === 'SIGINT' ? 'Ctrl-C again to terminate it.' : ''}`);
      interrupt.abort();
    } else if (!terminate.signal.aborted) {
      err(`deploy: second ${signal}: terminating the running tool (SIGTERM).`);
      terminate.abort();
    }
  };
  const listen = !deps.signal;
  // SIGHUP is a dropped SSH session or a closed terminal: the same clean stop, never a silent 129.
  const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  if (listen) for (const s of SIGNALS) process.on(s, onSignal);
  // The question needs someone at a terminal; without one, the runner refuses unless --yes.
  const interactive = deps.isTTY ?? (process.stdin.isTTY === true && process.stderr.isTTY === true);
  const confirm = flags.yes ? undefined
    : deps.confirm ?? (interactive ? terminalConfirm({ signal: deps.signal ?? interrupt.signal, onInterrupt: () => onSignal('SIGINT') }) : undefined);
  const bounds = deployParallelism(flags, site, confirm !== undefined && !flags.dryRun);
  try {
    const summary = await deployServices(units, {
      root,
      stateDir: deployStateDir(env),
      env,
      siteName: site.name,
      force: flags.force,
      dryRun: flags.dryRun,
      yes: flags.yes,
      ...(confirm ? { confirm } : {}),
      ...(stale.length ? { distPending: stale.map((r) => r.service) } : {}),
      refreshDist,
      skipSmoke: flags.skipSmoke,
      ...(flags.infraOnly ? { infraOnly: true } : {}),
      lock: { waitMs: flags.lockWait * 1000 },
      parallelism: bounds.services,
      proxmoxApiParallelism: bounds.proxmoxApi,
      signal: deps.signal ?? interrupt.signal,
      forceSignal: deps.forceSignal ?? terminate.signal,
      // With --json, stdout is the one JSON document; progress and the plans still reach the
      // operator (on stderr), so nobody is asked about a plan they could not see.
      out: flags.json ? err : out,
      err,
      ...(deps.spawner ? { spawner: deps.spawner } : {}),
      ...(deps.findExecutable ? { findExecutable: deps.findExecutable } : {}),
      ...(deps.now ? { now: deps.now } : {}),
    });
    deps.onSummary?.(summary);
    if (flags.json) {
      out(JSON.stringify({
        result: summary.result, exitCode: summary.exitCode, services: summary.services, problems: summary.problems, notes: summary.notes,
        commands: summary.commands.map((c) => ({ service: c.service, step: c.step, argv: [c.file, ...c.args], cwd: c.cwd, envSet: Object.keys(c.setEnv).sort(), envRead: [...c.readsEnv].sort() })),
      }, null, 2));
    }
    return summary.exitCode;
  } finally {
    if (listen) for (const s of SIGNALS) process.off(s, onSignal);
  }
}
