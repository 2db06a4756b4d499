/**
 * `facts.alertRules`: Prometheus rule groups a service brings for the metrics it exposes, with
 * their `promtool test rules` cases; the observer that runs Prometheus installs them (one rules
 * file per service, its tests beside it).
 */
import { z } from 'zod';
import type { Declared } from '../deep-readonly.ts';
import { defineFact, repeatedIndexes } from './fact.ts';

const labels = z.record(z.string(), z.string());

export const alertRuleSchema = z.strictObject({
  alert: z.string().min(1),
  expr: z.string().min(1).meta({ description: 'PromQL expression; the alert fires while it returns series.' }),
  for: z.string().optional().meta({ description: 'How long the expression must hold before the alert fires. Default: at once.' }),
  labels: labels.optional(),
  annotations: labels.optional(),
}).meta({ id: 'AlertRule' });

export const ruleGroupSchema = z.strictObject({
  name: z.string().min(1),
  interval: z.string().optional().meta({ description: 'Evaluation interval of the group. Default: Prometheus\'s global one.' }),
  rules: z.array(alertRuleSchema).min(1),
}).meta({ id: 'RuleGroup', description: 'A Prometheus rule group.' });

/** A promtool test file without `rule_files`: the observer points it at the rules file it writes. */
export const ruleTestsSchema = z.strictObject({
  evaluation_interval: z.string().optional(),
  group_eval_order: z.array(z.string()).optional(),
  tests: z.array(z.record(z.string(), z.unknown())).min(1).meta({ description: 'promtool test cases: input_series, alert_rule_test, promql_expr_test.' }),
}).meta({ id: 'RuleTests', description: 'promtool test cases of the rule groups.' });

export const alertRulesSchema = z.strictObject({
  groups: z.array(ruleGroupSchema).min(1),
  tests: ruleTestsSchema.optional().meta({ description: 'Default: none (the rules are installed untested).' }),
}).meta({ id: 'AlertRulesFact', description: 'Alert rule groups the service brings, with their promtool tests.' });

export type AlertRule = Declared<typeof alertRuleSchema>;
export type RuleGroup = Declared<typeof ruleGroupSchema>;
export type RuleTests = Declared<typeof ruleTestsSchema>;

export const alertRulesFact = defineFact({
  key: 'alertRules',
  schema: alertRulesSchema,
  code: 'InvalidAlertRules',
  fix: 'Publish facts.alertRules = { groups: [{ name, rules: [{ alert, expr, for?, labels?, annotations? }] }], tests?: { evaluation_interval?, tests: [...] } }.',
  check: (v, report) => {
    const repeated = repeatedIndexes(v.groups, (g) => g.name);
    v.groups.forEach((g, i) => {
      if (repeated.has(i)) report(['groups', i, 'name'], `rule group ${g.name} is listed twice, and Prometheus refuses a rules file with two groups of one name`, g.name, 'Give every group its own name, or merge them.');
    });
  },
});
