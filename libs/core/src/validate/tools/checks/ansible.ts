/**
 * ansible-playbook / ansible-inventory through Ansible itself (Debian: ansible-core, ansible-lint).
 *
 * - `ansible-playbook --syntax-check -i <inventory> <playbook>`: parses the inventory (a parse
 *   failure is fatal: ANSIBLE_INVENTORY_UNPARSED_FAILED) and the playbook, modules and keywords
 *   included. Ansible's start-up dominates its cost (about 1.3 s, for one playbook or for twenty),
 *   so every service's pair goes into ONE run; only when that run fails is each service run on
 *   its own, to say which file is wrong.
 * - `ansible-lint --offline -f pep8`: every rule except the ones about publishing to Galaxy
 *   (LINT_SKIP), all playbooks in one run (ansible-lint parallelises its own syntax-check phase
 *   over the cores, so that one process may use more than its slot of the pool).
 *
 * Both run in the run's temporary directory over the service layouts, with ANSIBLE_CONFIG set to
 * an empty file and Ansible's home, temp and cache directories inside it: a developer's
 * ansible.cfg or collections cannot change the verdict, and nothing is written to $HOME.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Problem } from '../../../model/problem.ts';
import type { LaidOutArtifact, ServiceLayout } from '../layout.ts';
import { abnormalExit, toolMessage } from '../run-validator.ts';
import { abnormalProblem, checkResult, chunk, missingResult, toolOutput, toolPath, type ToolCheck, type ToolCheckContext } from '../tool-check.ts';

export const SYNTAX_CHECK = 'ansible-playbook --syntax-check';
export const LINT_CHECK = 'ansible-lint';

/** Rules about publishing roles and collections on Ansible Galaxy: meaningless for generated playbooks. */
export const LINT_SKIP = ['galaxy', 'meta-incorrect', 'meta-no-info', 'meta-no-tags', 'meta-video-links', 'meta-runtime'] as const;

/** Rules reported as warnings instead of errors, each with the reason. Shown in every run. None today. */
export const LINT_WARN: Readonly<Record<string, string>> = {};

export interface AnsiblePair {
  readonly layout: ServiceLayout;
  readonly playbooks: readonly LaidOutArtifact[];
  readonly inventories: readonly LaidOutArtifact[];
}

/** Playbooks and inventories of each service, paired by directory. */
export function ansiblePairs(artifacts: readonly LaidOutArtifact[]): AnsiblePair[] {
  const byDir = new Map<string, { layout: ServiceLayout; playbooks: LaidOutArtifact[]; inventories: LaidOutArtifact[] }>();
  for (const a of artifacts) {
    const key = path.dirname(a.path);
    const entry = byDir.get(key) ?? { layout: a.layout, playbooks: [], inventories: [] };
    (a.record.format === 'ansible-playbook' ? entry.playbooks : entry.inventories).push(a);
    byDir.set(key, entry);
  }
  return [...byDir.values()];
}

/** Environment shared by ansible-playbook and ansible-lint. */
async function ansibleEnv(ctx: ToolCheckContext): Promise<Record<string, string>> {
  const config = path.join(ctx.base, 'ansible.cfg');
  await writeFile(config, '# Empty on purpose: homelab validate runs Ansible with its defaults only.\n');
  const home = path.join(ctx.base, '.ansible');
  return {
    ANSIBLE_CONFIG: config,
    ANSIBLE_HOME: home,
    ANSIBLE_LOCAL_TEMP: path.join(home, 'tmp'),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    XDG_CACHE_HOME: path.join(ctx.base, '.cache'),
  };
}

const rel = (ctx: ToolCheckContext, a: LaidOutArtifact): string => path.relative(ctx.base, a.path);

