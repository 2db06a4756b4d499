/** `facts.alertWebhook`: a webhook receiver a service offers Alertmanager (AlertMind); the observer sends it every alert. */
import { z } from 'zod';
import type { Declared } from '../deep-readonly.ts';
import { defineFact } from './fact.ts';

/** An http(s) URL with a host: a site without the receiver's address gives `http://:5001/...`, which is none. */
const WEBHOOK_URL = /^https?:\/\/[^\s/:?#]+(:\d{1,5})?(\/\S*)?$/;

export const alertWebhookSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/).meta({ description: 'The Alertmanager receiver name.' }),
  url: z.string().regex(WEBHOOK_URL).meta({ description: 'Where Alertmanager posts the alerts.' }),
}).meta({ id: 'AlertWebhookFact', description: 'An Alertmanager webhook receiver the service offers.' });

export const alertWebhookFact = defineFact({
  key: 'alertWebhook',
  schema: alertWebhookSchema,
  code: 'InvalidAlertWebhook',
  fix: 'Publish facts.alertWebhook = { name: "<receiver>", url: "http://<address>:<port>/<path>" }, with the address from the site\'s address plan.',
});

export type AlertWebhookFact = Declared<typeof alertWebhookSchema>;
