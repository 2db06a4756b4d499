/**
 * The optional parts of a site a package may need: Kubernetes, WireGuard, Ceph. A site without
 * one is a valid site; a package that needs it asks with `siteFeature(site, 'kubernetes')`, which
 * hands back the declared value or throws a SiteRequirementError that the loader reports as a
 * coded problem of that package (naming the site field and the fix), not a crash.
 */
import type { Site } from './site.ts';

export interface SiteFeatures {
  readonly kubernetes: NonNullable<Site['kubernetes']>;
  readonly wireguard: NonNullable<Site['wireguard']>;
  readonly 'storage.ceph': NonNullable<Site['storage']['ceph']>;
}

export type SiteFeature = keyof SiteFeatures;

const FEATURES: { readonly [F in SiteFeature]: { readonly read: (site: Site) => SiteFeatures[F] | undefined; readonly shape: string } } = {
  kubernetes: { read: (s) => s.kubernetes, shape: 'kubernetes: { apiVip, metallbPool: { start, end } }' },
  wireguard: { read: (s) => s.wireguard, shape: 'wireguard: { subnet, port, endpointHost }' },
  'storage.ceph': { read: (s) => s.storage.ceph, shape: 'storage.ceph: { datastore, pool, size, minSize, monitors }' },
};

/** A definition cannot be made for this site: carries the coded problem the loader reports. */
export class SiteRequirementError extends Error {
  override readonly name = 'SiteRequirementError';
  constructor(
    readonly code: string,
    /** The site field the package needs, e.g. `kubernetes`. */
    readonly field: string,
    message: string,
    readonly received: unknown,
    readonly fix: string,
  ) {
    super(message);
  }
}

export function hasSiteFeature(site: Site, feature: SiteFeature): boolean {
  return FEATURES[feature].read(site) !== undefined;
}

/** The site's declared feature, or a SiteRequirementError (code MissingSiteFeature) naming the field and the fix. */
export function siteFeature<F extends SiteFeature>(site: Site, feature: F): SiteFeatures[F] {
  const value = (FEATURES[feature].read as (s: Site) => SiteFeatures[F] | undefined)(site);
  if (value === undefined) {
    throw new SiteRequirementError(
      'MissingSiteFeature', feature,
      `this package needs the site's ${feature}, which the site "${site.name}" does not declare`, undefined,
      `Declare ${FEATURES[feature].shape} in the site, or remove this package from the homelab's packages/.`,
    );
  }
  return value;
}
