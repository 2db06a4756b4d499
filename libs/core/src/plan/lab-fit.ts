/**
 * Which services a lab of LXC containers on one machine (CI) can deploy for real, and what keeps
 * each of the others out: the lab has no Docker engine, no hypervisor for VMs, none of the site's
 * passed-through devices and none of its external hardware. Every reason is given at once, so
 * the lab plan says all that stands between a service and the lab, not only the first.
 */
import type { Homelab } from '../model/homelab.ts';
import type { NormalizedService } from '../model/service.ts';
import { ANSIBLE_PLAYBOOK } from '../synth/manifest.ts';
import type { SynthResult } from '../synth/synth-service.ts';

export type LabExclusionCode = 'vm' | 'external-host' | 'no-guest' | 'docker' | 'devices' | 'no-playbook' | 'shares-excluded-guest';

export interface LabExclusion {
  readonly code: LabExclusionCode;
  readonly reason: string;
}

export interface LabFit {
  readonly service: string;
  readonly fits: boolean;
  /** Empty when the service fits. */
  readonly exclusions: readonly LabExclusion[];
}

/** What keeps one service out of the lab, judged on its own (the guest it shares is judged by labFits). */
export function labExclusions(service: NormalizedService, hasPlaybook: boolean): LabExclusion[] {
  const out: LabExclusion[] = [];
  const vms = service.guests.filter((g) => g.kind === 'vm').map((g) => g.name);
  if (service.kind === 'vm' || vms.length > 0) {
    out.push({ code: 'vm', reason: `runs as a virtual machine${vms.length > 1 ? ` (${vms.length}: ${vms.join(', ')})` : ''}; the lab has LXC containers only` });
  }
  if (service.kind === 'external') {
    out.push({ code: 'external-host', reason: `runs on its own hardware (${service.externalHost ? `${service.externalHost.hardware}, ${service.externalHost.name}` : service.placementName}), not in a Proxmox guest` });
  }
  if (service.kind === 'none' && vms.length === 0) {
    out.push({ code: 'no-guest', reason: 'has no guest of its own: it configures the Proxmox nodes or the cluster' });
  }
  if (service.docker) out.push({ code: 'docker', reason: 'needs a Docker engine, and none runs in the lab' });
  const devices = [...new Set([...service.devices, ...service.guests.flatMap((g) => g.devices)].map((d) => d.device))].sort();
  if (devices.length > 0) out.push({ code: 'devices', reason: `passes through the site's devices (${devices.join(', ')}), which the lab does not pass through` });
  if (!hasPlaybook && service.kind !== 'none' && service.kind !== 'external') out.push({ code: 'no-playbook', reason: 'has no playbook: nothing is configured inside its guest, so a lab deploy would test nothing' });
  return out;
}

/** Every synthesized service of the homelab, in the synthesis order, with what keeps it out of the lab. */
export function labFits(home: Homelab, results: readonly SynthResult[]): LabFit[] {
  const own = new Map(results.flatMap((r) => {
    const service = home.byName.get(r.service);
    return service ? [[r.service, labExclusions(service, r.files.has(ANSIBLE_PLAYBOOK))] as const] : [];
  }));
  return [...own].map(([name, exclusions]) => {
    const host = home.byName.get(name)?.sharesGuestWith;
    const all = host !== undefined && (own.get(host)?.length ?? 0) > 0
      ? [...exclusions, { code: 'shares-excluded-guest' as const, reason: `shares the guest of ${host}, which is not in the lab` }]
      : exclusions;
    return { service: name, fits: all.length === 0, exclusions: all };
  });
}

/** The lab plan for people: what the lab deploys, then each service left out with every reason. */
export function formatLabFits(fits: readonly LabFit[]): string {
  const inLab = fits.filter((f) => f.fits);
  const out = fits.filter((f) => !f.fits);
  const width = Math.max(0, ...out.map((f) => f.service.length));
  return [
    `In the lab (${inLab.length} of ${fits.length} services, each in its own LXC container): ${inLab.map((f) => f.service).join(', ') || 'none'}`,
    '',
    `Left out (${out.length}):`,
    ...out.map((f) => `  ${f.service.padEnd(width)}  ${f.exclusions.map((e) => e.reason).join('; ')}`),
  ].join('\n');
}
