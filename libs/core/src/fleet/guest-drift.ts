/**
 * One guest's live configuration (PVE's `GET .../config`) against its resource in the synthesized
 * Terraform JSON: the fields deploy sets and an operator is likely to change by hand in the UI —
 * cores, memory, balloon, swap, CPU weight, disks (size, storage), the network (bridge, address,
 * MAC when the code sets one), the name, the tags and, called out on its own, the version tag.
 *
 * A key PVE leaves out takes the default the PVE 9.1.3 API schema gives for it (QEMU cores 1 and
 * memory 512; LXC memory 512 and swap 512; an absent QEMU balloon is the memory); a key without a
 * schema default shows as `(unset)`.
 */
import type { ContainerConfig, VmConfig } from '../proxmox/generated/bpg-proxmox.ts';
import type { GuestConfig, GuestType } from '../pve/types.ts';

export interface FieldDrift {
  /** `memory`, `disk scsi0 size`, `network net0 bridge`, `tags`, `version`, ... */
  readonly field: string;
  readonly live: string;
  readonly code: string;
}

const UNSET = '(unset)';

function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return UNSET;
  return String(value);
}

/** `a=1,b=2` → {a: '1', b: '2'}; a part without `=` is the value of `first` (the volume, or `model=mac`). */
export function parsePropertyString(value: string | number | undefined, first = 'volume'): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined) return out;
  for (const part of String(value).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) out[first] = part;
    else out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** `8G`, `512M`, `1T`, `1024K` → GiB (PVE writes disk sizes with a unit; a bare number is bytes). */
export function sizeGiB(size: string | undefined): number | undefined {
  if (!size) return undefined;
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)$/i.exec(size.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2]!.toUpperCase();
  const gib = unit === 'T' ? n * 1024 : unit === 'G' ? n : unit === 'M' ? n / 1024 : unit === 'K' ? n / 1024 / 1024 : n / 1024 ** 3;
  return Math.round(gib * 1000) / 1000;
}

/** The storage of a volume id `ceph:vm-100-disk-0` (a bind mount `/mnt/x` has none). */
function storageOf(volume: string | undefined): string | undefined {
  if (!volume || volume.startsWith('/')) return undefined;
  const colon = volume.indexOf(':');
  return colon < 0 ? volume : volume.slice(0, colon);
}

const num = (v: string | number | undefined): number | undefined => (v === undefined || v === '' ? undefined : Number(String(v).replace(/^current=/, '').split(',')[0]));

class Diff {
  readonly out: FieldDrift[] = [];
  check(field: string, live: unknown, code: unknown): void {
    if (code === undefined || code === null) return; // the code does not set it: not ours to compare
    const [l, c] = [show(live), show(code)];
    if (l !== c) this.out.push({ field, live: l, code: c });
  }
}

function tagsDrift(diff: Diff, live: string | number | undefined, code: readonly string[] | null | undefined): void {
  if (!code) return;
  const liveTags = String(live ?? '').split(/[;, ]+/).filter(Boolean).sort();
  const codeTags = [...code].sort();
  const isVersion = (t: string): boolean => /^v\d/.test(t);
  diff.check('version', liveTags.filter(isVersion).join(' '), codeTags.filter(isVersion).join(' ') || undefined);
  diff.check('tags', liveTags.filter((t) => !isVersion(t)).join(' '), codeTags.filter((t) => !isVersion(t)).join(' '));
}

function ipOf(ipConfig: { readonly ipv4?: { readonly address?: string | null } | null } | null | undefined): string | undefined {
  return ipConfig?.ipv4?.address ?? undefined;
}

export function containerDrift(live: GuestConfig, code: ContainerConfig): FieldDrift[] {
  const d = new Diff();
  d.check('hostname', live.hostname, code.initialization?.hostname);
  d.check('cores', live.cores, code.cpu?.cores);
  d.check('cpuunits', live.cpuunits, code.cpu?.units);
  d.check('memory', num(live.memory) ?? 512, code.memory?.dedicated);
  d.check('swap', num(live.swap) ?? 512, code.memory?.swap);
  const rootfs = parsePropertyString(live.rootfs);
  d.check('disk rootfs storage', storageOf(rootfs.volume), code.disk?.datastore_id);
  d.check('disk rootfs size', sizeGiB(rootfs.size), code.disk?.size);
  (code.mount_point ?? []).forEach((mp, i) => {
    const l = parsePropertyString(live[`mp${i}`]);
    d.check(`disk mp${i} path`, l.mp, mp.path);
    d.check(`disk mp${i} storage`, storageOf(l.volume), storageOf(mp.volume));
    d.check(`disk mp${i} size`, sizeGiB(l.size), sizeGiB(mp.size ?? undefined));
  });
  (code.network_interface ?? []).forEach((n, i) => {
    const l = parsePropertyString(live[`net${i}`], 'name');
    d.check(`network net${i} bridge`, l.bridge, n.bridge);
    d.check(`network net${i} ip`, l.ip, ipOf(code.initialization?.ip_config?.[i]));
    d.check(`network net${i} mac`, l.hwaddr?.toUpperCase(), n.mac_address?.toUpperCase());
  });
  tagsDrift(d, live.tags, code.tags);
  return d.out;
}

/** The QEMU net device's MAC: `virtio=BC:24:11:..` (the model is the key). */
function macOf(net: Record<string, string>): string | undefined {
  for (const model of ['virtio', 'e1000', 'e1000e', 'rtl8139', 'vmxnet3']) if (net[model]) return net[model]!.toUpperCase();
  return net.macaddr?.toUpperCase();
}

export function vmDrift(live: GuestConfig, code: VmConfig): FieldDrift[] {
  const d = new Diff();
  d.check('name', live.name, code.name);
  d.check('cores', num(live.cores) ?? 1, code.cpu?.cores);
  d.check('cpuunits', live.cpuunits, code.cpu?.units);
  const memory = num(live.memory) ?? 512;
  d.check('memory', memory, code.memory?.dedicated);
  d.check('balloon', num(live.balloon) ?? memory, code.memory?.floating);
  for (const disk of code.disk ?? []) {
    const key = disk.interface ?? '';
    const l = parsePropertyString(live[key]);
    d.check(`disk ${key} storage`, storageOf(l.volume), disk.datastore_id);
    d.check(`disk ${key} size`, sizeGiB(l.size), disk.size);
  }
  (code.network_device ?? []).forEach((n, i) => {
    const l = parsePropertyString(live[`net${i}`], 'model');
    d.check(`network net${i} bridge`, l.bridge, n.bridge);
    d.check(`network net${i} mac`, macOf(l), n.mac_address?.toUpperCase());
    d.check(`network net${i} ip`, parsePropertyString(live[`ipconfig${i}`], 'ip').ip, ipOf(code.initialization?.ip_config?.[i]));
  });
  tagsDrift(d, live.tags, code.tags);
  return d.out;
}

export function guestDrift(type: GuestType, live: GuestConfig, code: ContainerConfig | VmConfig): FieldDrift[] {
  return type === 'lxc' ? containerDrift(live, code as ContainerConfig) : vmDrift(live, code as VmConfig);
}
