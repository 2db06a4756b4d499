/**
 * `homelab drift [--service X] [--json]`: per service with guests, the live guests' configuration
 * from the PVE API against what synthesis makes of the repository now (always), and
 * `<tf> plan -detailed-exitcode` against the service's state where the tool and the variables are
 * there (deploy/drift-plan.ts). Read-only. Exit 0: in sync; 5 (EXIT.drift): something drifted or
 * is missing; 1: a guest's config could not be read or a plan failed (the report is incomplete);
 * 2: bad input; 4: the API is not configured.
 */
import {
  EXIT, TERRAFORM_FILE, backendFromEnv, deployStateDir, deployUnitFromSynth, driftCounts, driftServices, formatDrift, isError,
  liveGuestDrift, readFleetState, serviceVerdict, stackToolEnv, synthesizeSite, terraformDriftPlan, unmanagedGuests,
  type DriftReport, type PveAccess, type PveClient, type ServiceDrift, type Site, type TerraformDrift,
} from '@homelab/core';
import { distRoot, type CommandOptions } from './context.ts';
import type { FleetDeps } from './fleet.ts';
import { clusterContext, type Values } from './cluster-context.ts';

export async function driftCommand(options: CommandOptions, deps: FleetDeps, values: Values, clientFor: (site: Site, access: PveAccess) => PveClient): Promise<number> {
  const ctx = await clusterContext('drift', "compares the live guests", options, deps, values);
  if (typeof ctx === 'number') return ctx;
  const { site, home, named, access } = ctx;
  const services = driftServices(home, named);
  const synthesis = synthesizeSite(home, { backend: backendFromEnv(deps.env), only: services.map((s) => s.name) });
  const modelErrors = synthesis.problems.filter(isError);
  if (modelErrors.length) deps.err(`homelab: warning: the model has ${modelErrors.length} problem(s) (run \`homelab validate\`); drift compares with what synthesized.`);
  const client = clientFor(site, access);
  const state = await readFleetState(client);
  const stateDir = deployStateDir(deps.env);
  const rows: ServiceDrift[] = [];
  for (const service of services) {
    const result = synthesis.results.find((r) => r.service === service.name);
    const terraformJson = result?.files.get(TERRAFORM_FILE);
    if (!result || terraformJson === undefined) {
      rows.push({ service: service.name, verdict: 'error', guests: [], terraform: { status: 'error', message: 'did not synthesize (run `homelab validate`)' } });
      continue;
    }
    const guests = await liveGuestDrift(service, terraformJson, state, client);
    const unit = deployUnitFromSynth(result, { home, root: options.root, distRoot: distRoot(options.root) });
    // The plan's tools get the token as deploy gives it to this stack (exported, else stored; the
    // hypervisor stack the administrator credential), through the environment only.
    const env = stackToolEnv(unit.providerToken, unit.withheldEnv ?? [], access.env, undefined);
    const terraform: TerraformDrift = await terraformDriftPlan(unit, result.files, { stateDir, env, root: options.root });
    rows.push({ service: service.name, verdict: serviceVerdict(guests, terraform), guests, terraform });
  }
  const report: DriftReport = { services: rows, unmanaged: named.length ? [] : unmanagedGuests(home, state) };
  const counts = driftCounts(report);
  if (values.json) deps.out(JSON.stringify({ ...report, counts }, null, 2));
  else for (const l of formatDrift(report)) deps.out(l);
  if (counts.errors || counts.unknown) return EXIT.failed;
  return counts.drifted || counts.missing ? EXIT.drift : EXIT.ok;
}
