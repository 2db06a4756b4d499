/**
 * @homelab/core/fleet — The fleet layer: patching and status of the running fleet, and the Proxmox
 * API client.
 */
export * from '../fleet/index.ts';
export * from '../pve/index.ts';
export * from '../bootstrap/index.ts';
