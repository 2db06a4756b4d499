import type { PolicyRule } from './rule.ts';
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

export type { PolicyRule, PolicyContext } from './rule.ts';

/** Every policy rule, in the order they report. */
export const POLICY_RULES: readonly PolicyRule[] = [
  addressPlanRule, dependenciesRule, routesRule, secretsRule, fileConflictsRule,
  capacityRule, placementRule, exposureRule, dnsRule, storageDependenciesRule, groupsRule,
];
