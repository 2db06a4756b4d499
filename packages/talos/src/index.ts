/**
 * The Talos Linux Kubernetes cluster: one control plane and three workers as VMs of this one
 * service (disks on the Ceph pool, so they can live-migrate), their machine-configuration patches
 * (Talos 1.13 multi-document form, no secrets), the talosctl steps that turn them into a cluster,
 * and MetalLB in layer 2 mode. The patches and the script stay on the deploy machine; the
 * generated configurations, which embed the cluster's keys, live in a state directory outside the
 * repository.
 */
import {
  defineService, parseCidr, renderScript, siteFeature, TALOS_IMAGE_SCHEMATIC, type ConfigFile, type GuestProps, type RenderContext, type Site,
} from '@homelab/core/model';
import { DEPLOY_MACHINE, generatedHeader, talosNodePatch, toYamlDocuments, type TalosRole } from '@homelab/core/render';

export const TALOS_VERSION = 'v1.13.9';
/**
 * Image Factory schematic with the one official extension siderolabs/qemu-guest-agent: the VMs
 * have the agent enabled (guest-config.ts), and bpg waits for it (libs/site assumptions.ts). The
 * ISO the VMs first boot (core's `talos-1.13` image) comes from the same schematic.
 */
export const TALOS_SCHEMATIC = TALOS_IMAGE_SCHEMATIC;
export const TALOS_INSTALLER = `factory.talos.dev/nocloud-installer/${TALOS_SCHEMATIC}:${TALOS_VERSION}`;
/** The OS image the VMs boot the first time (model/os-images.ts). */
export const TALOS_OS_IMAGE = 'talos-1.13';
export const INSTALL_DISK = '/dev/sda';
export const METALLB_VERSION = 'v0.15.2';
export const METALLB_MANIFEST = `https://raw.githubusercontent.com/metallb/metallb/${METALLB_VERSION}/config/manifests/metallb-native.yaml`;
export const APPLY_DIR = '/talos';
export const APPLY_SCRIPT = `${APPLY_DIR}/talos-apply.sh`;
/** The apply script's source beside this package (found from the module, so it ships with it). */
export const APPLY_SCRIPT_SOURCE = new URL('../scripts/talos-apply.sh', import.meta.url);
export const METALLB_FILE = `${APPLY_DIR}/metallb/metallb-l2.yaml`;
export const API_PORT = 6443;

const MiB_PER_GiB = 1024;

export interface TalosNode {
  readonly name: string;
  readonly role: TalosRole;
  /** Proxmox node that hosts the VM. */
  readonly host: string;
  readonly ip: string;
  /** The VM's dedicated memory and its balloon floor, in MiB. */
  readonly memoryMiB: number;
  readonly balloonMiB: number;
}

/**
 * Balloon floors. The kubelet sizes node allocatable from the memory it sees at boot; a balloon
 * that later takes memory back turns into OOM kills instead of orderly evictions. So:
 * - the control plane (etcd, on tower1 with 32 GB) does not balloon: floor = maximum;
 * - a worker on a host with 16 GB or more does not balloon either;
 * - a worker on an 8 GB ThinkCentre cannot be guaranteed 8 GB (the host and its containers need
 *   RAM too), so its floor is half the host's RAM, and the kubelet reserves the ballooned part
 *   (see kubeletReservedMiB), so pods are never promised memory the balloon can take away.
 */
export function workerBalloonMiB(hostMemoryMiB: number, memoryMiB: number): number {
  return Math.min(memoryMiB, Math.floor(hostMemoryMiB / 2));
}

/** Memory kept from pods: the part the balloon may reclaim, plus Talos's own 512 MiB allowance. */
export function kubeletReservedMiB(node: TalosNode): number {
  return 512 + (node.memoryMiB - node.balloonMiB);
}

