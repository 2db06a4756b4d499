/**
 * @homelab/core/terraform — The Terraform layer: the per-service stacks and the resources a
 * service's `terraform` hook adds. cdktf is imported by proxmox/cdktf.ts only.
 */
export * from '../cloudflare/dns-record.ts';
export * from '../proxmox/access.ts';
export * from '../proxmox/backend.ts';
export * from '../proxmox/disk-timeouts.ts';
export * from '../proxmox/firewall.ts';
export * from '../proxmox/generated/bpg-proxmox.ts';
export * from '../proxmox/guest-address.ts';
export * from '../proxmox/guest-config.ts';
export * from '../proxmox/image-downloads.ts';
export * from '../proxmox/resources.ts';
export * from '../proxmox/root-settings.ts';
export * from '../proxmox/stack.ts';
export * from '../proxmox/storage.ts';
