import { formatPlan } from '@homelab/core';
import type { CommandOptions } from './context.ts';
import { loadSite } from './context.ts';
import { synthCommand } from './synth.ts';
import { deployCommand } from './deploy.ts';
import { fleetCommand } from './fleet.ts';

export const USAGE = `usage: homelab <command> [--service <name>]...

  plan            synthesize, validate and print the deploy plan (npm start)
  synth           write dist/<service>/ for every service (or the named ones)
  validate        synthesize and check every artifact and policy rule
  deploy          apply services to the live homelab (--dry-run prints the commands)
  group           list | start <group> | stop <group>
  patch           proxmox | lxc | docker | talos | pi
  status          what runs where, deployed version against the repo's
  assumptions     list every value the site chose where the design is silent`;

export async function runCommand(positionals: readonly string[], options: CommandOptions): Promise<number> {
  const [command] = positionals;
  switch (command) {
    case 'synth': {
      const outcome = await synthCommand(options);
      if (outcome.ok) console.log(`synth: wrote ${outcome.written.length} service${outcome.written.length === 1 ? '' : 's'} to dist/`);
      return outcome.ok ? 0 : 1;
    }
    case 'plan': {
      const outcome = await synthCommand(options);
      if (!outcome.ok) return 1;
      console.log(formatPlan(outcome.synthesis.home, outcome.synthesis.plan));
      return 0;
    }
    case 'deploy':
      return deployCommand(positionals.slice(1), options);
    case 'group':
    case 'patch':
    case 'status':
      return fleetCommand(command, positionals.slice(1), options);
    case 'assumptions': {
      const site = await loadSite(options.root);
      for (const a of site.assumptions) console.log(`${a.path} = ${JSON.stringify(a.value)}\n    ${a.reason}`);
      return 0;
    }
    default:
      console.error(`homelab: unknown command "${command}".\n${USAGE}`);
      return 2;
  }
}
