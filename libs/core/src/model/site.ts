/**
 * The shape of a site: the physical facts of one homelab. libs/core defines the shape only; the
 * values live in a site library (this repository's is libs/site). The types are inferred from the
 * schemas in site-schema.ts, so a key cannot exist here without being checked and documented.
 */
import type { Declared } from './deep-readonly.ts';
import type {
  assumptionSchema, backendCaSchema, osImageSchema, publicWebsiteSchema, deviceSchema, hstsSchema, dnsRecordSchema, externalHostSchema, groupPolicySchema, nodeDiskSchema, overcommitSchema, placementSchema,
  portForwardSchema, proxmoxNodeSchema, siteSchema, storageSchema, tierWeightsSchema,
} from './site-schema.ts';

export type Disk = Declared<typeof nodeDiskSchema>;
export type ProxmoxNode = Declared<typeof proxmoxNodeSchema>;
export type Device = Declared<typeof deviceSchema>;
/** A host that is not a Proxmox guest (a Raspberry Pi), configured over SSH. */
export type ExternalHost = Declared<typeof externalHostSchema>;
export type Storage = Declared<typeof storageSchema>;
export type Placement = Declared<typeof placementSchema>;
export type GroupPolicy = Declared<typeof groupPolicySchema>;
export type PortForward = Declared<typeof portForwardSchema>;
export type DnsRecord = Declared<typeof dnsRecordSchema>;
/** A value chosen where the design is silent: where it lives, the value, and why. */
export type Assumption = Declared<typeof assumptionSchema>;
export type OvercommitLimits = Declared<typeof overcommitSchema>;
export type TierWeights = Declared<typeof tierWeightsSchema>;
export type Hsts = Declared<typeof hstsSchema>;
export type BackendCa = Declared<typeof backendCaSchema>;
export type PublicWebsite = Declared<typeof publicWebsiteSchema>;
export type SiteOsImage = Declared<typeof osImageSchema>;
/** One homelab's physical facts: nodes, network, storage, address plan, DNS, groups. */
export type Site = Declared<typeof siteSchema>;
