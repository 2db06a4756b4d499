/**
 * The fake cluster's hardware listings: `GET /nodes/{node}/disks/list` and
 * `GET /nodes/{node}/hardware/usb` answer each FakeNode's `disks` and `usb` (none by default),
 * in the PVE wire format (booleans 0/1). The server checks every answer against the apidata;
 * `type` and `by_id_link` are answered as real nodes do, though the 9.1.3 apidata does not declare them.
 */
import type { PveDisk, PveUsbDevice } from '../../src/pve/hardware.ts';
import type { FakeNode, Handler } from './pve-test-server.ts';

/** A disk as the fake lists it: the client's PveDisk, with what the fake fills in (gpt, osdid -1, unmounted) optional. */
export type FakeDisk = Pick<PveDisk, 'devpath' | 'size'> & Partial<Omit<PveDisk, 'devpath' | 'size' | 'gpt'>>;

/** A USB device as the fake lists it: the client's PveUsbDevice, with class (0), level and port filled in. */
export type FakeUsb = Pick<PveUsbDevice, 'busnum' | 'devnum' | 'vendid' | 'prodid'> & Partial<Pick<PveUsbDevice, 'class' | 'manufacturer' | 'product' | 'serial'>>;

/** The node the request names, or the answer PVE gives for an unknown or unreachable one. */
function nodeOf(ctx: Parameters<Handler>[0]): { node: FakeNode } | { answer: ReturnType<Handler> } {
  const node = ctx.cluster.nodes.find((n) => n.name === ctx.params.node);
  if (!node) return { answer: { status: 500, statusText: `hostname lookup '${ctx.params.node}' failed - failed to get address info for: ${ctx.params.node}: Name or service not known`, data: null } };
  if (!node.online) return { answer: { status: 595, statusText: 'no route to host', data: null } };
  return { node };
}

export const HARDWARE_HANDLERS: Record<string, Handler> = {
  'GET /nodes/{node}/disks/list': (ctx) => {
    const found = nodeOf(ctx);
    if ('answer' in found) return found.answer;
    return {
      data: (found.node.disks ?? []).map((d) => ({
        devpath: d.devpath, size: d.size, gpt: 1, mounted: d.mounted ? 1 : 0, osdid: d.osdid ?? -1, 'osdid-list': d.osdid !== undefined && d.osdid >= 0 ? [d.osdid] : [],
        health: 'PASSED', wearout: d.type === 'hdd' ? 'N/A' : 100, rpm: d.type === 'hdd' ? 7200 : 0,
        ...(d.type ? { type: d.type } : {}), ...(d.serial ? { serial: d.serial } : {}), ...(d.wwn ? { wwn: d.wwn } : {}), ...(d.model ? { model: d.model } : {}),
        ...(d.vendor ? { vendor: d.vendor } : {}), ...(d.used ? { used: d.used } : {}), ...(d.by_id_link ? { by_id_link: d.by_id_link } : {}),
      })),
    };
  },
  'GET /nodes/{node}/hardware/usb': (ctx) => {
    const found = nodeOf(ctx);
    if ('answer' in found) return found.answer;
    return {
      data: (found.node.usb ?? []).map((u, i) => ({
        busnum: u.busnum, devnum: u.devnum, vendid: u.vendid, prodid: u.prodid, class: u.class ?? 0, level: 1, port: i + 1, speed: '480',
        ...(u.manufacturer ? { manufacturer: u.manufacturer } : {}), ...(u.product ? { product: u.product } : {}), ...(u.serial ? { serial: u.serial } : {}),
        usbpath: `${i + 1}`,
      })),
    };
  },
};
