/** `facts.killSwitch`: the download clients of a Compose stack that reach the internet only through its VPN gateway (rule kill-switch). */
import { z } from 'zod';
import type { Declared } from '../deep-readonly.ts';
import { defineFact, repeatedIndexes } from './fact.ts';

const composeService = z.string().min(1);

export const killSwitchSchema = z.strictObject({
  gateway: composeService.meta({ description: 'The Compose service of the VPN client (Gluetun) whose network namespace the clients share.' }),
  clients: z.array(composeService).min(1).meta({ description: 'The Compose services that may reach the internet only through the gateway.' }),
}).meta({ id: 'KillSwitchFact', description: 'The VPN kill switch of the service\'s Compose stack (rule kill-switch).' });

export const killSwitchFact = defineFact({
  key: 'killSwitch',
  schema: killSwitchSchema,
  code: 'InvalidKillSwitch',
  fix: 'Publish it like facts.killSwitch = { gateway: "gluetun", clients: ["sabnzbd"] }, with the Compose service names.',
  check: (v, report) => {
    const repeated = repeatedIndexes(v.clients, (c) => c);
    v.clients.forEach((c, i) => {
      if (c === v.gateway) report(['clients', i], `the gateway ${v.gateway} cannot be its own client`, c, 'List only the services that join the gateway\'s namespace.');
      else if (repeated.has(i)) report(['clients', i], `client ${c} is listed twice`, c, 'List each client once.');
    });
  },
});

export type KillSwitchFact = Declared<typeof killSwitchSchema>;