function placement(s: Site, name: string): { host: string; ip: string; hostMemoryMiB: number } {
  const p = s.addressPlan[name];
  const host = s.nodes.find((n) => n.name === p?.node);
  if (!p || !host) throw new Error(`talos: the address plan has no node placement for ${name}`);
  return { host: host.name, ip: p.ip, hostMemoryMiB: host.memoryMiB };
}

/** The cluster's machines, from the address plan entries talos-cp-* and talos-worker-*. */
export function talosNodes(s: Site): TalosNode[] {
  const names = Object.keys(s.addressPlan).filter((n) => /^talos-(cp|worker)-\d+$/.test(n)).sort();
  return names.map((name) => {
    const { host, ip, hostMemoryMiB } = placement(s, name);
    if (name.startsWith('talos-cp-')) return { name, role: 'controlplane' as const, host, ip, memoryMiB: 4 * MiB_PER_GiB, balloonMiB: 4 * MiB_PER_GiB };
    const memoryMiB = 8 * MiB_PER_GiB;
    return { name, role: 'worker' as const, host, ip, memoryMiB, balloonMiB: workerBalloonMiB(hostMemoryMiB, memoryMiB) };
  });
}

function guests(s: Site): GuestProps[] {
  return talosNodes(s).map((n) => n.role === 'controlplane'
    ? {
      name: n.name, kind: 'vm', placement: n.name, tier: 'high', cpuWeight: 1200, os: TALOS_OS_IMAGE,
      resources: { cores: 2, memoryMiB: n.memoryMiB, balloonMiB: n.balloonMiB, disks: [{ storage: 'ceph', sizeGiB: 32 }] },
    }
    : {
      name: n.name, kind: 'vm', placement: n.name, tier: 'normal', cpuWeight: 1024, os: TALOS_OS_IMAGE,
      resources: { cores: 4, memoryMiB: n.memoryMiB, balloonMiB: n.balloonMiB, disks: [{ storage: 'ceph', sizeGiB: 64 }] },
    });
}

function prefixLength(s: Site): number {
  const lan = parseCidr(s.network.cidr);
  if (!lan) throw new Error(`talos: the LAN ${s.network.cidr} is not a CIDR`);
  return lan.prefix;
}

export function nodePatch(ctx: RenderContext, node: TalosNode): string {
  const s = ctx.site;
  const docs = talosNodePatch({
    hostname: node.name,
    role: node.role,
    address: `${node.ip}/${prefixLength(s)}`,
    gateway: s.network.gateway,
    nameservers: s.network.dns,
    lanCidr: s.network.cidr,
    installDisk: INSTALL_DISK,
    installImage: TALOS_INSTALLER,
    vip: node.role === 'controlplane' ? siteFeature(s, 'kubernetes').apiVip : undefined,
    kubeletReservedMemoryMiB: node.role === 'worker' ? kubeletReservedMiB(node) : undefined,
    nodeLabels: { 'topology.kubernetes.io/zone': node.host },
  });
  return toYamlDocuments(docs, { header: generatedHeader(ctx.service.pkg, `Talos ${TALOS_VERSION} machine configuration patch for ${node.name} (${node.role}); no secrets.`) });
}

/** MetalLB in layer 2 mode: the address pool and its advertisement (metallb.io/v1beta1). */
export function metallbManifests(ctx: RenderContext): string {
  const { start, end } = siteFeature(ctx.site, 'kubernetes').metallbPool;
  const docs = [
    {
      apiVersion: 'v1', kind: 'Namespace',
      // The speaker needs host networking and NET_RAW: the namespace must allow privileged pods.
      metadata: { name: 'metallb-system', labels: { 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/audit': 'privileged', 'pod-security.kubernetes.io/warn': 'privileged' } },
    },
    { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'lan', namespace: 'metallb-system' }, spec: { addresses: [`${start}-${end}`] } },
    { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'lan', namespace: 'metallb-system' }, spec: { ipAddressPools: ['lan'] } },
  ];
  return toYamlDocuments(docs, { header: generatedHeader(ctx.service.pkg, `MetalLB ${METALLB_VERSION}, layer 2: LoadBalancer addresses ${start}–${end}, answered by ARP.`) });
}

