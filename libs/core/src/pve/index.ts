/** The Proxmox VE API client: re-exports only. */
export * from './errors.ts';
export * from './config.ts';
export * from './types.ts';
export * from './hardware.ts';
export * from './transport.ts';
export * from './client.ts';
