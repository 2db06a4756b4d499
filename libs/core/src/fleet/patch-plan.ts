/**
 * `homelab patch <layer>`: the seed's patching strategy, as data. Each layer becomes a list of
 * units (a node, a container, a stack, a Pi), each a list of steps; the runner executes them
 * and `--dry-run` prints them. Every command is an argv; ssh's remote command is one argument
 * after `--`, built with the one quoting helper (shellCommand), because ssh hands it to the
 * remote shell: a compose path holding `;` stays one word there, and what runs is exactly what
 * `--dry-run` prints.
 *
 * Each unit names the services whose guests it touches (`services`), so the run takes their
 * deploy locks; a node's Ceph `noout` is set inside a `restore` step whose undo always runs.
 *
 * | layer   | units                           | how                     | safety                                  |
 * | proxmox | the site's nodes                | serial                  | cluster healthy before each, and after  |
 * | lxc     | every LXC guest (apt-based)     | parallel, --parallel N  | stopped guests and hardware-bound skipped |
 * | docker  | every Compose stack             | serial                  | pull, then `up -d`: a brief restart     |
 * | talos   | Talos VMs, control plane first  | serial                  | `talosctl health` before each, and after |
 * | pi      | the site's external hosts       | parallel, --parallel N  | reboot needed is reported, not done     |
 */
import type { Homelab } from '../model/homelab.ts';
import { UNIX_NAME_FIX, isUnixName } from '../model/unix-name.ts';
import { shellCommand } from '../shell/quote.ts';
import type { NormalizedService } from '../model/service.ts';
import { osImagesOf } from '../model/os-images.ts';
import { renderConfigFiles } from '../synth/synth-service.ts';
import { guestsOf, guestState, type FleetState } from './fleet-state.ts';
import type { ToolCommand } from './process-runner.ts';
import { talosMachines } from './talos-machines.ts';

export const PATCH_LAYERS = ['proxmox', 'lxc', 'docker', 'talos', 'pi'] as const;
export type PatchLayer = (typeof PATCH_LAYERS)[number];

export type PatchStep =
  | { readonly kind: 'run'; readonly cmd: ToolCommand; /** Exit codes that count as success. @default [0] */ readonly ok?: readonly number[] }
  /** Runs `check`: exit 0 runs `then`, exit 1 skips it, anything else fails. */
  | { readonly kind: 'if'; readonly description: string; readonly check: ToolCommand; readonly then: readonly PatchStep[] }
  /**
   * Waits until corosync is quorate, every node online and Ceph HEALTH_OK (API), asked of `ask`
   * in turn: nodes that are not the one about to reboot. Empty when the site has one node only.
   */
  | { readonly kind: 'gate'; readonly gate: 'cluster-healthy'; readonly ask: readonly string[] }
  /** Reboots a Proxmox node and waits until it is back online with a fresh uptime (API, asked of `ask`). */
  | { readonly kind: 'reboot'; readonly node: string; readonly cmd: ToolCommand; readonly ask: readonly string[] }
  /**
   * Runs `set`, then `body`; then, whatever happened (success, failure, interrupt, a node that
   * never came back), `undo`: each of `undo` in turn until one succeeds. When none does, the
   * state is left behind and the run says so loudly, with `clear` (the command to type).
   */
  | { readonly kind: 'restore'; readonly what: string; readonly set: ToolCommand; readonly body: readonly PatchStep[]; readonly undo: readonly ToolCommand[]; readonly clear: string }
  | { readonly kind: 'note'; readonly text: string };

export interface PatchUnit {
  readonly name: string;
  readonly steps: readonly PatchStep[];
  /** The services whose guests this unit touches (sorted): their deploy locks are held while it runs. */
  readonly services: readonly string[];
}

