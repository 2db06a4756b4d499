/** `homelab deploy`: its flags, parsed into the DeployFlags the deploy command takes. */
import { Command, Option } from 'commander';
import type { DeployFlags } from '../commands/deploy.ts';
import { jsonOption, nonNegativeSeconds, positiveInteger, serviceOption, servicesOf } from './options.ts';

interface DeployOpts {
  readonly service?: readonly string[];
  readonly dryRun?: boolean;
  readonly force?: boolean;
  readonly skipSmoke?: boolean;
  readonly infraOnly?: boolean;
  readonly lockWait?: number;
  readonly parallel?: number;
  readonly json?: boolean;
  readonly yes?: boolean;
}

const ENVIRONMENT = `
environment:
  HOMELAB_TF_BIN       tofu | terraform | a path (default: tofu, else terraform)
  HOMELAB_STATE_DIR    deploy records and locks (default $XDG_STATE_HOME/homelab or ~/.local/state/homelab)
  plus each service's provider settings and secrets, by environment variable name`;

export function deployCommandDefinition(run: (flags: DeployFlags) => Promise<void>): Command {
  return new Command('deploy')
    .description('apply services to the live homelab in dependency order: preflight, locks, terraform/tofu, ansible, smoke tests, records')
    .addOption(serviceOption('deploy this service; none: every service, in dependency order'))
    .addOption(new Option('--dry-run', 'run the preflight and print the exact commands (argv, cwd, env names); run nothing'))
    .addOption(new Option('--force', 'redeploy services whose synthesized manifest equals the deployed one'))
    .addOption(new Option('--skip-smoke', "do not run the package's smoke tests after the apply"))
    .addOption(new Option('--infra-only', 'apply the Terraform stacks alone (no playbook, no smoke tests, only their variables); recorded as infrastructure, so a full deploy is still due'))
    .addOption(new Option('--lock-wait <seconds>', "wait up to this long for another deploy's lock (default 0: fail at once)").argParser(nonNegativeSeconds))
    .addOption(new Option('--parallel <n>', "deploy at most n services at once, each as soon as its dependencies are done (default: the site's deploy.parallelism, else 4; 1 when asking in a terminal)").argParser(positiveInteger))
    .addOption(jsonOption('the summary'))
    .addOption(new Option('-y, --yes', 'apply without asking (required without a terminal)'))
    .addHelpText('after', ENVIRONMENT)
    .action(async (opts: DeployOpts) => run(deployFlagsOf(opts)));
}

export function deployFlagsOf(opts: DeployOpts): DeployFlags {
  return {
    services: servicesOf(opts),
    dryRun: opts.dryRun === true,
    force: opts.force === true,
    skipSmoke: opts.skipSmoke === true,
    infraOnly: opts.infraOnly === true,
    lockWait: opts.lockWait ?? 0,
    ...(opts.parallel !== undefined ? { parallel: opts.parallel } : {}),
    json: opts.json === true,
    yes: opts.yes === true,
  };
}
