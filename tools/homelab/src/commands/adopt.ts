/**
 * `homelab adopt [--service X] [--write] [--json]`: the cluster's guests against the address plan
 * (libs/core fleet/adopt.ts), and the Terraform import blocks of the guests that match. Without
 * --write it prints them; with --write it puts them where deploy picks them up
 * (`<state>/adopt/<service>.tf.json`, deploy/adopt-imports.ts). Exit 0: nothing conflicts; 1: a
 * plan guest conflicts with what runs under its VMID (wrong node or type: not imported); 2: bad
 * input; 4: the API is not configured.
 */
import {
  EXIT, adoptImportsPath, deployStateDir, formatAdoption, importDocument, planAdoption, readFleetState, writeAdoptImports,
  type PveAccess, type PveClient, type Site,
} from '@homelab/core';
import type { CommandOptions } from './context.ts';
import type { FleetDeps } from './fleet.ts';
import { clusterContext, type Values } from './cluster-context.ts';

export async function adoptCommand(options: CommandOptions, deps: FleetDeps, values: Values, clientFor: (site: Site, access: PveAccess) => PveClient): Promise<number> {
  const ctx = await clusterContext('adopt', "lists the cluster's guests", options, deps, values);
  if (typeof ctx === 'number') return ctx;
  const { site, home, named, access } = ctx;
  const state = await readFleetState(clientFor(site, access));
  const report = planAdoption(home, state, named);
  const stateDir = deployStateDir(deps.env);
  const write = values.write === true;
  // With --write, every service looked at gets its file rewritten, or removed when nothing matches now.
  const touched = named.length ? named : [...new Set(report.entries.map((e) => e.service))];
  const written: { service: string; path: string }[] = [];
  if (write) {
    for (const service of touched) {
      const path = await writeAdoptImports(stateDir, service, report.imports.get(service) ?? []);
      if (path) written.push({ service, path });
    }
  }
  if (values.json) {
    deps.out(JSON.stringify({
      entries: report.entries,
      unknown: report.unknown,
      conflicts: report.conflicts,
      imports: Object.fromEntries([...report.imports].map(([s, blocks]) => [s, { path: adoptImportsPath(stateDir, s), document: JSON.parse(importDocument(blocks)) }])),
      written: write ? written : null,
    }, null, 2));
  } else {
    for (const l of formatAdoption(report)) deps.out(l);
    if (write) {
      deps.out('');
      for (const w of written) deps.out(`wrote ${w.path}: the next \`homelab deploy --service ${w.service}\` imports these guests instead of creating them`);
      if (!written.length) deps.out('nothing to write: no guest matched.');
    } else if (report.imports.size) {
      for (const [service, blocks] of report.imports) {
        deps.out(''); deps.out(`# ${service}: ${adoptImportsPath(stateDir, service)} (written with --write)`);
        for (const l of importDocument(blocks).trimEnd().split('\n')) deps.out(l);
      }
      deps.out(''); deps.out('(nothing was written: rerun with --write to have deploy import these guests)');
    }
  }
  return report.conflicts ? EXIT.failed : EXIT.ok;
}
