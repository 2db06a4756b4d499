import type { TierWeights } from './site.ts';

export const TIERS = ['critical', 'high', 'normal', 'low', 'minimal'] as const;
export type Tier = (typeof TIERS)[number];

/**
 * Tier → CFS CPU weight (Proxmox `cpuunits`). Under contention a weight-2048 guest gets twice the
 * CPU time of a weight-1024 guest; idle cores make weights irrelevant. `high` is a band because
 * the reference homelab gives its NAS 1500 and its identity provider 1200.
 */
export const DEFAULT_TIER_WEIGHTS: TierWeights = {
  critical: { min: 2048, max: 2048, default: 2048 },
  high: { min: 1200, max: 1500, default: 1200 },
  normal: { min: 1024, max: 1024, default: 1024 },
  low: { min: 800, max: 800, default: 800 },
  minimal: { min: 512, max: 512, default: 512 },
};
