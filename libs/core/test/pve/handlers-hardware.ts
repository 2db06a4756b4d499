/**
 * The fake cluster's hardware listings: `GET /nodes/{node}/disks/list` and
 * `GET /nodes/{node}/hardware/usb` answer each FakeNode's `disks` and `usb` (none by default),
 * in the PVE wire format (booleans 0/1). The server checks every answer against the apidata.
 */
import type { Handler } from './pve-test-server.ts';

/** A disk as PVE lists it. `type` and `by_id_link` are answered by real nodes but not declared in the 9.1.3 apidata. */
export interface FakeDisk {
  readonly devpath: string;
  readonly size: number;
  readonly serial?: string;
  readonly wwn?: string;
  readonly model?: string;
  readonly vendor?: string;
  readonly used?: string;
  readonly osdid?: number;
  readonly type?: 'ssd' | 'hdd' | 'nvme' | 'usb' | 'unknown';
  readonly by_id_link?: string;
  readonly mounted?: boolean;
}

/** A USB device as PVE lists it. */
export interface FakeUsb {
  readonly busnum: number;
  readonly devnum: number;
  readonly vendid: string;
  readonly prodid: string;
  readonly class?: number;
  readonly manufacturer?: string;
  readonly product?: string;
  readonly serial?: string;
}

const nodeOf: Handler = ({ params, cluster }) => {
  const node = cluster.nodes.find((n) => n.name === params.node);
  return node ? { data: node } : { status: 500, statusText: `hostname lookup '${params.node}' failed - failed to get address info for: ${params.node}: Name or service not known`, data: null };
};

export const HARDWARE_HANDLERS: Record<string, Handler> = {
  'GET /nodes/{node}/disks/list': (ctx) => {
    const found = nodeOf(ctx);
    if (found.status) return found;
    const node = ctx.cluster.nodes.find((n) => n.name === ctx.params.node)!;
    if (!node.online) return { status: 595, statusText: `no route to host`, data: null };
    return {
      data: (node.disks ?? []).map((d) => ({
        devpath: d.devpath, size: d.size, gpt: 1, mounted: d.mounted ? 1 : 0, osdid: d.osdid ?? -1, 'osdid-list': d.osdid !== undefined && d.osdid >= 0 ? [d.osdid] : [],
        health: 'PASSED', wearout: d.type === 'hdd' ? 'N/A' : 100, rpm: d.type === 'hdd' ? 7200 : 0,
        ...(d.type ? { type: d.type } : {}), ...(d.serial ? { serial: d.serial } : {}), ...(d.wwn ? { wwn: d.wwn } : {}), ...(d.model ? { model: d.model } : {}),
        ...(d.vendor ? { vendor: d.vendor } : {}), ...(d.used ? { used: d.used } : {}), ...(d.by_id_link ? { by_id_link: d.by_id_link } : {}),
      })),
    };
  },
  'GET /nodes/{node}/hardware/usb': (ctx) => {
    const found = nodeOf(ctx);
    if (found.status) return found;
    const node = ctx.cluster.nodes.find((n) => n.name === ctx.params.node)!;
    if (!node.online) return { status: 595, statusText: `no route to host`, data: null };
    return {
      data: (node.usb ?? []).map((u, i) => ({
        busnum: u.busnum, devnum: u.devnum, vendid: u.vendid, prodid: u.prodid, class: u.class ?? 0, level: 1, port: i + 1, speed: '480',
        ...(u.manufacturer ? { manufacturer: u.manufacturer } : {}), ...(u.product ? { product: u.product } : {}), ...(u.serial ? { serial: u.serial } : {}),
        usbpath: `${i + 1}`,
      })),
    };
  },
};
