import type { PolicyRule } from './rule.ts';
import { configFileKeysRule } from './config-file-keys.ts';
import { addressPlanRule } from './address-plan.ts';
import { dependenciesRule } from './dependencies.ts';
import { routesRule } from './routes.ts';
import { secretsRule } from './secrets.ts';
import { fileConflictsRule } from './file-conflicts.ts';
import { capacityRule } from './capacity.ts';
import { placementRule } from './placement.ts';
import { exposureRule } from './exposure.ts';
import { dnsRule } from './dns.ts';
import { storageDependenciesRule } from './storage-dependencies.ts';
import { groupsRule } from './groups.ts';
import { httpsOnlyRule } from './https-only.ts';
import { forwardAuthRule } from './forward-auth.ts';
import { splitTunnelRule } from './split-tunnel.ts';
import { killSwitchRule } from './kill-switch.ts';
import { terraformTokenRule } from './terraform-token.ts';
import { routePortsRule } from './route-ports.ts';
import { osImagesRule } from './os-images.ts';
import { imageChecksumsRule } from './image-checksums.ts';
import { filePathsRule } from './file-paths.ts';
import { imageTagsRule } from './image-tags.ts';
import { siteFactsRule } from './site-facts.ts';
import { packageVersionRule } from './package-version.ts';
import { edgeTlsRule } from './edge-tls.ts';
import { authentikAdminRule } from './authentik-admin.ts';
import { fileHostsRule } from './file-hosts.ts';
import { credentialPathsRule } from './credential-paths.ts';
import { fileOwnersRule } from './file-owners.ts';
import { adminBackendReachRule } from './admin-backend-reach.ts';

export type { PolicyRule, PolicyContext } from './rule.ts';
export { formatPolicyRules } from './format-rules.ts';
export { credentialPathReason } from './credential-paths.ts';
export { declaredFileHost, fileTarget, knownFileHosts, ownMachines, targetKey, type FileTarget, type KnownFileHost } from './file-targets.ts';
export { PROXMOX_PRIVILEGE_NEEDS, PROXMOX_RESOURCE_TYPES, BROAD_PROXMOX_GRANTS, privilegesNeeded, type PrivilegeNeed } from './proxmox-privileges.ts';
export { aclPathsUsed, aclPathsOfStack, type AclPathUse } from './terraform-token-acl.ts';
export { tokenPrivileges, userPrivileges, type PveAcl, type PveToken } from './pve-permissions.ts';

/** Every policy rule, in the order they report. */
export const POLICY_RULES: readonly PolicyRule[] = [
  siteFactsRule, addressPlanRule, dependenciesRule, routesRule, secretsRule, fileConflictsRule,
  capacityRule, placementRule, exposureRule, dnsRule, storageDependenciesRule, groupsRule,
  httpsOnlyRule, forwardAuthRule, splitTunnelRule, killSwitchRule, terraformTokenRule,
  routePortsRule, osImagesRule, imageChecksumsRule, filePathsRule, imageTagsRule, packageVersionRule,
  configFileKeysRule, fileHostsRule, credentialPathsRule, fileOwnersRule,
  edgeTlsRule, authentikAdminRule, adminBackendReachRule,
];