export async function checkAnsibleSyntax(ctx: ToolCheckContext, pairs: readonly AnsiblePair[]): Promise<ToolCheck[]> {
  const all = pairs.flatMap((p) => [...p.inventories, ...p.playbooks]);
  const ansible = toolPath(ctx, 'ansible-playbook');
  if (!ansible) return all.map((a) => missingResult(ctx, a, SYNTAX_CHECK, 'ansible-playbook'));
  const env = {
    ...(await ansibleEnv(ctx)),
    ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True',
    ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED: 'True',
  };
  const run = (group: readonly AnsiblePair[]) => ctx.runner.run({
    label: SYNTAX_CHECK, file: ansible, cwd: ctx.base, env,
    args: ['--syntax-check', ...group.flatMap((p) => p.inventories.flatMap((i) => ['-i', rel(ctx, i)])), ...group.flatMap((p) => p.playbooks.map((b) => rel(ctx, b)))],
  });
  const withPlaybooks = pairs.filter((p) => p.playbooks.length > 0);
  // Inventories without a playbook beside them are parsed with the implicit localhost play.
  const lonely = pairs.filter((p) => p.playbooks.length === 0);
  const results: ToolCheck[] = [];
  if (withPlaybooks.length) {
    const batch = await run(withPlaybooks);
    if (!abnormalExit(batch) && batch.exitCode === 0) {
      results.push(...withPlaybooks.flatMap((p) => [...p.inventories, ...p.playbooks].map((a) => checkResult(a, SYNTAX_CHECK, 'ansible-playbook', []))));
    } else {
      for (const pair of await Promise.all(withPlaybooks.map(async (p) => ({ p, exit: withPlaybooks.length === 1 ? batch : await run([p]) })))) {
        results.push(...syntaxResults(ctx, pair.p, pair.exit));
      }
    }
  }
  if (lonely.length) {
    const play = path.join(ctx.base, 'inventory-only.yml');
    await writeFile(play, '- name: Inventory only\n  hosts: all\n  gather_facts: false\n  tasks: []\n');
    for (const p of lonely) {
      const exit = await ctx.runner.run({ label: SYNTAX_CHECK, file: ansible, cwd: ctx.base, env, args: ['--syntax-check', ...p.inventories.flatMap((i) => ['-i', rel(ctx, i)]), play] });
      results.push(...syntaxResults(ctx, p, exit));
    }
  }
  return results;
}

function syntaxResults(ctx: ToolCheckContext, pair: AnsiblePair, exit: Awaited<ReturnType<ToolCheckContext['runner']['run']>>): ToolCheck[] {
  const files = [...pair.inventories, ...pair.playbooks];
  if (abnormalExit(exit)) return files.map((a) => checkResult(a, SYNTAX_CHECK, 'ansible-playbook', [abnormalProblem(a, SYNTAX_CHECK, exit, ctx)]));
  if (exit.exitCode === 0) return files.map((a) => checkResult(a, SYNTAX_CHECK, 'ansible-playbook', []));
  const lines = toolOutput(exit, ctx, (l) => !/^\s*playbook: /.test(l) && !/^\[WARNING\]: (provided hosts list is empty|No inventory was parsed)/.test(l));
  const text = lines.join('\n');
  // Blame the file Ansible names; an inventory problem names the inventory.
  const blamed = files.filter((a) => text.includes(a.source) || text.includes(rel(ctx, a)));
  const culprits = blamed.length ? blamed : pair.playbooks.length ? pair.playbooks : files;
  return files.map((a) => checkResult(a, SYNTAX_CHECK, 'ansible-playbook', culprits.includes(a) ? [{
    source: a.source, path: lineOf(text), code: 'AnsibleSyntaxCheckFailed',
    message: `${SYNTAX_CHECK} rejected ${a.record.format === 'ansible-inventory' ? 'the inventory' : 'the playbook'}:\n        ${toolMessage(lines.length ? lines : [`exit code ${exit.exitCode}`])}`,
    fix: 'Fix the file where Ansible points; the lines above are Ansible\'s own message.',
  }] : []));
}

function lineOf(text: string): string {
  const m = /line (\d+), column (\d+)/.exec(text);
  return m ? `line ${m[1]}, column ${m[2]}` : '';
}

/** The ansible-lint configuration written for each run. */
export function lintConfig(): string {
  return [
    '# Written by homelab validate (libs/core/src/validate/tools/checks/ansible.ts); see docs/validation.md.',
    'offline: true',
    `skip_list: [${LINT_SKIP.join(', ')}]`,
    `warn_list: [${Object.keys(LINT_WARN).join(', ')}]`,
    '',
  ].join('\n');
}

