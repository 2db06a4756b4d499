import { deployStateDir, formatPlan, formatPolicyRules, planChanges, POLICY_RULES } from '@homelab/core';
import { formatValidation, validateDist } from './validate.ts';
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
  assumptions     list every value the site chose where the design is silent
  rules           list every policy rule with its codes and what it enforces (--json)`;

export async function runCommand(positionals: readonly string[], options: CommandOptions): Promise<number> {
  const [command] = positionals;
  switch (command) {
    case 'synth': {
      const outcome = await synthCommand(options);
      if (outcome.ok) console.log(`synth: wrote ${outcome.written.length} service${outcome.written.length === 1 ? '' : 's'} to dist/`);
      return outcome.ok ? 0 : 1;
    }
    case 'validate':
    case 'plan': {
      const outcome = await synthCommand(options);
      if (!outcome.ok) return 1;
      const validation = await validateDist(options.root, outcome.synthesis.results.map((r) => r.service));
      if (command === 'plan') {
        // Each service against its last deploy record (new / changed: which artifacts / unchanged).
        const changes = await planChanges(outcome.synthesis.results.map((r) => r.manifest), deployStateDir(process.env));
        console.log(formatPlan(outcome.synthesis.home, outcome.synthesis.plan, { changes }));
      }
      console.log(`\nPolicy: ${POLICY_RULES.length} rules, no problem.`);
      console.log(formatValidation(validation));
      return validation.problems.length ? 1 : 0;
    }
    case 'deploy':
      return deployCommand(positionals.slice(1), options);
    case 'group':
    case 'patch':
    case 'status':
      return fleetCommand(command, positionals.slice(1), options);
    case 'rules':
      console.log(options.json ? JSON.stringify(POLICY_RULES.map(({ name, phase, description, codes }) => ({ name, phase: phase ?? 'model', description, codes })), null, 2) : formatPolicyRules(POLICY_RULES));
      return 0;
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
