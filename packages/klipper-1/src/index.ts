import { klipperHostService } from '@homelab/core/render';

/** One package per Klipper Pi (docs/decisions.md); the definition is shared in core. */
export default klipperHostService({ name: 'klipper-1', group: 'special', dependsOn: ['authentik', 'traefik'] });
