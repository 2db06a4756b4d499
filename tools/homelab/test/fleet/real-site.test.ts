/**
 * The fleet rules on this repository's real site and packages, with the dependency graph read
 * from Nx at test time. Nothing here names the current packages: service packages are being
 * added all the time, so expectations are derived from the site's group policy and the graph.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  dependenciesIn, dependentsIn, fleetStateFrom, groupViews, guestsOf, loadHomelab, planGroupOperation, readNxProjectGraph, serviceGraphFromNx,
  type FleetState, type GroupPlan, type Homelab, type NxGraphRead, type ServiceGraph, runtimeGraph,
} from '@homelab/core';
import { site } from '@homelab/site';

const root = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
let home: Homelab;
let read: NxGraphRead;
let graph: ServiceGraph;

beforeAll(async () => {
  home = await loadHomelab(root, site);
  // In a child process: in this test worker another test file may already have loaded Nx (and
  // fixed its workspace-data directory). The CLI's own in-process read is tested below, as a process.
  read = await readNxProjectGraph(root, { method: 'cli' });
  graph = serviceGraphFromNx(home, read.graph, read);
}, 180_000);

function stateWhere(running: (service: string) => boolean): FleetState {
  const seen = new Set<number>();
  return fleetStateFrom(home.services.flatMap((s) => guestsOf(home, s)).filter((g) => !seen.has(g.vmid) && seen.add(g.vmid)).map((g) => ({
    id: `${g.type}/${g.vmid}`, type: g.type, vmid: g.vmid, node: g.plannedNode ?? 'pve1', name: g.name, status: running(g.owner) ? 'running' : 'stopped', uptime: 1, tags: '',
  })));
}
const codes = (p: GroupPlan): string[] => (p.kind === 'refused' ? p.refusals.map((r) => r.code) : []);
const text = (p: GroupPlan): string => (p.kind === 'refused' ? p.refusals.map((r) => r.message).join('\n') : '');
const hasGuest = (name: string): boolean => guestsOf(home, home.byName.get(name)!).length > 0;

describe('the real workspace graph, from Nx', () => {
  it('every service package is an Nx project', () => {
    expect(home.services.length).toBeGreaterThan(0);
    for (const s of home.services) expect(graph.projectOf.get(s.name), s.pkg.name).toBe(s.pkg.name);
  });

  it('Nx edges between services are the model\'s dependencies (an observer\'s included) or package.json\'s; any dependency Nx misses is reported, not lost silently', () => {
    for (const s of home.services) {
      const fromPackageJson = s.pkg.dependencies.map((d) => home.services.find((x) => x.pkg.name === d)?.name).filter((x): x is string => x !== undefined);
      const declared = [...new Set([...fromPackageJson, ...s.dependsOn])];
      for (const d of graph.deps.get(s.name)!) expect(declared, `${s.name} -> ${d}`).toContain(d);
      const missing = declared.filter((d) => !graph.deps.get(s.name)!.includes(d));
      if (missing.length) expect(graph.warnings.join('\n')).toContain(`${s.name}: Nx says it depends on`);
    }
    // What monitoring observes is an Nx edge though its package.json does not list it.
    const observer = home.services.find((s) => s.observes.length > 0)!;
    expect(graph.deps.get(observer.name)).toEqual(expect.arrayContaining([...observer.observes]));
    expect(observer.observes.filter((o) => observer.pkg.dependencies.includes(home.byName.get(o)!.pkg.name))).toEqual([]);
  });
});

describe.each(Object.keys(site.groups))('real site, group %s', (group) => {
  const policy = site.groups[group]!;
  const members = (): string[] => home.services.filter((s) => s.group === group).map((s) => s.name);

  it('stop while only its own members run', () => {
    const p = planGroupOperation(home, graph, stateWhere((s) => members().includes(s)), { op: 'stop', group });
    if (policy.alwaysOn) expect(codes(p)).toContain('AlwaysOn');
    if (policy.hardwareBound) expect(codes(p)).toContain('HardwareBound');
    if (!policy.alwaysOn && !policy.hardwareBound) {
      expect(p.kind).toBe('plan');
      if (p.kind === 'plan') {
        const acted = new Set([...p.waves.flat().map((a) => a.service), ...p.skipped.map((s) => s.service)]);
        expect([...acted].sort()).toEqual(members());
      }
    }
  });

  it('stop while everything runs: refused while anything outside depends on it', () => {
    const p = planGroupOperation(home, graph, stateWhere(() => true), { op: 'stop', group });
    // Observers (monitoring) watch their dependencies but never hold them up.
    const blocking = dependentsIn(runtimeGraph(home, graph), members()).filter((d) => home.byName.get(d)!.group !== group && hasGuest(d));
    expect(codes(p).includes('DependentsRunning')).toBe(blocking.length > 0);
    for (const g of new Set(blocking.map((d) => home.byName.get(d)!.group))) expect(text(p)).toContain(`homelab group stop ${g}`);
    expect(codes(p).includes('AlwaysOn')).toBe(policy.alwaysOn === true);
  });

  it('start while nothing runs: refused while anything it depends on is down', () => {
    const p = planGroupOperation(home, graph, stateWhere(() => false), { op: 'start', group });
    const needed = dependenciesIn(runtimeGraph(home, graph), members()).filter((d) => home.byName.get(d)!.group !== group && hasGuest(d));
    expect(codes(p).includes('DependenciesNotRunning')).toBe(needed.length > 0);
    expect(codes(p).includes('HardwareBound')).toBe(policy.hardwareBound === true);
    expect(codes(p)).not.toContain('AlwaysOn');
  });

  it.runIf(policy.hardwareBound === true)('hardware-bound: each member may be named on its own', () => {
    for (const m of members()) {
      const p = planGroupOperation(home, graph, stateWhere(() => true), { op: 'stop', group, services: [m] });
      expect(codes(p)).not.toContain('HardwareBound');
    }
  });
});

describe('the homelab CLI, as a process', () => {
  const cli = (args: string[], env: Record<string, string> = {}) => new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PROXMOX_VE_')));
    execFile(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'tools/homelab/src/main.ts'), ...args], { cwd: root, env: { ...clean, ...env } }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });

  it('an unknown group: exit 2, the valid groups listed', async () => {
    const r = await cli(['group', 'stop', 'nosuch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`homelab: unknown group "nosuch". Groups: ${Object.keys(site.groups).join(', ')}.`);
  }, 120_000);

  it('group list --json reads the graph from Nx', async () => {
    const r = await cli(['group', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { graph: { source: string; method: string; elapsedMs: number }; groups: { name: string }[] };
    expect(json.graph).toMatchObject({ source: 'nx', method: 'devkit' });
    expect(json.groups.map((g) => g.name)).toEqual(expect.arrayContaining(Object.keys(site.groups)));
    // group dependencies as this test derives them from the graph it read
    const views = groupViews(home, graph);
    for (const v of views) expect((json.groups as unknown as { name: string; dependsOn: string[] }[]).find((g) => g.name === v.name)?.dependsOn, v.name).toEqual(v.dependsOn);
  }, 120_000);

  it('stopping an always-on group is refused (exit 3), even as a dry run', async () => {
    const always = Object.keys(site.groups).find((g) => site.groups[g]!.alwaysOn)!;
    const r = await cli(['group', 'stop', always, '--dry-run']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`AlwaysOn: group ${always} is always on`);
  }, 120_000);

});
