/** `homelab bootstrap`: its flags, parsed by commander into BootstrapFlags. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { ROUTER_CHECK, UNIX_NAME_FIX, isUnixName } from '@homelab/core';
import type { BootstrapFlags } from '../commands/bootstrap.ts';
import { positiveInteger } from './options.ts';

/** The manual checks nothing can verify from inside the LAN, which the operator confirms. */
export const CONFIRMABLE_CHECKS: readonly string[] = [ROUTER_CHECK];

function collectCheck(value: string, previous: readonly string[] | undefined): string[] {
  if (!CONFIRMABLE_CHECKS.includes(value)) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a check you can confirm; the one there is: ${CONFIRMABLE_CHECKS.join(', ')}.`);
  return [...(previous ?? []), value];
}

function unixName(value: string): string {
  if (!isUnixName(value)) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a user name: ${UNIX_NAME_FIX}`);
  return value;
}

interface Opts { dryRun?: boolean; yes?: boolean; confirm?: string[]; sshUser: string; skipSmoke?: boolean; readyTimeout: number }

export function bootstrapCommandDefinition(run: (flags: BootstrapFlags, cmd: Command) => Promise<void>): Command {
  return new Command('bootstrap')
    .description('from installed Proxmox VE nodes to every service deployed and ready: checked preconditions, cluster, bridges, admin credential, access, services, readiness (recorded, resumable)')
    .addOption(new Option('--dry-run', 'print the whole ordered sequence with every command; run nothing'))
    .addOption(new Option('-y, --yes', 'apply each stack\'s plan without asking (required without a terminal)'))
    .addOption(new Option('--confirm <check>', `confirm a manual check nothing can verify from the LAN (${CONFIRMABLE_CHECKS.join(', ')}); remembered (repeatable)`).argParser(collectCheck))
    .addOption(new Option('--ssh-user <user>', 'the user bootstrap logs in as on the nodes and the Pis').default('root').argParser(unixName))
    .addOption(new Option('--skip-smoke', 'no smoke tests after each apply'))
    .addOption(new Option('--ready-timeout <seconds>', 'how long the readiness phase waits for guests').default(600).argParser(positiveInteger))
    .action(async (opts: Opts, cmd: Command) => run({
      dryRun: opts.dryRun === true, yes: opts.yes === true, confirm: opts.confirm ?? [], sshUser: opts.sshUser,
      skipSmoke: opts.skipSmoke === true, readyTimeout: opts.readyTimeout,
    }, cmd));
}
