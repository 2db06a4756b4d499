/**
 * `homelab discover`: the site's unmeasured hardware inputs (model/unmeasured-inputs.ts) matched
 * with what the cluster reports (the PVE API's disk list and USB devices), so each can be pasted
 * into the site in place of its `unmeasured('…')`. A value is offered only when the listing
 * decides it: a disk by node, role, kind and size class (as many fitting disks as inputs); a USB
 * device path by its known vendor:product; a USB id when exactly one device on the node can be
 * it. Everything else is reported with the candidates and the site's own words on how to measure.
 */
import type { Disk, Site } from '../model/site.ts';
import type { HardwareInput } from '../model/unmeasured-inputs.ts';
import type { PveDisk, PveUsbDevice } from '../pve/hardware.ts';

/** What one node's listings gave, or why one could not be read. */
export interface NodeHardware {
  readonly disks?: readonly PveDisk[];
  readonly diskError?: string;
  readonly usb?: readonly PveUsbDevice[];
  readonly usbError?: string;
}

export interface Candidate {
  readonly value: string;
  /** What the cluster says about it: model, size, serial, kernel name; product, bus and device. */
  readonly evidence: string;
}

export interface DiscoveredValue extends Candidate {
  readonly input: HardwareInput;
  /** The site key it fills: `device`, `id` or `path`. */
  readonly field: 'device' | 'id' | 'path';
  /** What to know before pasting it (a kernel name that is not stable, a path that changes on re-plug). */
  readonly note?: string;
}

export interface UndiscoveredInput {
  readonly input: HardwareInput;
  readonly reason: string;
  readonly candidates: readonly Candidate[];
}

export interface Discovery {
  readonly matched: readonly DiscoveredValue[];
  readonly unmatched: readonly UndiscoveredInput[];
}

const GiB = 1024 ** 3;
/** A disk sold as "500 GB" has 465.7 GiB, one of "4 TB" 3725 GiB: the site's sizes are the nominal ones. */
const SIZE_CLASS = { min: 0.85, max: 1.1 } as const;

const fieldOf = (input: HardwareInput): DiscoveredValue['field'] => (input.kind === 'disk-device' ? 'device' : input.kind === 'device-id' ? 'id' : 'path');

function diskKind(d: PveDisk): string | undefined {
  if (d.type === 'ssd' || d.type === 'hdd' || d.type === 'nvme') return d.type;
  return d.devpath.startsWith('/dev/nvme') ? 'nvme' : undefined;
}

function kindFits(site: Disk['kind'], d: PveDisk): boolean {
  const kind = diskKind(d);
  if (kind === undefined) return true;
  return site === 'ssd' ? kind === 'ssd' || kind === 'nvme' : kind === site;
}

function sizeFits(sizeGiB: number, d: PveDisk): boolean {
  const ratio = d.size / GiB / sizeGiB;
  return ratio >= SIZE_CLASS.min && ratio <= SIZE_CLASS.max;
}

/** Whether the disk can be one of this role: an OSD disk for ceph-osd, never the node's own LVM or a mounted disk. */
function roleFits(role: Disk['role'], d: PveDisk): boolean {
  if (d.mounted) return false;
  if (role === 'ceph-osd') return d.osdid >= 0 || d.used === undefined;
  if (role === 'passthrough') return d.osdid < 0 && d.used !== 'LVM';
  return false;
}

function diskCandidate(d: PveDisk): Candidate & { note?: string } {
  const facts = [d.model, `${(d.size / GiB).toFixed(1)} GiB`, diskKind(d), d.serial ? `serial ${d.serial}` : undefined, d.wwn ? `wwn ${d.wwn}` : undefined, `now ${d.devpath}`, d.osdid >= 0 ? `osd.${d.osdid}` : undefined, d.used ? `used: ${d.used}` : undefined];
  const evidence = facts.filter(Boolean).join(', ');
  if (d.by_id_link) return { value: d.by_id_link, evidence };
  // No stable link in the answer: the kernel name is measured, but it can change at the next boot.
  return {
    value: d.devpath, evidence,
    note: `${d.devpath} is the kernel's name and can change at the next boot: prefer its /dev/disk/by-id/ link (\`ls -l /dev/disk/by-id/ | grep ${d.serial ?? d.devpath.replace('/dev/', '')}\` on the node)`,
  };
}

const samePath = (value: string, d: PveDisk) => value === d.devpath || value === d.by_id_link;

