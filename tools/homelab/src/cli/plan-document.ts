/**
 * `homelab plan --json`: the plan as data for CI and scripts. The shape is documented in
 * docs/cli.md; timings are left out so the same homelab gives the same document.
 */
import { describeRouteAuth, shownServices, shownUnmeasured, unmeasuredInputsByService, type ChangeStatus, type Homelab, type NormalizedService, type Plan, type Problem } from '@homelab/core';
import { validationDocument, type ValidationDocument } from './validation-document.ts';
import type { ValidationSummary } from '../commands/validate.ts';

type Changes = ReadonlyMap<string, { status: ChangeStatus; artifacts: readonly string[] }>;

function serviceDocument(s: NormalizedService, wave: number, changes: Changes | undefined, waitsFor: readonly string[]) {
  const change = changes?.get(s.name);
  return {
    name: s.name,
    package: s.pkg.name,
    version: s.pkg.version,
    group: s.group,
    tier: s.tier,
    kind: s.kind,
    wave,
    dependsOn: s.dependsOn,
    change: change ? { status: change.status, artifacts: change.artifacts } : null,
    sharesGuestWith: s.sharesGuestWith ?? null,
    externalHost: s.kind === 'external' ? { name: s.externalHost?.name ?? null, ip: s.ip ?? null } : null,
    guests: s.guests.map((g) => ({
      kind: g.kind,
      name: g.name,
      node: g.placement.node,
      vmid: g.placement.vmid,
      ip: g.placement.ip,
      cores: g.resources.cores,
      memoryMiB: g.resources.memoryMiB,
      balloonMiB: g.kind === 'vm' ? g.resources.balloonMiB : null,
      cpuWeight: g.cpuWeight,
      disks: g.resources.disks.map((d) => ({ storage: d.storage, sizeGiB: d.sizeGiB })),
    })),
    routes: s.routes.map((r) => ({ url: `https://${r.fqdn}`, backend: r.backendUrl, auth: r.auth, public: r.public, admin: r.admin, description: describeRouteAuth(r) })),
    publicPorts: s.ports.filter((p) => p.public).map((p) => ({ port: p.port, protocol: p.protocol, description: p.description })),
    /** Site paths of the unmeasured inputs this service waits for (deploy refuses it until they are measured). */
    waitsFor,
  };
}

export interface PlanDocumentInput {
  readonly home: Homelab;
  readonly plan: Plan;
  readonly only: readonly string[];
  readonly changes?: Changes;
  /** Model, policy and rendered-file problems (synth). */
  readonly problems: readonly Problem[];
  /** Absent when synth had errors and nothing was validated. */
  readonly validation?: ValidationSummary;
}

export function planDocument(input: PlanDocumentInput) {
  const { home, plan, changes } = input;
  const { names, partial } = shownServices(home, input.only);
  const waves = plan.waves
    .map((wave, i) => ({ wave: i + 1, services: wave.filter((s) => names.has(s.name)) }))
    .filter((w) => w.services.length);
  const usedNodes = new Set(home.services.filter((s) => names.has(s.name)).flatMap((s) => s.guests.map((g) => g.placement.node)));
  const validation: ValidationDocument | null = input.validation ? validationDocument(input.validation) : null;
  const unmeasured = shownUnmeasured(unmeasuredInputsByService(home.site, home.services), names, partial);
  const waitsFor = (service: string) => unmeasured.filter((u) => u.services.includes(service)).map((u) => u.input.path);
  const errors = input.problems.filter((p) => (p.severity ?? 'error') === 'error');
  return {
    site: home.site.name,
    servicesInSite: home.services.length,
    wavesInSite: plan.waves.length,
    only: partial ? [...names] : null,
    ok: errors.length === 0 && (validation?.ok ?? false),
    waves: waves.map((w) => ({ wave: w.wave, services: w.services.map((s) => s.name) })),
    services: waves.flatMap((w) => w.services.map((s) => serviceDocument(s, w.wave, changes, waitsFor(s.name)))),
    unmeasured: unmeasured.map(({ input, services }) => ({ input: input.path, node: 'node' in input ? input.node : null, kind: input.kind, measure: input.how, services })),
    capacity: {
      overcommitLimits: { cpu: home.site.overcommit.cpu, memory: home.site.overcommit.memory },
      nodes: plan.capacity.filter((c) => !partial || usedNodes.has(c.node)).map((c) => ({
        node: c.node, cores: c.cores, committedCores: c.committedCores, cpuRatio: c.cpuRatio,
        memoryMiB: c.memoryMiB, committedMemoryMiB: c.committedMemoryMiB, memoryRatio: c.memoryRatio,
        guaranteedMemoryMiB: c.guaranteedMemoryMiB, ceilingMemoryMiB: c.ceilingMemoryMiB,
        overCpu: c.cpuRatio > home.site.overcommit.cpu, overMemory: c.memoryRatio > home.site.overcommit.memory,
        guests: c.guests.map((g) => ({ service: g.service, guest: g.guest.name, vmid: g.guest.placement.vmid })),
      })),
    },
    problems: input.problems,
    validation,
  };
}
