import type { PolicyRule } from './rule.ts';
import { addressPlanRule } from './address-plan.ts';
import { dependenciesRule } from './dependencies.ts';
import { routesRule } from './routes.ts';
import { secretsRule } from './secrets.ts';
import { fileConflictsRule } from './file-conflicts.ts';

export type { PolicyRule, PolicyContext } from './rule.ts';

/** Every policy rule, in the order they report. */
export const POLICY_RULES: readonly PolicyRule[] = [addressPlanRule, dependenciesRule, routesRule, secretsRule, fileConflictsRule];
