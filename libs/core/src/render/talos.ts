/**
 * Talos machine configuration patches (Talos 1.13, multi-document form), one per node. A patch
 * holds no secret: `talosctl gen secrets` makes the PKI, `talosctl gen config --with-secrets`
 * makes the base configs, and each node's patch is applied on top with `--config-patch`.
 *
 * In 1.13 the network lives in its own documents (machine.network is gone from the v1alpha1
 * schema): HostnameConfig, LinkAliasConfig (a stable name for the one NIC, chosen by a CEL
 * selector instead of a predictable interface name), LinkConfig (static address and default
 * route), ResolverConfig, and Layer2VIPConfig for the API server's shared address on control
 * planes. Site-agnostic: every value comes from the caller.
 */
import type { KubernetesNodeRole } from '../model/facts/kubernetes.ts';

/** A Talos machine type is the Kubernetes role of the node. */
export type TalosRole = KubernetesNodeRole;

export interface TalosNodePatchInput {
  readonly hostname: string;
  readonly role: TalosRole;
  /** Static address with prefix, e.g. `10.0.0.11/24`. */
  readonly address: string;
  readonly gateway: string;
  readonly nameservers: readonly string[];
  /** The LAN in CIDR form: kubelet and etcd pick their addresses from it (never the VIP). */
  readonly lanCidr: string;
  /** @default "/dev/sda" */
  readonly installDisk?: string;
  /** Installer image, e.g. an Image Factory installer with extensions. @default - the generated config's */
  readonly installImage?: string;
  /** Shared API server address (control planes only). */
  readonly vip?: string;
  /** Alias given to the node's single NIC. @default "lan0" */
  readonly linkAlias?: string;
  /** CEL expression selecting that NIC. @default 'link.driver == "virtio_net"' */
  readonly linkSelector?: string;
  /** Memory the kubelet keeps out of pods' allocatable, in MiB. @default - Talos's default */
  readonly kubeletReservedMemoryMiB?: number;
  readonly nodeLabels?: Readonly<Record<string, string>>;
}

export const TALOS_DEFAULT_INSTALL_DISK = '/dev/sda';

/** The documents of one node's patch, in a fixed order (v1alpha1 part first). */
export function talosNodePatch(input: TalosNodePatchInput): unknown[] {
  const link = input.linkAlias ?? 'lan0';
  if (input.vip !== undefined && input.role !== 'controlplane') {
    throw new Error(`${input.hostname}: a Layer 2 VIP belongs on control-plane nodes only (Talos announces it from one control plane at a time)`);
  }
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(input.address)) throw new Error(`${input.hostname}: address "${input.address}" needs a prefix length, e.g. 10.0.0.11/24`);
  const machine: Record<string, unknown> = {
    install: { disk: input.installDisk ?? TALOS_DEFAULT_INSTALL_DISK, ...(input.installImage ? { image: input.installImage } : {}), wipe: false },
    kubelet: {
      nodeIP: { validSubnets: [input.lanCidr] },
      ...(input.kubeletReservedMemoryMiB !== undefined ? {
        // Replaces Talos's systemReserved map, so its cpu and ephemeral-storage entries are restated.
        extraConfig: { systemReserved: { cpu: '100m', memory: `${input.kubeletReservedMemoryMiB}Mi`, 'ephemeral-storage': '256Mi' } },
      } : {}),
    },
    ...(input.nodeLabels && Object.keys(input.nodeLabels).length ? { nodeLabels: sortRecord(input.nodeLabels) } : {}),
  };
  const v1alpha1: Record<string, unknown> = { machine };
  if (input.role === 'controlplane') v1alpha1.cluster = { etcd: { advertisedSubnets: [input.lanCidr] } };
  return [
    v1alpha1,
    { apiVersion: 'v1alpha1', kind: 'HostnameConfig', hostname: input.hostname },
    { apiVersion: 'v1alpha1', kind: 'LinkAliasConfig', name: link, selector: { match: input.linkSelector ?? 'link.driver == "virtio_net"' } },
    {
      apiVersion: 'v1alpha1', kind: 'LinkConfig', name: link, up: true,
      addresses: [{ address: input.address }],
      routes: [{ gateway: input.gateway }],
    },
    { apiVersion: 'v1alpha1', kind: 'ResolverConfig', nameservers: input.nameservers.map((address) => ({ address })) },
    ...(input.vip !== undefined ? [{ apiVersion: 'v1alpha1', kind: 'Layer2VIPConfig', name: input.vip, link }] : []),
  ];
}

function sortRecord<V>(r: Readonly<Record<string, V>>): Record<string, V> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
}
