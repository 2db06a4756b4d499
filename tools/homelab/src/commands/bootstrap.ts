/**
 * `homelab bootstrap [--dry-run] [--yes] [--confirm <check>]... [--ssh-user <user>] [--skip-smoke] [--ready-timeout <s>]`
 *
 * From "Proxmox VE installed on the nodes, reachable over SSH with the operator's key" to every
 * service deployed and ready: the phases of @homelab/core's bootstrap (preconditions, cluster,
 * bridges, admin credential, access, services, the TrueNAS and Home Assistant OS first runs, the
 * services that need them, readiness), recorded in the state directory so a
 * rerun goes on where the last one stopped. `--dry-run` prints the whole ordered sequence from the
 * model and runs nothing. The stacks go through `homelab deploy` itself (validation, preflight,
 * locks, the plan shown before every apply; `--yes` to apply without a terminal).
 * Exit codes: 0 done or nothing to do; 1 a step failed; 2 usage; 3 a check is blocking (its fix
 * printed); 4 a tool is missing; 130 interrupted.
 */
import { resolveNs } from 'node:dns/promises';
import {
  EXIT, InterruptedError, deployStateDir, describeBootstrap, execaRunner, isError, loadHomelab, formatProblems, readBootstrapRecord, runBootstrap,
  type DeployEnv, type DeployServicesFn, type ProcessRunner,
} from '@homelab/core';
import { loadSite } from './context.ts';
import { deployCommand, type DeployCommandDeps } from './deploy.ts';

export interface BootstrapFlags {
  readonly dryRun: boolean;
  readonly yes: boolean;
  readonly confirm: readonly string[];
  readonly sshUser: string;
  readonly skipSmoke: boolean;
  /** Seconds the readiness phase waits for guests. */
  readonly readyTimeout: number;
}

export interface BootstrapDeps {
  readonly env?: DeployEnv;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
  readonly runner?: ProcessRunner;
  readonly resolveNs?: (domain: string) => Promise<readonly string[]>;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly deploy?: DeployCommandDeps;
}

const READY_PAUSE_MS = 10_000;

export async function bootstrapCommand(flags: BootstrapFlags, context: { readonly root: string }, deps: BootstrapDeps = {}): Promise<number> {
  const out = deps.out ?? ((l: string) => console.log(l));
  const err = deps.err ?? ((l: string) => console.error(l));
  const env = deps.env ?? process.env;
  const site = await loadSite(context.root);
  const home = await loadHomelab(context.root, site);
  const errors = home.problems.filter(isError);
  if (errors.length) {
    err(`${formatProblems(errors)}\n\nbootstrap: the model has ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing ran.`);
    return EXIT.failed;
  }
  const stateDir = deployStateDir(env);
  if (flags.dryRun) {
    const record = await readBootstrapRecord(stateDir, site.name);
    out(`homelab bootstrap --dry-run: the sequence for ${site.name}, from installed Proxmox VE nodes to every service ready. Nothing runs.\n`);
    for (const line of describeBootstrap({ site, home, sshUser: flags.sshUser }, record)) out(line);
    return EXIT.ok;
  }

  const interrupt = new AbortController();
  const terminate = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!interrupt.signal.aborted) {
      err(`\nbootstrap: ${signal} received: stopping the running step, then recording where it stopped.`);
      interrupt.abort();
    } else terminate.abort();
  };
  const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of SIGNALS) process.on(s, onSignal);
  const deploy: DeployServicesFn = async (services, deployEnv, options = {}) => {
    if (interrupt.signal.aborted) throw new InterruptedError(`deploy ${services.join(', ')}`);
    let changed: string[] = [];
    const exitCode = await deployCommand(
      { services, dryRun: false, force: false, skipSmoke: flags.skipSmoke, lockWait: 0, json: false, yes: flags.yes, ...(options.infraOnly ? { infraOnly: true } : {}) },
      { root: context.root },
      { env: deployEnv, out, err, signal: interrupt.signal, forceSignal: terminate.signal, ...deps.deploy, onSummary: (s) => { changed = s.services.filter((o) => o.status === 'deployed' || o.status === 'infrastructure').map((o) => `${o.service}: ${o.status === 'deployed' ? 'deployed' : 'infrastructure deployed'}`); } },
    );
    if (exitCode === EXIT.interrupted) throw new InterruptedError(`deploy ${services.join(', ')}`);
    return { exitCode, changed };
  };
  try {
    const summary = await runBootstrap({
      site, home, env, stateDir, out,
      runner: deps.runner ?? execaRunner(env),
      signals: { signal: interrupt.signal, forceSignal: terminate.signal },
      sshUser: flags.sshUser,
      confirmed: new Set(flags.confirm),
      resolveNs: deps.resolveNs ?? resolveNs,
      deploy,
      sleep: deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      wait: { attempts: Math.max(1, Math.ceil((flags.readyTimeout * 1000) / READY_PAUSE_MS)), pauseMs: READY_PAUSE_MS },
    });
    return summary.exitCode;
  } finally {
    for (const s of SIGNALS) process.off(s, onSignal);
  }
}
