/** `facts.wireguard`: the tunnel a WireGuard package serves, from the constants its configs are rendered from (rule split-tunnel). */
import { z } from 'zod';
import type { Declared } from '../deep-readonly.ts';
import { defineFact, repeatedIndexes } from './fact.ts';

export const wireguardPeerSchema = z.strictObject({
  name: z.string().min(1),
  address: z.string().min(1).meta({ description: 'The peer\'s address inside the tunnel subnet.' }),
  allowedIps: z.array(z.string().min(1)).meta({ description: 'What the peer routes through the tunnel: exactly the tunnel subnet (split tunnel).' }),
}).meta({ id: 'WireguardPeerFact' });

export const wireguardSchema = z.strictObject({
  subnet: z.string().min(1).meta({ description: 'The tunnel subnet: the site\'s wireguard.subnet.' }),
  serverAddress: z.string().min(1).optional().meta({ description: 'The server\'s address inside the tunnel. Default: not stated.' }),
  peers: z.array(wireguardPeerSchema),
}).meta({ id: 'WireguardFact', description: 'The WireGuard tunnel the service serves (rule split-tunnel).' });

export const wireguardFact = defineFact({
  key: 'wireguard',
  schema: wireguardSchema,
  code: 'InvalidWireguardFacts',
  fix: 'Publish facts.wireguard = { subnet, serverAddress?, peers: [{ name, address, allowedIps }] } from the same constants the configs are rendered from.',
  check: (v, report) => {
    const repeated = repeatedIndexes(v.peers, (p) => p.name);
    v.peers.forEach((p, i) => {
      if (repeated.has(i)) report(['peers', i, 'name'], `peer ${p.name} is listed twice`, p.name, 'Give every peer its own name.');
    });
  },
});

export type WireguardFact = Declared<typeof wireguardSchema>;
