/**
 * The layers of libs/core/src in import order: a module may import its own layer and the layers
 * before it, never one after it. This list is the one place the order is written; the import
 * test (import-flow.test.ts) holds the code to it and docs/flow.md is drawn from it.
 *
 * The run goes site → model → policy (model phase) → synth (render, terraform) → policy (rendered
 * phase) → validate → plan → deploy → fleet. In the imports, render and terraform come before
 * policy: the rules read the names the renderers write (entrypoints, paths, blueprint tags) and
 * run on what they render, while no renderer asks the policy.
 */
export interface Layer {
  readonly name: string;
  /** Top-level entries of libs/core/src (directories, or single files) this layer holds. */
  readonly members: readonly string[];
  readonly role: string;
}

export const LAYERS: readonly Layer[] = [
  { name: 'foundation', members: ['net', 'shell', 'process', 'graph', 'setup-error.ts', 'exit-codes.ts'], role: 'addresses, shell quoting, running tools, dependency waves, error kinds' },
  { name: 'model', members: ['model', 'schema'], role: 'parse and normalize the site and the definitions; capacity' },
  { name: 'render/terraform', members: ['render', 'proxmox', 'cloudflare'], role: 'config files and Terraform stacks from the model (cdktf only in proxmox/cdktf.ts)' },
  { name: 'policy', members: ['policy'], role: 'the rules, and their two phases (policy/phase.ts)' },
  { name: 'synth', members: ['synth'], role: 'one service\'s files and stack; dist/' },
  { name: 'validate', members: ['validate'], role: 'schemas and external validators over dist/' },
  { name: 'smoke', members: ['smoke'], role: 'probes of the running services' },
  { name: 'plan', members: ['plan'], role: 'the site pipeline and the plan' },
  { name: 'deploy', members: ['deploy'], role: 'the deploy runner' },
  { name: 'fleet', members: ['fleet', 'pve', 'bootstrap'], role: 'patching and status of the running fleet' },
  { name: 'testing', members: ['testing'], role: 'a fictional fixture site and synthesis helpers for tests (@homelab/core/testing)' },
];

/** The entry files: they re-export layers and may import any of them; no layer imports them. */
export const ENTRIES: readonly string[] = ['index.ts', 'layers'];
