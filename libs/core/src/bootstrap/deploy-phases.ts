/**
 * Phases 5 and 6: the stacks, through the deploy runner (synth, validation, preflight, locks,
 * plan shown, records). First the `hypervisor` services alone, with the admin credential: they
 * create homelab's Terraform role, user and token. Then every other service in dependency order,
 * without the admin credential; the token they use comes from the hypervisor stack's output.
 * The deploy records make both idempotent: an unchanged service is not applied again.
 */
import { dependencyWaves } from '../graph/waves.ts';
import type { Homelab } from '../model/homelab.ts';
import { unmeasuredInputsByService } from '../model/unmeasured-inputs.ts';
import { DISCOVER_COMMAND } from '../model/unmeasured.ts';
import { adminTokenEnv, withAdminToken } from './admin-token.ts';
import type { BootstrapBlocker, BootstrapContext, BootstrapPhase, PhaseResult, PlannedStep } from './phase.ts';
import { describeHandPlacedImages, handPlacedImageBlockers } from './hand-placed-images.ts';
import { describeNodeFetchedImages, placeNodeFetchedImages } from './node-fetched-images.ts';

/** The services that create the Proxmox identity every other stack uses. */
export function accessServices(home: Homelab): string[] {
  return home.services.filter((s) => s.provides.includes('hypervisor')).map((s) => s.name).sort();
}

/** Every other service, wave by wave. */
export function laterWaves(home: Homelab): string[][] {
  const access = new Set(accessServices(home));
  return wavesOf(home, (name) => !access.has(name));
}

function wavesOf(home: Homelab, keep: (name: string) => boolean): string[][] {
  const deps = new Map(home.services.filter((s) => keep(s.name)).map((s) => [s.name, s.dependsOn.filter(keep)] as const));
  return dependencyWaves(deps).waves.map((w) => [...w]);
}

/**
 * The appliances whose first run needs steps inside them before anything that uses them can
 * deploy (TrueNAS: installed and an API key; Home Assistant OS: onboarded and its MQTT broker),
 * known by their os. Each is deployed by its own first-run phase.
 */
export const FIRST_RUN_OS = ['truenas-scale', 'haos'] as const;

export function firstRunAppliances(home: Homelab): string[] {
  return home.services.filter((s) => s.guests.some((g) => (FIRST_RUN_OS as readonly string[]).includes(g.os))).map((s) => s.name).sort();
}

/** The appliances and every service that depends on one of them, directly or through others. */
export function applianceConsumers(home: Homelab): { readonly appliances: ReadonlySet<string>; readonly consumers: ReadonlySet<string> } {
  const appliances = new Set(firstRunAppliances(home));
  const consumers = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of home.services) {
      if (appliances.has(s.name) || consumers.has(s.name)) continue;
      if (s.dependsOn.some((d) => appliances.has(d) || consumers.has(d))) { consumers.add(s.name); grew = true; }
    }
  }
  return { appliances, consumers };
}

/** The waves before the appliances: every later service that neither is one nor needs one. */
export function wavesBeforeAppliances(home: Homelab): string[][] {
  const access = new Set(accessServices(home));
  const { appliances, consumers } = applianceConsumers(home);
  return wavesOf(home, (n) => !access.has(n) && !appliances.has(n) && !consumers.has(n));
}

/** The waves after the appliances' first-run steps: the services that need one of them. */
export function wavesAfterAppliances(home: Homelab): string[][] {
  const access = new Set(accessServices(home));
  const { consumers } = applianceConsumers(home);
  return wavesOf(home, (n) => !access.has(n) && consumers.has(n));
}

/** The port every Proxmox VE node serves its API on. */
export const PVE_API_PORT = 8006;

/**
 * The provider's endpoint: the operator's, else the first node's API (every node of a cluster
 * serves the whole cluster's API), said once so nobody wonders where it came from.
 */
export function withEndpoint(ctx: Pick<BootstrapContext, 'site' | 'out'>, env: BootstrapContext['env']): BootstrapContext['env'] {
  const name = ctx.site.providerEnv.endpoint;
  const first = ctx.site.nodes[0];
  if (env[name]?.trim() || !first) return env;
  const endpoint = `https://${first.ip}:${PVE_API_PORT}/`;
  ctx.out(`  ${name} is not set: using ${endpoint} (${first.name})`);
  return { ...env, [name]: endpoint };
}

function failed(services: readonly string[], exitCode: number): BootstrapBlocker {
  return {
    check: `deploy:${services.length === 1 ? services[0] : 'services'}`,
    message: `deploy of ${services.join(', ')} ended with exit code ${exitCode} (its output above says why)`,
    fix: 'Fix what the deploy output names, then rerun homelab bootstrap: deployed services are not applied again.',
  };
}