function discoverDisks(site: Site, node: string, inputs: readonly HardwareInput[], hw: NodeHardware | undefined, out: { matched: DiscoveredValue[]; unmatched: UndiscoveredInput[] }): void {
  const disks = inputs.filter((i): i is Extract<HardwareInput, { kind: 'disk-device' }> => i.kind === 'disk-device');
  if (!disks.length) return;
  if (!hw?.disks) {
    for (const input of disks) out.unmatched.push({ input, reason: `the disks of ${node} could not be listed: ${hw?.diskError ?? 'not asked'}`, candidates: [] });
    return;
  }
  // Disks the site has measured already are taken.
  const measured = (site.nodes.find((n) => n.name === node)?.disks ?? []).map((d) => d.device).filter((v): v is string => typeof v === 'string');
  const pool = [...hw.disks].filter((d) => !measured.some((m) => samePath(m, d))).sort((a, b) => a.devpath.localeCompare(b.devpath));
  const classes = new Map<string, typeof disks>();
  for (const input of disks) {
    const key = `${input.disk.role}/${input.disk.kind}/${input.disk.sizeGiB}`;
    classes.set(key, [...(classes.get(key) ?? []), input]);
  }
  for (const group of classes.values()) {
    const { role, kind, sizeGiB } = group[0]!.disk;
    const fitting = pool.filter((d) => roleFits(role, d) && kindFits(kind, d) && sizeFits(sizeGiB, d));
    // Existing OSDs settle a ceph-osd class that has more fitting disks than inputs.
    const chosen = role === 'ceph-osd' && fitting.length > group.length && fitting.filter((d) => d.osdid >= 0).length === group.length
      ? fitting.filter((d) => d.osdid >= 0) : fitting;
    const what = `${kind} ${role} disk${group.length === 1 ? '' : 's'} of about ${sizeGiB} GiB`;
    if (chosen.length !== group.length) {
      const reason = chosen.length === 0
        ? `no disk on ${node} fits the ${what} (${pool.length} disk${pool.length === 1 ? '' : 's'} listed, none of that kind, size and use)`
        : `${chosen.length} disks on ${node} fit the ${group.length} ${what}: pick by serial`;
      for (const input of group) out.unmatched.push({ input, reason, candidates: chosen.map(diskCandidate).map(({ value, evidence }) => ({ value, evidence })) });
      continue;
    }
    group.forEach((input, i) => {
      const c = diskCandidate(chosen[i]!);
      const order = group.length > 1 ? `one of ${group.length} ${what}, which are interchangeable: assigned in kernel-name order` : undefined;
      const note = [c.note, order].filter(Boolean).join('; ');
      out.matched.push({ input, field: 'device', value: c.value, evidence: c.evidence, ...(note ? { note } : {}) });
      pool.splice(pool.indexOf(chosen[i]!), 1);
    });
  }
}

const usbId = (u: PveUsbDevice) => `${u.vendid}:${u.prodid}`.toLowerCase();
const pad3 = (n: number) => String(n).padStart(3, '0');
const usbCandidate = (u: PveUsbDevice, value: string): Candidate => ({
  value, evidence: [[u.manufacturer, u.product].filter(Boolean).join(' ') || 'no product string', usbId(u), `bus ${pad3(u.busnum)} device ${pad3(u.devnum)}`, u.serial ? `serial ${u.serial}` : undefined].filter(Boolean).join(', '),
});