export interface PatchPlan {
  readonly layer: PatchLayer;
  readonly title: string;
  readonly mode: 'serial' | 'parallel';
  readonly parallel: number;
  readonly units: readonly PatchUnit[];
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
  /** Programs the plan runs, checked on PATH before anything starts. */
  readonly tools: readonly string[];
  /** The plan has gates or reboots that read the Proxmox API. */
  readonly needsApi: boolean;
  /** Every unit's services, sorted: the deploy locks a run takes (with FLEET_LOCK). */
  readonly lockServices: readonly string[];
}

export interface PatchOptions {
  /** Units at once for parallel layers. @default 4 */
  readonly parallel?: number;
  /** Only these services (lxc, docker); also how hardware-bound members are included. @default - all but hardware-bound */
  readonly services?: readonly string[];
  /** Talos installer image (talos only, required). */
  readonly image?: string;
  /** SSH user. @default "root" (as the Ansible inventory) */
  readonly sshUser?: string;
  /** Live state: skips stopped containers and finds a guest's current node. */
  readonly state?: FleetState;
}

export type PatchPlanResult = { readonly kind: 'plan'; readonly plan: PatchPlan } | { readonly kind: 'usage'; readonly message: string };

export const SSH_OPTIONS = ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10'] as const;
export const APT_UPDATE = ['apt-get', '-q', 'update'] as const;
export const APT_UPGRADE = ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', '-q', '-y', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', 'dist-upgrade'] as const;
/** Exit 0 when a reboot is needed: Debian's flag file, or a newer kernel installed than the one running. */
export const REBOOT_NEEDED_CHECK = 'test -f /run/reboot-required || test "$(uname -r)" != "$(ls -1 /boot | sed -n \'s/^vmlinuz-//p\' | sort -V | tail -n 1)"';

/**
 * `ssh <options> user@host -- '<remote command>'`: the remote words are quoted into one argument,
 * since ssh joins its arguments with spaces and the remote shell splits them again.
 */
export function ssh(user: string, host: string, remote: readonly string[], step: string): ToolCommand {
  return { file: 'ssh', args: [...SSH_OPTIONS, `${user}@${host}`, '--', shellCommand(remote)], step };
}

/** The lock every fleet operation (patch, group start|stop) holds besides its services' locks: never a service name. */
export const FLEET_LOCK = '@fleet';

/** The nodes to ask about the cluster while `rebooting` is down: the others, starting after it (rotating). */
export function healthNodes(nodes: readonly string[], rebooting: string | undefined): string[] {
  const at = rebooting === undefined ? -1 : nodes.indexOf(rebooting);
  return nodes.map((_, i) => nodes[(at + 1 + i) % nodes.length]!).filter((n) => n !== rebooting);
}

/** Services with a guest on `node` (by live state when known, else by plan). */
function servicesOnNode(home: Homelab, node: string, state: FleetState | undefined): string[] {
  return home.services.filter((s) => guestsOf(home, s).some((g) => (state?.guests.get(g.vmid)?.node ?? g.plannedNode) === node)).map((s) => s.name);
}

/** A guest's owner and every service that shares it. */
function servicesOfGuest(home: Homelab, vmid: number): string[] {
  return home.services.filter((s) => guestsOf(home, s).some((g) => g.vmid === vmid)).map((s) => s.name);
}

const sorted = (names: Iterable<string>): string[] => [...new Set(names)].sort();

function inScope(home: Homelab, s: NormalizedService, named: readonly string[]): boolean {
  if (named.length) return named.includes(s.name);
  return !home.site.groups[s.group]?.hardwareBound;
}

function unknownServices(home: Homelab, named: readonly string[]): string | undefined {
  const unknown = named.filter((n) => !home.byName.has(n));
  return unknown.length ? `unknown service${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}. Services: ${home.services.map((s) => s.name).join(', ')}.` : undefined;
}

function hardwareBoundSkips(home: Homelab, named: readonly string[], applies: (s: NormalizedService) => boolean): { name: string; reason: string }[] {
  if (named.length) return [];
  return home.services.filter((s) => home.site.groups[s.group]?.hardwareBound && applies(s))
    .map((s) => ({ name: s.name, reason: `group ${s.group} is hardware-bound: excluded from bulk patching; name it with --service ${s.name}` }));
}

