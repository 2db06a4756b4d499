/**
 * What the PVE API says about a node's hardware (`homelab discover` reads it): the disk list and
 * the USB devices. The fields are those of the PVE 9.1.3 apidata `returns`; `type` and
 * `by_id_link` are read when the node answers them (the apidata does not declare them).
 */

/** One entry of `GET /nodes/{node}/disks/list`. */
export interface PveDisk {
  /** Kernel device path, e.g. `/dev/sdb`: not stable across reboots. */
  readonly devpath: string;
  /** Bytes. */
  readonly size: number;
  readonly serial?: string;
  readonly wwn?: string;
  readonly model?: string;
  readonly vendor?: string;
  /** What uses the disk (`LVM`, `ZFS`, `mounted`, `partitions`, ...); absent for an unused disk. */
  readonly used?: string;
  /** The Ceph OSD on it, or -1. */
  readonly osdid: number;
  readonly gpt: boolean;
  readonly mounted: boolean;
  /** `ssd`, `hdd`, `nvme`, `usb` or `unknown`, when the node answers it. */
  readonly type?: string;
  /** The stable `/dev/disk/by-id/…` link, when the node answers it. */
  readonly by_id_link?: string;
}

/** One entry of `GET /nodes/{node}/hardware/usb`. */
export interface PveUsbDevice {
  readonly busnum: number;
  readonly devnum: number;
  /** Vendor id, four hex digits. */
  readonly vendid: string;
  /** Product id, four hex digits. */
  readonly prodid: string;
  /** USB device class; 9 is a hub. */
  readonly class: number;
  readonly level: number;
  readonly port: number;
  readonly speed: string;
  readonly manufacturer?: string;
  readonly product?: string;
  readonly serial?: string;
  readonly usbpath?: string;
}
