/**
 * `facts.kubernetes`: the Kubernetes cluster a service's guests form: its API endpoint and the
 * role of each node. Whoever upgrades or drains the nodes reads the role here, never from a name.
 */
import { z } from 'zod';
import { defineFact, repeatedIndexes } from './fact.ts';

export const KUBERNETES_NODE_ROLES = ['controlplane', 'worker'] as const;
export type KubernetesNodeRole = (typeof KUBERNETES_NODE_ROLES)[number];

export const kubernetesNodeSchema = z.strictObject({
  guest: z.string().min(1).meta({ description: 'The guest of this service that is the node (guests[].name).' }),
  role: z.enum(KUBERNETES_NODE_ROLES).meta({ description: '`controlplane` (etcd and the API server) or `worker`.' }),
}).meta({ id: 'KubernetesNodeFact' });

/** https, a host, a port: the API serves TLS only. */
const API_ENDPOINT = /^https:\/\/[^\s/:?#]+(:\d{1,5})?\/?$/;

export const kubernetesSchema = z.strictObject({
  apiEndpoint: z.string().regex(API_ENDPOINT).meta({ description: 'The Kubernetes API, e.g. https://<VIP>:6443.' }),
  nodes: z.array(kubernetesNodeSchema).min(1),
}).meta({ id: 'KubernetesFact', description: 'The Kubernetes cluster the service\'s guests form.' });

export const kubernetesFact = defineFact({
  key: 'kubernetes',
  schema: kubernetesSchema,
  code: 'InvalidKubernetesFacts',
  fix: 'Publish facts.kubernetes = { apiEndpoint: "https://<VIP>:6443", nodes: [{ guest: "<guest name>", role: "controlplane" | "worker" }] } from the same list the guests are made from.',
  check: (v, report, definition) => {
    const guests = new Set((Array.isArray(definition.guests) ? definition.guests : []).map((g) => (g as { name?: unknown }).name));
    const repeated = repeatedIndexes(v.nodes, (n) => n.guest);
    v.nodes.forEach((n, i) => {
      if (!guests.has(n.guest)) report(['nodes', i, 'guest'], `node ${n.guest} is not a guest of this service`, n.guest, `Name one of the service's guests: ${[...guests].join(', ') || '(none)'}.`);
      else if (repeated.has(i)) report(['nodes', i, 'guest'], `node ${n.guest} is listed twice`, n.guest, 'Give each node one role.');
    });
    if (!v.nodes.some((n) => n.role === 'controlplane')) report(['nodes'], 'the cluster has no control plane node', v.nodes.map((n) => n.role), 'Give at least one node role "controlplane".');
  },
});