export const accessPhase: BootstrapPhase = {
  id: 'access',
  title: 'Access: homelab\'s Terraform identity',
  describe: (ctx) => accessServices(ctx.home).map((s): PlannedStep => ({
    what: `deploy ${s} with ${adminTokenEnv(ctx.site)} (role, user, ACLs, token; its token output feeds every later stack)`, mutates: true,
  })),
  async run(ctx: BootstrapContext): Promise<PhaseResult> {
    const services = accessServices(ctx.home);
    if (!services.length) return { changed: [], verified: ['no hypervisor service: the provider token comes from the environment'], blockers: [] };
    const result = await ctx.deploy(services, withEndpoint(ctx, await withAdminToken(ctx.env, ctx.site, ctx.stateDir)));
    if (result.exitCode !== 0) return { changed: result.changed, verified: [], blockers: [failed(services, result.exitCode)] };
    return { changed: result.changed, verified: result.changed.length ? [] : services.map((s) => `${s}: deployed, unchanged`), blockers: [] };
  },
};

/**
 * Facts nobody has measured yet, with the services waiting for them: checked before the first of
 * those services would deploy, so no wave stops half-way on one. The cluster is up by now, so
 * discover can read the hardware ones; an image checksum is the vendor's, pinned in the site.
 */
export function unmeasuredBlockers(home: Homelab): BootstrapBlocker[] {
  return unmeasuredInputsByService(home.site, home.services).filter((u) => u.services.length).map(({ input, services }) => ({
    check: `unmeasured:${input.path}`,
    message: `${input.path} is not measured yet (${input.how}); ${services.join(', ')} wait${services.length === 1 ? 's' : ''} for it`,
    fix: input.kind === 'image-checksum'
      ? `Pin the ${input.image.algorithm} of ${input.image.url} in the site's imageChecksums['${input.image.name}'] (docs/bootstrap.md, "Images"), then rerun: the hypervisor stack downloads it and the waiting services deploy.`
      : `Run ${DISCOVER_COMMAND} (it reads the disks and USB devices from the cluster, which is up now), paste the values into the site, then rerun.`,
  }));
}

/** The environment of every stack after access: the endpoint, never the admin credential. */
export function serviceEnv(ctx: BootstrapContext): BootstrapContext['env'] {
  const env = { ...withEndpoint(ctx, ctx.env) };
  delete env[adminTokenEnv(ctx.site)];
  return env;
}

/** Deploys the waves' services in one deploy run (it orders them), as a phase result. */
export async function deployWaves(ctx: BootstrapContext, waves: readonly (readonly string[])[], env: BootstrapContext['env'] = serviceEnv(ctx)): Promise<PhaseResult> {
  const services = waves.flat();
  if (!services.length) return { changed: [], verified: [], blockers: [] };
  const result = await ctx.deploy(services, env);
  if (result.exitCode !== 0) return { changed: result.changed, verified: [], blockers: [failed(services, result.exitCode)] };
  return { changed: result.changed, verified: result.changed.length ? [] : [`${services.length} service${services.length === 1 ? '' : 's'} deployed, unchanged`], blockers: [] };
}

const waveSteps = (waves: readonly (readonly string[])[]): PlannedStep[] => waves.map((wave, i): PlannedStep => ({ what: `wave ${i + 1}: deploy ${wave.join(', ')} (plan, apply, Ansible, smoke tests)`, mutates: true }));

export const servicesPhase: BootstrapPhase = {
  id: 'services',
  title: 'Services, in dependency order',
  describe: (ctx) => {
    const waiting = unmeasuredBlockers(ctx.home).length;
    const later = firstRunAppliances(ctx.home);
    return [
      { what: `every fact a service needs is measured${waiting ? ` (${waiting} not yet: ${DISCOVER_COMMAND} reads the hardware ones, image checksums are pinned in the site)` : ''}`, mutates: false },
      ...describeHandPlacedImages(ctx),
      ...describeNodeFetchedImages(ctx),
      ...waveSteps(wavesBeforeAppliances(ctx.home)),
      ...(later.length ? [{ what: `not yet: ${later.join(', ')} and what needs them (after their first-run steps)`, mutates: false }] : []),
    ];
  },
  async run(ctx): Promise<PhaseResult> {
    if (!laterWaves(ctx.home).flat().length) return { changed: [], verified: [], blockers: [] };
    // Everything that would stop a wave half-way (this phase's or a later one's), reported at once, before anything deploys.
    const blockers = [...unmeasuredBlockers(ctx.home), ...await handPlacedImageBlockers(ctx)];
    if (blockers.length) return { changed: [], verified: [], blockers };
    // Then the images download-url cannot unpack, before anything that boots from them.
    const fetched = await placeNodeFetchedImages(ctx);
    if (fetched.blockers.length) return fetched;
    const deployed = await deployWaves(ctx, wavesBeforeAppliances(ctx.home));
    return { ...deployed, changed: [...fetched.changed, ...deployed.changed], verified: [...fetched.verified, ...deployed.verified] };
  },
};

/** After the appliances' first-run steps: the services that mount TrueNAS's NFS or talk to HA's broker. */
export const applianceConsumersPhase: BootstrapPhase = {
  id: 'appliance-consumers',
  title: 'Services that need the appliances, in dependency order',
  describe: (ctx) => waveSteps(wavesAfterAppliances(ctx.home)),
  run: (ctx) => deployWaves(ctx, wavesAfterAppliances(ctx.home)),
};
