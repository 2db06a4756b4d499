/**
 * Reads the hardware listings `homelab discover` needs: for each node with an unmeasured input,
 * its disks (when a disk waits) and its USB devices (when a device waits). A node whose listing
 * the API refuses (offline, a missing privilege) is recorded with the reason; a wrong token or an
 * unreachable API stops everything (every node would fail the same way).
 */
import type { HardwareInput } from '../model/unmeasured-inputs.ts';
import type { PveClient } from '../pve/client.ts';
import { PveApiError } from '../pve/errors.ts';
import type { NodeHardware } from './discover.ts';

async function attempt<T>(read: () => Promise<T>): Promise<{ value?: T; error?: string }> {
  try {
    return { value: await read() };
  } catch (error) {
    if (error instanceof PveApiError) return { error: error.message };
    throw error;
  }
}

export async function readNodeHardware(client: PveClient, inputs: readonly HardwareInput[]): Promise<Map<string, NodeHardware>> {
  const hardware = new Map<string, NodeHardware>();
  for (const node of [...new Set(inputs.map((i) => i.node))]) {
    const here = inputs.filter((i) => i.node === node);
    const disks = here.some((i) => i.kind === 'disk-device') ? await attempt(() => client.disks(node)) : {};
    const usb = here.some((i) => i.kind !== 'disk-device') ? await attempt(() => client.usbDevices(node)) : {};
    hardware.set(node, {
      ...(disks.value ? { disks: disks.value } : {}), ...(disks.error ? { diskError: disks.error } : {}),
      ...(usb.value ? { usb: usb.value } : {}), ...(usb.error ? { usbError: usb.error } : {}),
    });
  }
  return hardware;
}
