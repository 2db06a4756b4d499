/**
 * `homelab deploy [--service <name>]... [--dry-run] [--force] [--skip-smoke] [--lock-wait <s>] [--json]`
 *
 * Synthesizes the named services (all when none is named), refreshes dist/<service>/ when it is
 * stale, and hands them to the deploy runner of @homelab/core: preflight, locks, then per
 * service in dependency order terraform/tofu init+apply, ansible-playbook, smoke tests, record.
 * `nx run <svc>:deploy` runs this with one --service; Nx orders the services itself.
 *
 * Ctrl-C (or SIGTERM) stops cleanly: the running tool gets SIGINT, a second Ctrl-C sends it
 * SIGTERM; the locks are released and the interrupted service is recorded as failed.
 * Exit codes: see DEPLOY_EXIT (0 ok, 1 a service failed, 2 usage or synth errors, 3 preflight
 * failed or lock held, 130 interrupted).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEPLOY_EXIT, backendFromEnv, deployServices, deployStateDir, deployUnitFromSynth, formatProblems, isError,
  loadHomelab, synthesizeSite, writeDist, type DeployServicesOptions, type SynthResult,
} from '@homelab/core';
import { distRoot, loadSite, type CommandOptions } from './context.ts';

export const DEPLOY_USAGE = `usage: homelab deploy [--service <name>]... [--dry-run] [--force] [--skip-smoke] [--lock-wait <seconds>] [--json]

  --service, -s   deploy this service (repeatable); none: every service, in dependency order
  --dry-run       run the preflight and print the exact commands (argv, cwd, env names); run nothing
  --force         redeploy services whose synthesized manifest equals the deployed one
  --skip-smoke    do not run the package's smoke tests after the apply
  --lock-wait     wait up to this many seconds for another deploy's lock (default 0: fail at once)
  --json          print the summary as JSON

  environment: HOMELAB_TF_BIN (tofu|terraform|path), HOMELAB_STATE_DIR (default
  $XDG_STATE_HOME/homelab or ~/.local/state/homelab), plus each service's provider env and secrets`;

/** What the command touches outside its arguments, so tests can replace it. */
export type DeployCommandDeps = Partial<Pick<DeployServicesOptions, 'spawner' | 'findExecutable' | 'out' | 'err' | 'now' | 'env' | 'signal' | 'forceSignal'>>;

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

export async function deployCommand(_args: readonly string[], options: CommandOptions, deps: DeployCommandDeps = {}): Promise<number> {
  const out = deps.out ?? ((l: string) => console.log(l));
  const err = deps.err ?? ((l: string) => console.error(l));
  const env = deps.env ?? process.env;
  let flags;
  try {
    flags = parseArgs({
      args: [...options.argv],
      allowPositionals: false,
      strict: true,
      options: {
        service: { type: 'string', multiple: true, short: 's' },
        root: { type: 'string' },
        'dry-run': { type: 'boolean' },
        force: { type: 'boolean' },
        'skip-smoke': { type: 'boolean' },
        'lock-wait': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    err(`homelab deploy: ${error instanceof Error ? error.message : String(error)}\n${DEPLOY_USAGE}`);
    return DEPLOY_EXIT.usage;
  }
  if (flags.help) {
    out(DEPLOY_USAGE);
    return DEPLOY_EXIT.ok;
  }
  const lockWait = flags['lock-wait'] === undefined ? 0 : Number(flags['lock-wait']);
  if (!Number.isFinite(lockWait) || lockWait < 0) {
    err(`homelab deploy: --lock-wait takes a number of seconds, got ${JSON.stringify(flags['lock-wait'])}.`);
    return DEPLOY_EXIT.usage;
  }
  const root = options.root;
  const services = flags.service ?? [];

  const site = await loadSite(root);
  const home = await loadHomelab(root, site);
  const unknown = services.filter((s) => !home.byName.has(s));
  if (unknown.length) {
    err(`homelab deploy: no service is named ${unknown.map((u) => JSON.stringify(u)).join(', ')}. Services: ${[...home.byName.keys()].join(', ')}.`);
    return DEPLOY_EXIT.usage;
  }
  const synthesis = synthesizeSite(home, { backend: backendFromEnv(env), ...(services.length ? { only: services } : {}) });
  const errors = synthesis.problems.filter(isError);
  if (errors.length) {
    err(`${formatProblems(errors)}\n\ndeploy: synth found ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was deployed.`);
    return DEPLOY_EXIT.usage;
  }

  // dist/ is what the tools run: bring it up to date (Nx's synth dependency normally has).
  const dist = distRoot(root);
  for (const result of synthesis.results) {
    if (!(await distIsCurrent(join(dist, result.service), result))) {
      if (flags['dry-run']) out(`[${result.service}] dist/${result.service}/ is stale; deploy would re-synthesize it first`);
      else {
        await writeDist(dist, result);
        out(`[${result.service}] synthesized dist/${result.service}/`);
      }
    }
  }
  const units = synthesis.results.map((r) => deployUnitFromSynth(r, { home, root, distRoot: dist }));

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
  if (listen) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    const summary = await deployServices(units, {
      root,
      stateDir: deployStateDir(env),
      env,
      siteName: site.name,
      force: flags.force === true,
      dryRun: flags['dry-run'] === true || options.dryRun,
      skipSmoke: flags['skip-smoke'] === true,
      lock: { waitMs: lockWait * 1000 },
      signal: deps.signal ?? interrupt.signal,
      forceSignal: deps.forceSignal ?? terminate.signal,
      out: flags.json ? () => undefined : out,
      err,
      ...(deps.spawner ? { spawner: deps.spawner } : {}),
      ...(deps.findExecutable ? { findExecutable: deps.findExecutable } : {}),
      ...(deps.now ? { now: deps.now } : {}),
    });
    if (flags.json) {
      out(JSON.stringify({
        result: summary.result, exitCode: summary.exitCode, services: summary.services, problems: summary.problems, notes: summary.notes,
        commands: summary.commands.map((c) => ({ service: c.service, step: c.step, argv: [c.file, ...c.args], cwd: c.cwd, envSet: Object.keys(c.setEnv).sort(), envRead: [...c.readsEnv].sort() })),
      }, null, 2));
    }
    return summary.exitCode;
  } finally {
    if (listen) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