export function planPatch(home: Homelab, layer: string, options: PatchOptions = {}): PatchPlanResult {
  const user = options.sshUser ?? 'root';
  const parallel = options.parallel ?? 4;
  const named = options.services ?? [];
  if (!isUnixName(user)) return { kind: 'usage', message: `--ssh-user ${JSON.stringify(user)} is not a valid user name: ${UNIX_NAME_FIX} (e.g. --ssh-user root).` };
  if (!(PATCH_LAYERS as readonly string[]).includes(layer)) return { kind: 'usage', message: `unknown patch layer "${layer}". Layers: ${PATCH_LAYERS.join(', ')}.` };
  const unknown = unknownServices(home, named);
  if (unknown) return { kind: 'usage', message: unknown };
  const site = home.site;

  switch (layer as PatchLayer) {
    case 'proxmox': {
      if (named.length) return { kind: 'usage', message: 'patch proxmox patches nodes, not services: --service does not apply.' };
      const names = site.nodes.map((n) => n.name);
      const units = site.nodes.map((node, i): PatchUnit => {
        const at = (remote: readonly string[], what: string): ToolCommand => ssh(user, node.ip, remote, `${node.name}: ${what}`);
        const ceph = node.disks.some((d) => d.role === 'ceph-osd');
        const ask = healthNodes(names, node.name);
        const reboot: PatchStep = { kind: 'reboot', node: node.name, cmd: at(['systemctl', 'reboot'], 'reboot'), ask };
        // noout is cleared from a node that stays up (the rebooted one may never come back), then
        // from the node itself; with one node, only from itself.
        const unsetFrom = [...ask.map((n) => site.nodes.find((x) => x.name === n)!), node];
        const noout: PatchStep = {
          kind: 'restore', what: 'Ceph noout', set: at(['ceph', 'osd', 'set', 'noout'], 'ceph osd set noout'), body: [reboot],
          undo: unsetFrom.map((n) => ({ ...ssh(user, n.ip, ['ceph', 'osd', 'unset', 'noout'], `${node.name}: ceph osd unset noout (on ${n.name})`), timeoutMs: 60_000 })),
          clear: `ssh ${user}@${unsetFrom[0]!.ip} -- ceph osd unset noout`,
        };
        const steps: PatchStep[] = [
          { kind: 'gate', gate: 'cluster-healthy', ask },
          { kind: 'run', cmd: at(APT_UPDATE, 'apt-get update') },
          { kind: 'run', cmd: at(APT_UPGRADE, 'apt-get dist-upgrade') },
          { kind: 'if', description: 'a reboot is needed', check: at(['sh', '-c', REBOOT_NEEDED_CHECK], 'check whether a reboot is needed'), then: [ceph ? noout : reboot] },
          ...(i === site.nodes.length - 1 ? [{ kind: 'gate', gate: 'cluster-healthy', ask } as const] : []),
        ];
        // A node's reboot stops or moves every guest on it.
        return { name: `${node.name} (${node.ip})`, steps, services: sorted(servicesOnNode(home, node.name, options.state)) };
      });
      return { kind: 'plan', plan: { layer: 'proxmox', title: `patch ${units.length} Proxmox node${units.length === 1 ? '' : 's'} one at a time, each gated on a healthy cluster`, mode: 'serial', parallel: 1, units, skipped: [], tools: ['ssh'], needsApi: true, lockServices: sorted(units.flatMap((u) => u.services)) } };
    }

    case 'lxc': {
      const units: PatchUnit[] = [];
      const skipped = hardwareBoundSkips(home, named, (s) => guestsOf(home, s).some((g) => g.type === 'lxc'));
      const seen = new Set<number>();
      for (const s of home.services) {
        if (!inScope(home, s, named)) continue;
        for (const g of guestsOf(home, s)) {
          // A shared guest is patched once, under the service whose stack declares it.
          if (g.type !== 'lxc' || seen.has(g.vmid) || (!named.length && g.owner !== s.name)) continue;
          seen.add(g.vmid);
          const guest = home.byName.get(g.owner)?.guests.find((x) => x.placement.vmid === g.vmid);
          const osType = guest ? osImagesOf(home.site)[guest.os]?.type : undefined;
          const label = `${g.owner} (lxc ${g.vmid})`;
          if (osType !== 'debian' && osType !== 'ubuntu') { skipped.push({ name: label, reason: `os ${guest?.os ?? 'unknown'} is not apt-based` }); continue; }
          const now = guestState(g, options.state);
          if (now === 'stopped' || now === 'absent') { skipped.push({ name: label, reason: now === 'absent' ? 'not on the cluster' : 'stopped: pct exec needs it running' }); continue; }
          const nodeName = options.state?.guests.get(g.vmid)?.node ?? g.plannedNode ?? '';
          const node = site.nodes.find((n) => n.name === nodeName);
          if (!node) { skipped.push({ name: label, reason: `node ${nodeName || '(none)'} is not a node of the site` }); continue; }
          const pct = (remote: readonly string[], what: string): ToolCommand => ssh(user, node.ip, ['pct', 'exec', String(g.vmid), '--', ...remote], `${g.owner} (lxc ${g.vmid} on ${node.name}): ${what}`);
          units.push({ name: `${label} on ${node.name}`, steps: [{ kind: 'run', cmd: pct(APT_UPDATE, 'apt-get update') }, { kind: 'run', cmd: pct(APT_UPGRADE, 'apt-get dist-upgrade') }], services: sorted(servicesOfGuest(home, g.vmid)) });
        }
      }
      return { kind: 'plan', plan: { layer: 'lxc', title: `patch ${units.length} LXC container${units.length === 1 ? '' : 's'}, ${parallel} at a time`, mode: 'parallel', parallel, units, skipped, tools: ['ssh'], needsApi: false, lockServices: sorted(units.flatMap((u) => u.services)) } };
    }

    case 'docker': {
      const units: PatchUnit[] = [];
      const skipped = hardwareBoundSkips(home, named, (s) => s.docker);
      const seen = new Set<string>();
      for (const s of home.services) {
        if (!s.docker || !inScope(home, s, named)) continue;
        const ownHost = s.sharesGuestWith ?? s.name;
        let files;
        try {
          files = renderConfigFiles(home, s);
        } catch (error) {
          skipped.push({ name: s.name, reason: `its files do not render: ${error instanceof Error ? error.message : String(error)}` });
          continue;
        }
        const composeFiles = files.filter((f) => f.format === 'compose' && (f.host ?? ownHost) === ownHost).map((f) => f.path).sort();
        if (!composeFiles.length) { skipped.push({ name: s.name, reason: 'docker is on but it renders no Compose file' }); continue; }
        const address = home.byName.get(ownHost)?.ip ?? site.addressPlan[ownHost]?.ip;
        if (!address) { skipped.push({ name: s.name, reason: `host ${ownHost} has no address` }); continue; }
        for (const file of composeFiles) {
          const key = `${address}:${file}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const dir = file.slice(0, file.lastIndexOf('/'));
          const at = (remote: readonly string[], what: string): ToolCommand => ssh(user, address, remote, `${s.name} (${dir}): ${what}`);
          units.push({
            name: `${s.name}: ${dir} on ${ownHost} (${address})`,
            steps: [
              { kind: 'run', cmd: at(['docker', 'compose', '-f', file, 'pull'], 'docker compose pull') },
              { kind: 'run', cmd: at(['docker', 'compose', '-f', file, 'up', '-d', '--remove-orphans'], 'docker compose up -d') },
              { kind: 'run', cmd: at(['docker', 'image', 'prune', '-f'], 'docker image prune') },
            ],
            // Every service in the guest whose stack restarts.
            services: sorted([ownHost, ...home.services.filter((x) => (x.sharesGuestWith ?? x.name) === ownHost).map((x) => x.name)].filter((n) => home.byName.has(n))),
          });
        }
      }
      return { kind: 'plan', plan: { layer: 'docker', title: `pull and restart ${units.length} Compose stack${units.length === 1 ? '' : 's'}, one at a time`, mode: 'serial', parallel: 1, units, skipped, tools: ['ssh'], needsApi: false, lockServices: sorted(units.flatMap((u) => u.services)) } };
    }

    case 'talos': {
      if (named.length) return { kind: 'usage', message: 'patch talos upgrades the Talos nodes, not services: --service does not apply.' };
      if (!options.image || !/^[\w.-]+(:\d+)?(\/[\w.-]+)+(:[\w.-]+|@sha256:[0-9a-f]{64})$/.test(options.image)) {
        return { kind: 'usage', message: `patch talos needs --image <installer image>, e.g. --image ghcr.io/siderolabs/installer:v1.13.9 (or an Image Factory installer with your schematic)${options.image ? `; received ${JSON.stringify(options.image)}` : ''}.` };
      }
      const { nodes, skipped } = talosMachines(home);
      // Control plane first (Talos' own advice), then workers: the role the service states for each node.
      const ordered = [...nodes.filter((n) => n.role === 'controlplane'), ...nodes.filter((n) => n.role !== 'controlplane')];
      const healthFrom = ordered[0]?.ip;
      const health = (): PatchStep => ({ kind: 'run', cmd: { file: 'talosctl', args: ['health', '--nodes', healthFrom!, '--wait-timeout', '10m'], step: `cluster health (from ${healthFrom})` } });
      const units = ordered.map((n, i): PatchUnit => ({
        name: `${n.name} (${n.ip})`,
        steps: [
          health(),
          { kind: 'run', cmd: { file: 'talosctl', args: ['upgrade', '--nodes', n.ip, '--image', options.image!, '--wait', '--timeout', '30m'], step: `${n.name}: talosctl upgrade` } },
          ...(i === ordered.length - 1 ? [health()] : []),
        ],
        services: [n.service],
      }));
      return { kind: 'plan', plan: { layer: 'talos', title: `upgrade ${units.length} Talos node${units.length === 1 ? '' : 's'} to ${options.image}, control plane first, one at a time`, mode: 'serial', parallel: 1, units, skipped, tools: ['talosctl'], needsApi: false, lockServices: sorted(units.flatMap((u) => u.services)) } };
    }

    case 'pi': {
      if (named.length) return { kind: 'usage', message: 'patch pi patches the external hosts, not services: --service does not apply.' };
      const units = site.externalHosts.map((h): PatchUnit => {
        const at = (remote: readonly string[], what: string): ToolCommand => ssh(user, h.ip, remote, `${h.name}: ${what}`);
        return {
          name: `${h.name} (${h.ip})`,
          steps: [
            { kind: 'run', cmd: at(APT_UPDATE, 'apt-get update') },
            { kind: 'run', cmd: at(APT_UPGRADE, 'apt-get dist-upgrade') },
            { kind: 'if', description: 'a reboot is needed', check: at(['test', '-f', '/run/reboot-required'], 'check whether a reboot is needed'), then: [{ kind: 'note', text: `reboot required: ssh ${user}@${h.ip} systemctl reboot when convenient` }] },
          ],
          // An upgrade restarts what runs on the host.
          services: sorted(home.services.filter((s) => s.externalHost?.name === h.name || (s.kind === 'external' && s.ip === h.ip)).map((s) => s.name)),
        };
      });
      return { kind: 'plan', plan: { layer: 'pi', title: `patch ${units.length} Raspberry Pi${units.length === 1 ? '' : 's'}, ${parallel} at a time`, mode: 'parallel', parallel, units, skipped: [], tools: ['ssh'], needsApi: false, lockServices: sorted(units.flatMap((u) => u.services)) } };
    }
  }
}
