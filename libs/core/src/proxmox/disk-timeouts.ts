/**
 * The bpg/proxmox operation timeouts of a guest, scaled by the size of its disks.
 *
 * The provider waits 1800 s by default for a create, clone, migrate or update task, whatever the
 * guest's disks. Creating a VM whose first disk is imported from an image, a full clone, a
 * migration with local disks and a disk move copy every byte of the disks; on a large disk that
 * takes longer than 30 minutes, the provider gives up, and the state no longer matches the
 * cluster (the seed's "bpg/proxmox API timeout on complex disk configs"). So each guest gets a
 * budget of a fixed overhead plus a time per GiB of all its disks, never below the provider's
 * default. The per-GiB time assumes a sustained copy rate of only ~34 MiB/s (30 s per GiB): a
 * floor well below one gigabit link or one spinning disk, so a slow but healthy copy finishes,
 * while a hung task still ends in hours, not never. docs/decisions.md, "Guest timeouts scale with
 * their disks".
 *
 * `timeout_move_disk` (VM) and `timeout_start` (container) are not set: the provider deprecates
 * them in favour of the overall operation timeouts set here.
 */
import type { NormalizedGuest } from '../model/service.ts';

/** The provider's default for create, clone, migrate and update (schema `@default 1800`). */
export const PROVIDER_DEFAULT_TIMEOUT_S = 1800;
/** API calls, task start, cloud-init drive, boot: the part that does not grow with the disks. */
export const TIMEOUT_OVERHEAD_S = 600;
/** 30 s per GiB ≈ 34 MiB/s sustained, the slowest copy we still call healthy. */
export const TIMEOUT_PER_GIB_S = 30;

/** Seconds a disk-copying operation of a guest with `totalGiB` of disks may take. */
export function diskOperationTimeout(totalGiB: number): number {
  return Math.max(PROVIDER_DEFAULT_TIMEOUT_S, TIMEOUT_OVERHEAD_S + Math.ceil(totalGiB) * TIMEOUT_PER_GIB_S);
}

export function totalDiskGiB(guest: NormalizedGuest): number {
  return guest.resources.disks.reduce((sum, d) => sum + d.sizeGiB, 0);
}

/** VM: create (image import), clone (full copy) and migrate (local disks) copy the disks. */
export function vmTimeouts(guest: NormalizedGuest): { timeout_create: number; timeout_clone: number; timeout_migrate: number } {
  const t = diskOperationTimeout(totalDiskGiB(guest));
  return { timeout_create: t, timeout_clone: t, timeout_migrate: t };
}

/** Container: create (rootfs and mount points), clone, and update (a mount point resized or moved). */
export function containerTimeouts(guest: NormalizedGuest): { timeout_create: number; timeout_clone: number; timeout_update: number } {
  const t = diskOperationTimeout(totalDiskGiB(guest));
  return { timeout_create: t, timeout_clone: t, timeout_update: t };
}