function discoverUsb(site: Site, node: string, inputs: readonly HardwareInput[], hw: NodeHardware | undefined, out: { matched: DiscoveredValue[]; unmatched: UndiscoveredInput[] }): void {
  const devices = inputs.filter((i): i is Extract<HardwareInput, { kind: 'device-id' | 'device-path' }> => i.kind !== 'disk-device');
  if (!devices.length) return;
  const usb = hw?.usb;
  const nodeDevices = site.nodes.find((n) => n.name === node)?.devices ?? {};
  // USB ids the site has measured on this node belong to their devices.
  const known = new Set(Object.values(nodeDevices).filter((d) => d.kind === 'usb' && typeof d.id === 'string').map((d) => (d.id as string).toLowerCase()));
  const open = (usb ?? []).filter((u) => u.class !== 9 && !known.has(usbId(u)));
  const unknownIds = devices.filter((i) => i.kind === 'device-id' && i.device.kind === 'usb');
  for (const input of devices) {
    const field = fieldOf(input);
    if (input.device.kind !== 'usb') {
      out.unmatched.push({ input, reason: `the PVE API lists USB devices only; a ${input.device.kind} device's ${field} is measured on the node`, candidates: [] });
      continue;
    }
    if (!usb) {
      out.unmatched.push({ input, reason: `the USB devices of ${node} could not be listed: ${hw?.usbError ?? 'not asked'}`, candidates: [] });
      continue;
    }
    if (input.kind === 'device-path') {
      const id = input.device.id?.toLowerCase();
      if (id === undefined) {
        out.unmatched.push({ input, reason: 'the device\'s USB id is not measured yet, and the PVE API names no serial device nodes: measure the id first, then the node', candidates: [] });
        continue;
      }
      const found = usb.filter((u) => usbId(u) === id);
      const candidates = found.map((u) => usbCandidate(u, `/dev/bus/usb/${pad3(u.busnum)}/${pad3(u.devnum)}`));
      if (found.length === 1) {
        out.matched.push({ input, field, ...candidates[0]!, note: 'the libusb node of the device now: bus and device numbers change when it is re-plugged or the node reboots' });
      } else {
        out.unmatched.push({ input, reason: found.length ? `${found.length} USB devices ${id} on ${node}: pick one` : `no USB device ${id} on ${node}: is it plugged in?`, candidates });
      }
      continue;
    }
    const candidates = open.map((u) => usbCandidate(u, usbId(u)));
    if (unknownIds.length === 1 && open.length === 1) out.matched.push({ input, field, ...candidates[0]! });
    else {
      const reason = open.length === 0
        ? `no USB device on ${node} that the site does not know already (hubs left out)`
        : `${open.length} USB devices on ${node} could be it (${unknownIds.length} unmeasured USB id${unknownIds.length === 1 ? '' : 's'} there): pick the ${input.device.description}`;
      out.unmatched.push({ input, reason, candidates });
    }
  }
}

/** Matches the inputs with each node's listings; in the inputs' order. */
export function discoverInputs(site: Site, inputs: readonly HardwareInput[], hardware: ReadonlyMap<string, NodeHardware>): Discovery {
  const out = { matched: [] as DiscoveredValue[], unmatched: [] as UndiscoveredInput[] };
  const nodes = [...new Set(inputs.map((i) => i.node))];
  for (const node of nodes) {
    const here = inputs.filter((i) => i.node === node);
    discoverDisks(site, node, here, hardware.get(node), out);
    discoverUsb(site, node, here, hardware.get(node), out);
  }
  const order = (i: HardwareInput) => inputs.indexOf(i);
  return {
    matched: out.matched.sort((a, b) => order(a.input) - order(b.input)),
    unmatched: out.unmatched.sort((a, b) => order(a.input) - order(b.input)),
  };
}

/** The line to paste in place of the input's `unmeasured('…')`. */
export function pasteLine(d: Pick<DiscoveredValue, 'field' | 'value'>): string {
  return `${d.field}: '${d.value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The report as text: what to paste where, then what could not be matched and why. */
export function formatDiscovery(d: Discovery, siteFile: string): string[] {
  const total = d.matched.length + d.unmatched.length;
  const lines = [`discover: ${total} unmeasured input${total === 1 ? '' : 's'}; ${d.matched.length} measured on the cluster, ${d.unmatched.length} not`];
  if (d.matched.length) {
    lines.push('', `Paste into ${siteFile}, in place of each unmeasured('…'):`);
    for (const m of d.matched) {
      lines.push(`  ${m.input.path}`, `    ${pasteLine(m)},  // ${m.evidence}`);
      if (m.note) lines.push(`    // ${m.note}`);
    }
  }
  if (d.unmatched.length) {
    lines.push('', 'Not matched (measure by hand as the site says, or pick a candidate):');
    for (const u of d.unmatched) {
      lines.push(`  ${u.input.path}: ${u.reason}`, `    how: ${u.input.how}`);
      for (const c of u.candidates) lines.push(`    candidate ${pasteLine({ field: fieldOf(u.input), value: c.value })}  // ${c.evidence}`);
    }
  }
  return lines;
}

/** The report as data (`homelab discover --json`). */
export function discoveryDocument(d: Discovery) {
  return {
    ok: d.unmatched.length === 0,
    matched: d.matched.map((m) => ({ input: m.input.path, node: m.input.node, field: m.field, value: m.value, paste: pasteLine(m), evidence: m.evidence, note: m.note ?? null })),
    unmatched: d.unmatched.map((u) => ({ input: u.input.path, node: u.input.node, reason: u.reason, measure: u.input.how, candidates: u.candidates.map((c) => ({ ...c, paste: pasteLine({ field: fieldOf(u.input), value: c.value }) })) })),
  };
}
