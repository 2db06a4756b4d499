/**
 * `homelab deploy --infra-only`: a service's Terraform stack alone, for a guest whose config step
 * cannot run yet. TrueNAS is the case: its apply script needs the API key and the CA that only
 * the console install makes, and the install needs the VM the stack creates. The unit keeps its
 * infra step and only the variables that step reads; no playbook, no Talos config, no smoke
 * tests. Its record says `infrastructure`, never `deployed`, so the next full deploy runs it again
 * and its dependents refuse until then (preflight's DependencyInfrastructureOnly).
 */
import type { Problem } from '../model/problem.ts';
import type { DeployUnit } from './deploy-unit.ts';

/** A service named for `--infra-only` has no Terraform stack: nothing of it would run. */
export const NO_INFRASTRUCTURE = 'NoInfrastructure';

export function infrastructureOnly(unit: DeployUnit): DeployUnit {
  const { smokeDir: _smoke, ...rest } = unit;
  return { ...rest, config: false, talos: false, env: unit.env.filter((e) => e.step === 'infra') };
}

export function noInfrastructureProblem(services: readonly string[]): Problem {
  return {
    source: 'homelab deploy', path: '--infra-only', code: NO_INFRASTRUCTURE, received: [...services],
    message: `${services.join(', ')} ha${services.length === 1 ? 's' : 've'} no Terraform stack: --infra-only would deploy nothing of ${services.length === 1 ? 'it' : 'them'}`,
    fix: `Deploy ${services.length === 1 ? 'it' : 'them'} without --infra-only, or name only services with a Terraform stack.`,
  };
}