export function applyScript(ctx: RenderContext): string {
  const s = ctx.site;
  const nodes = talosNodes(s);
  const cp = nodes.filter((n) => n.role === 'controlplane');
  const first = cp[0];
  if (!first) throw new Error('talos: the address plan has no control plane (talos-cp-0)');
  return renderScript(APPLY_SCRIPT_SOURCE, {
    header: generatedHeader(ctx.service.pkg, 'Turns the Talos VMs into a Kubernetes cluster with talosctl, then installs MetalLB.'),
    values: {
      talos_release: TALOS_VERSION,
      cluster_name: s.name,
      endpoint: `https://${siteFeature(s, 'kubernetes').apiVip}:${API_PORT}`,
      talos_version: TALOS_VERSION.replace(/\.\d+$/, ''),
      bootstrap_node: first.ip,
      control_planes: cp.map((n) => n.ip),
      machines: nodes.map((n) => `${n.name}=${n.role}=${n.ip}`),
      metallb_manifest: METALLB_MANIFEST,
    },
  });
}

/** Talos nodes have no SSH: talosctl and kubectl on the deploy machine apply these. */
const ON_DEPLOY_MACHINE = { reason: 'Talos nodes have no SSH or Ansible: talosctl and kubectl apply this from the deploy machine' };

function files(ctx: RenderContext): ConfigFile[] {
  return [
    { path: APPLY_SCRIPT, host: DEPLOY_MACHINE, hostLevel: ON_DEPLOY_MACHINE, mode: '0755', format: 'shell', run: true, content: applyScript(ctx) },
    ...talosNodes(ctx.site).map((n): ConfigFile => ({
      path: `${APPLY_DIR}/patches/${n.name}.yaml`, host: DEPLOY_MACHINE, hostLevel: ON_DEPLOY_MACHINE, mode: '0644', format: 'talos-config', content: nodePatch(ctx, n),
    })),
    { path: METALLB_FILE, host: DEPLOY_MACHINE, hostLevel: ON_DEPLOY_MACHINE, mode: '0644', format: 'kubernetes', content: metallbManifests(ctx) },
  ];
}

// A function of the site it is synthesized for: the VMs follow its address plan, the VIP its
// Kubernetes declaration (a site without `kubernetes` gets a MissingSiteFeature problem).
export default defineService((site) => {
  const kubernetes = siteFeature(site, 'kubernetes');
  return {
    name: 'talos',
    description: 'Talos Linux Kubernetes cluster: control plane and three workers as VMs on the Ceph pool, API VIP, MetalLB layer 2',
    kind: 'none',
    tier: 'high',
    group: 'kubernetes',
    guests: guests(site),
    // MetalLB (layer 2) answers for LoadBalancer addresses on the workers' NICs, on ports the
    // cluster's Services decide, not this model: a guest firewall with input DROP would drop them.
    firewall: { enabled: false, reason: 'MetalLB layer 2 answers for LoadBalancer addresses on the worker NICs on ports the cluster decides; the Kubernetes and Talos APIs require client certificates (mTLS).' },
    ports: [
      { port: API_PORT, protocol: 'tcp', description: 'Kubernetes API on the VIP' },
      { port: 50000, protocol: 'tcp', description: 'Talos API (apid) on every machine' },
    ],
    dependsOn: ['ceph', 'proxmox'],
    files,
    facts: {
      kubernetes: {
        apiEndpoint: `https://${kubernetes.apiVip}:${API_PORT}`,
        // Whoever upgrades the cluster orders the nodes by this role, not by their names.
        nodes: talosNodes(site).map((n) => ({ guest: n.name, role: n.role })),
      },
    },
  };
});