/** Playbooks per ansible-lint run (keeps the command line short). */
const LINT_BATCH = 64;

/** `svc/ansible/playbook.yml:32: no-relative-paths: The src ... (warning)` */
const PEP8 = /^(.+?):(\d+)(?::(\d+))?: ([\w\-[\]]+): (.*?)( \(warning\))?$/;

export async function checkAnsibleLint(ctx: ToolCheckContext, playbooks: readonly LaidOutArtifact[]): Promise<ToolCheck[]> {
  const lint = toolPath(ctx, 'ansible-lint');
  if (!lint) return playbooks.map((a) => missingResult(ctx, a, LINT_CHECK, 'ansible-lint'));
  const env = await ansibleEnv(ctx);
  const config = path.join(ctx.base, 'ansible-lint.yml');
  await writeFile(config, lintConfig());
  const warnNote = Object.entries(LINT_WARN).map(([rule, why]) => `rule ${rule} reported as a warning: ${why}`);
  // One run for all playbooks: ansible-lint already runs its syntax-check phase (most of its
  // time) on a thread per core, so more runs would only add start-ups and compete for the cores.
  const groups = chunk(playbooks, Math.ceil(playbooks.length / LINT_BATCH));
  const perGroup = await Promise.all(groups.map(async (group) => {
    // The longest run of all: first into the pool.
    const exit = await ctx.runner.run({
      label: LINT_CHECK, file: lint, cwd: ctx.base, env,
      args: ['--offline', '--nocolor', '-f', 'pep8', '-c', config, '--project-dir', ctx.base, ...group.map((a) => rel(ctx, a))],
    }, 10);
    const findings = new Map<LaidOutArtifact, { rule: string; message: string; line: number; warning: boolean }[]>();
    for (const line of outputLines(exit.stdout)) {
      const m = PEP8.exec(line);
      const artifact = m && group.find((a) => rel(ctx, a) === m[1]);
      if (!m || !artifact) continue;
      const list = findings.get(artifact) ?? [];
      list.push({ rule: m[4]!, message: m[5]!, line: Number(m[2]), warning: m[6] !== undefined });
      findings.set(artifact, list);
    }
    const crashed = abnormalExit(exit) !== undefined || (exit.exitCode !== 0 && exit.exitCode !== 2) || (exit.exitCode === 2 && findings.size === 0);
    return group.map((a): ToolCheck => {
      if (crashed) return checkResult(a, LINT_CHECK, 'ansible-lint', [abnormalProblem(a, LINT_CHECK, exit, ctx)], warnNote);
      return checkResult(a, LINT_CHECK, 'ansible-lint', lintProblems(a, findings.get(a) ?? []), warnNote);
    });
  }));
  return perGroup.flat();
}

/** One problem per rule and message, listing its lines. */
function lintProblems(artifact: LaidOutArtifact, findings: readonly { rule: string; message: string; line: number; warning: boolean }[]): Problem[] {
  const grouped = new Map<string, { rule: string; message: string; lines: number[]; warning: boolean }>();
  for (const f of findings) {
    const key = `${f.rule}\u0000${f.message}\u0000${f.warning}`;
    const entry = grouped.get(key) ?? { rule: f.rule, message: f.message, lines: [], warning: f.warning };
    entry.lines.push(f.line);
    grouped.set(key, entry);
  }
  return [...grouped.values()].map((g) => ({
    source: artifact.source,
    path: g.lines.length === 1 ? `line ${g.lines[0]}` : `lines ${g.lines.join(', ')}`,
    code: 'AnsibleLintViolation',
    message: `${g.rule}: ${g.message}${g.warning ? ` (warn-listed: ${LINT_WARN[g.rule.replace(/\[.*$/, '')] ?? 'see the ansible-lint config'})` : ''}`,
    fix: `Change the renderer so the playbook satisfies ${g.rule} (https://ansible-lint.readthedocs.io/rules/${g.rule.replace(/\[.*$/, '')}/).`,
    ...(g.warning ? { severity: 'warning' as const } : {}),
  }));
}

function outputLines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l !== '');
}
