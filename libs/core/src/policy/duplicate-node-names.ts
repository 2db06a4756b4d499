/**
 * Two nodes with one name are usually a copied node entry that was not renamed. The site-facts
 * rule names the duplicate (DuplicateNodeName); what follows from it is noise: the address-plan
 * entries and Ceph monitors on the name that disappeared report UnknownNode (with "Use one of: a, a, c"), and the
 * renderers would place guests, firewall files and the inventory on the wrong one of two
 * machines. So those UnknownNode problems are folded into the duplicate, which names them as a
 * hint for the rename, and nothing is rendered until every node has its own name.
 */
import type { Problem } from '../model/problem.ts';
import type { Site } from '../model/site.ts';

export const DUPLICATE_NODE_NAME = 'DuplicateNodeName';

/** Codes whose `received` is a node name the site does not have: follow-ons of a copied node entry. */
export const MISSING_NODE_CODES: readonly string[] = ['UnknownNode', 'UnknownCephMonitor'];

/** The site-facts problem for `nodes[index]`, which repeats the name of `nodes[prior]`. */
export function duplicateNodeName(site: Site, siteSource: string, index: number, prior: number): Problem {
  const node = (i: number) => `nodes[${i}] (${site.nodes[i]!.ip}, ${site.nodes[i]!.hardware})`;
  const name = site.nodes[index]!.name;
  return {
    source: siteSource, path: `nodes[${index}].name`, code: DUPLICATE_NODE_NAME,
    message: `"${name}" is the name of both ${node(prior)} and ${node(index)}: the address plan and the inventory could not tell them apart, so nothing is rendered`,
    received: name,
    fix: `Give nodes[${index}] its own name (it is usually a copied entry that was not renamed).`,
  };
}

/** True when the site has two nodes of one name: synth must not render on it. */
export function hasDuplicateNodeName(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.code === DUPLICATE_NODE_NAME);
}

/**
 * Folds the UnknownNode (and UnknownCephMonitor) problems into the first DuplicateNodeName, whose message then names the
 * node names the address plan still expects: the likely name of the copied entry.
 */
export function collapseUnderDuplicateNodeNames(problems: readonly Problem[]): Problem[] {
  const first = problems.find((p) => p.code === DUPLICATE_NODE_NAME);
  if (!first) return [...problems];
  const unknown = problems.filter((p) => MISSING_NODE_CODES.includes(p.code));
  if (unknown.length === 0) return [...problems];
  const names = [...new Set(unknown.map((p) => String(p.received)))].sort();
  const where = unknown.map((p) => `${p.source} (${p.path})`).join(', ');
  const text = `The site also names ${names.map((n) => `"${n}"`).join(', ')}, which no node has (${where}; not listed separately)`;
  return problems.filter((p) => !MISSING_NODE_CODES.includes(p.code)).map((p) => (p !== first ? p : {
    ...p,
    message: `${p.message}. ${text}`,
    fix: `${p.fix.replace(/\)\.$/, '')}; the site still expects ${names.map((n) => `"${n}"`).join(' or ')}).`,
  }));
}
