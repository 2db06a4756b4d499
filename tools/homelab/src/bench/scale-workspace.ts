/**
 * A synthetic homelab of `n` services in a temporary workspace, for the scale bench: LXC services
 * of one shape (one config file, a Terraform stack, a smoke test), each depending on its parent
 * in a tree of fan-out 3 (so the deploy graph is as deep as log3 n), placed over as many nodes as
 * the overcommit allows, on a /16. The packages and the site are written as a stranger's repository
 * would hold them; node_modules links the repository's packages, so the CLI and Nx resolve as they
 * do here, with caches of its own.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Services one node carries: 32 cores at CPU overcommit 3 is 96 one-core guests; keep headroom. */
const SERVICES_PER_NODE = 80;

export const serviceName = (i: number): string => `svc${String(i).padStart(4, '0')}`;
/** The tree's parent: svc0000 is the root. */
export const parentOf = (i: number): number | undefined => (i === 0 ? undefined : Math.floor((i - 1) / 3));

const ipOf = (i: number): string => `10.30.${1 + Math.floor(i / 200)}.${10 + (i % 200)}`;

function siteModule(repo: string, n: number): string {
  const nodes = Array.from({ length: Math.ceil(n / SERVICES_PER_NODE) }, (_, j) => ({
    name: `n${j + 1}`, ip: `10.30.0.${11 + j}`, hardware: 'synthetic', cores: 32, memoryMiB: 131072,
    disks: [{ kind: 'ssd', sizeGiB: 2048, role: 'system' }], devices: {},
  }));
  const addressPlan = Object.fromEntries(Array.from({ length: n }, (_, i) => [
    serviceName(i), { node: nodes[Math.floor(i / SERVICES_PER_NODE)]!.name, vmid: 1000 + i, ip: ipOf(i) },
  ]));
  return `import { testSite } from ${JSON.stringify(join(repo, 'libs/core/test/fixtures/test-site.ts'))};
export const site = {
  ...testSite,
  name: 'scale-${n}',
  network: { cidr: '10.30.0.0/16', gateway: '10.30.0.1', dns: ['10.30.0.1'], bridge: 'vmbr0' },
  nodes: ${JSON.stringify(nodes)},
  externalHosts: [],
  storage: { ...testSite.storage, ceph: { ...testSite.storage.ceph, monitors: ['n1'] }, nfs: { ...testSite.storage.nfs, server: '10.30.0.40' } },
  addressPlan: ${JSON.stringify(addressPlan)},
  kubernetes: { apiVip: '10.30.0.100', metallbPool: { start: '10.30.0.150', end: '10.30.0.199' } },
  portForwards: [],
  management: { sources: ['10.30.0.5'] },
};
`;
}

function packageSource(i: number): string {
  const name = serviceName(i);
  const parent = parentOf(i);
  return `export default {
  name: '${name}', description: 'synthetic service ${i}', kind: 'lxc', tier: 'normal', group: 'apps',
  resources: { cores: 1, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 8 }] },
  files: () => [{ path: '/etc/${name}/${name}.conf', content: 'index: ${i}\\n', mode: '0644', format: 'text' }],
  dependsOn: ${JSON.stringify(parent === undefined ? [] : [serviceName(parent)])},
};
`;
}

/** Writes the workspace; returns its root. `repo` is this repository (node_modules, the Nx plugin, the fixture site). */
export function createScaleWorkspace(repo: string, n: number): string {
  const ws = mkdtempSync(join(tmpdir(), `homelab-scale-${n}-`));
  writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: `scale-${n}`, private: true, type: 'module', workspaces: ['packages/*'] }, null, 2));
  writeFileSync(join(ws, 'site.ts'), siteModule(repo, n));
  writeFileSync(join(ws, 'nx.json'), JSON.stringify({
    $schema: './node_modules/nx/schemas/nx-schema.json', analytics: false, neverConnectToCloud: true,
    plugins: [{ plugin: join(repo, 'tools/homelab/src/nx/plugin.ts') }],
  }, null, 2));
  // The repository's packages, each linked, but a node_modules of its own: the validation cache
  // lives in node_modules/.cache, and a shared one would make every "cold" run here warm.
  mkdirSync(join(ws, 'node_modules'));
  for (const entry of readdirSync(join(repo, 'node_modules'))) {
    if (entry !== '.cache') symlinkSync(join(repo, 'node_modules', entry), join(ws, 'node_modules', entry));
  }
  // Nx transpiles a TypeScript plugin with the workspace's compiler options.
  copyFileSync(join(repo, 'tsconfig.base.json'), join(ws, 'tsconfig.base.json'));
  for (let i = 0; i < n; i++) {
    const name = serviceName(i);
    const dir = join(ws, 'packages', name);
    mkdirSync(join(dir, 'src'), { recursive: true });
    mkdirSync(join(dir, 'smoke'), { recursive: true });
    const parent = parentOf(i);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({
      name: `@scale/${name}`, version: '1.0.0', private: true, type: 'module',
      dependencies: parent === undefined ? {} : { [`@scale/${serviceName(parent)}`]: '*' },
    }, null, 2));
    writeFileSync(join(dir, 'src', 'index.ts'), packageSource(i));
    writeFileSync(join(dir, 'smoke', `${name}.smoke.ts`), '// the scale bench never runs smoke tests\n');
  }
  return ws;
}
