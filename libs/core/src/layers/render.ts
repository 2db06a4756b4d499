/**
 * @homelab/core/render — The render layer: config files (Compose, Traefik, Ansible, systemd,
 * WireGuard, ...) from the model. Loads no Terraform, deploy runner or Nx.
 */
export * from '../render/ansible-data.ts';
export * from '../render/ansible.ts';
export * from '../render/authentik-blueprint.ts';
export * from '../render/compose.ts';
export * from '../render/env-file.ts';
export * from '../render/forward-auth.ts';
export * from '../render/host-guard.ts';
export * from '../render/klipper-host.ts';
export * from '../render/media-server.ts';
export * from '../render/moonraker.ts';
export * from '../render/nfs.ts';
export * from '../render/prometheus.ts';
export * from '../render/secrets.ts';
export * from '../render/systemd.ts';
export * from '../render/talos.ts';
export * from '../render/traefik-headers.ts';
export * from '../render/traefik-route.ts';
export * from '../render/traefik-static.ts';
export * from '../render/wireguard-parse.ts';
export * from '../render/wireguard.ts';
export * from '../render/yaml.ts';
