/**
 * The facts a service definition may state for the others (`facts: { ... }`), one module each.
 * The schema below is the definition's `facts` field; `readFacts` parses them with their own codes.
 */
import { z } from 'zod';
import { ProblemCollector } from '../collector.ts';
import type { Declared } from '../deep-readonly.ts';
import { parseFact, type Fact } from './fact.ts';
import { alertRulesFact } from './alert-rules.ts';
import { alertWebhookFact } from './alert-webhook.ts';
import { certResolverFact } from './cert-resolver.ts';
import { killSwitchFact } from './kill-switch.ts';
import { kubernetesFact } from './kubernetes.ts';
import { mqttBrokerFact } from './mqtt-broker.ts';
import { terraformRoleFact } from './terraform-role.ts';
import { unpinnedImagesFact } from './unpinned-images.ts';
import { wireguardFact } from './wireguard.ts';

export const FACTS = [
  alertRulesFact, alertWebhookFact, certResolverFact, killSwitchFact, kubernetesFact, mqttBrokerFact, terraformRoleFact, unpinnedImagesFact, wireguardFact,
] as const;

export const serviceFactsSchema = z.strictObject({
  alertRules: alertRulesFact.schema.optional(),
  alertWebhook: alertWebhookFact.schema.optional(),
  certResolver: certResolverFact.schema.optional(),
  killSwitch: killSwitchFact.schema.optional(),
  kubernetes: kubernetesFact.schema.optional(),
  mqttBroker: mqttBrokerFact.schema.optional(),
  terraformRole: terraformRoleFact.schema.optional(),
  unpinnedImages: unpinnedImagesFact.schema.optional(),
  wireguard: wireguardFact.schema.optional(),
}).meta({ id: 'ServiceFacts', description: 'What the service states for the policy rules and the other services\' renderers, each fact parsed with its own code. Default: none.' });

/** The facts of a normalized service: only those that parsed. */
export type ServiceFacts = Declared<typeof serviceFactsSchema>;

/**
 * Parses every fact of a definition into `out` (each with its own code) and returns the sound
 * ones. A broken fact is left out, not the service: every other rule still runs on it.
 */
export function readFacts(definition: Readonly<Record<string, unknown>>, out: ProblemCollector = new ProblemCollector('')): ServiceFacts {
  const raw = definition.facts;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const facts: Record<string, unknown> = {};
  for (const fact of FACTS as readonly Fact[]) {
    const value = (raw as Record<string, unknown>)[fact.key];
    if (value === undefined) continue;
    const parsed = parseFact(fact, value, definition, out);
    if (parsed !== undefined) facts[fact.key] = parsed;
  }
  return facts as ServiceFacts;
}
