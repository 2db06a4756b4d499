/**
 * ansible-playbook / ansible-inventory through Ansible itself (Debian: ansible-core, ansible-lint).
 *
 * - `ansible-playbook --syntax-check -i <inventory> <playbook>`: parses the inventory (a parse
 *   failure is fatal: ANSIBLE_INVENTORY_UNPARSED_FAILED) and the playbook, modules and keywords
 *   included. Ansible's start-up dominates its cost (about 1.3 s, for one playbook or for twenty),
 *   so every service's pair goes into ONE run; only when that run fails is each service run on
 *   its own, to say which file is wrong.
 * - `ansible-lint --offline -f pep8`: every rule except the ones about publishing to Galaxy
 *   (LINT_SKIP), all playbooks in one run. ansible-lint starts with a syntax-check phase of its
 *   own: one `ansible-playbook -i localhost, --syntax-check <playbook>` process per playbook
 *   (about 1 s each, most of its time). The batched run above has already checked the same
 *   playbooks, so ansible-lint runs after it with a fixed script first on its PATH
 *   (`SYNTAX_SHIM`): exactly that call for a playbook the batch passed exits 0 at once; any other
 *   call, and every playbook the batch did not pass, goes to the real ansible-playbook, so
 *   ansible-lint reports a syntax error as it always did.
 *
 * Both run in the run's temporary directory over the service layouts, with ANSIBLE_CONFIG set to
 * an empty file and Ansible's home, temp and cache directories inside it: a developer's
 * ansible.cfg or collections cannot change the verdict, and nothing is written to $HOME.
 */
import { mkdir, writeFile } from 'node:fs/promises';
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

/**
 * The `ansible-playbook` ansible-lint finds first on its PATH. Fixed text (no value is written
 * into it): the list of passed playbooks and the real executable come from the environment.
 */
export const SYNTAX_SHIM = [
  '#!/bin/sh',
  '# Written by homelab validate (libs/core/src/validate/tools/checks/ansible.ts): ansible-lint\'s own',
  '# syntax-check call for a playbook that `ansible-playbook --syntax-check` has just passed in the',
  '# batched run is answered from that run; everything else runs the real ansible-playbook.',
  'if [ "$#" -eq 4 ] && [ "$1" = "-i" ] && [ "$2" = "localhost," ] && [ "$3" = "--syntax-check" ] \\',
  '  && [ -n "$HOMELAB_SYNTAX_PASSED" ] && grep -qxF -e "$4" "$HOMELAB_SYNTAX_PASSED"; then',
  '  exit 0',
  'fi',
  'exec "$HOMELAB_ANSIBLE_PLAYBOOK" "$@"',
  '',
].join('\n');

export async function checkAnsibleSyntax(ctx: ToolCheckContext, pairs: readonly AnsiblePair[]): Promise<ToolCheck[]> {
  const all = pairs.flatMap((p) => [...p.inventories, ...p.playbooks]);
  const ansible = toolPath(ctx, 'ansible-playbook');
  if (!ansible) return all.map((a) => missingResult(ctx, a, SYNTAX_CHECK, 'ansible-playbook'));
  const env = {
    ...(await ansibleEnv(ctx)),
    ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True',
    ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED: 'True',
  };
  // ansible-lint waits for this run: first into the pool.
  const run = (group: readonly AnsiblePair[]) => ctx.runner.run({
    label: SYNTAX_CHECK, file: ansible, cwd: ctx.base, env,
    args: ['--syntax-check', ...group.flatMap((p) => p.inventories.flatMap((i) => ['-i', rel(ctx, i)])), ...group.flatMap((p) => p.playbooks.map((b) => rel(ctx, b)))],
  }, 10);
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

const SHIM_NOTE = `its own syntax-check phase was answered by the batched ${SYNTAX_CHECK} run, which passed this playbook (not run a second time)`;

/**
 * ansible-lint over every playbook. `syntax`: the batched syntax check's results; ansible-lint
 * starts when they are in and does not repeat the check for the playbooks they passed.
 */
export async function checkAnsibleLint(ctx: ToolCheckContext, playbooks: readonly LaidOutArtifact[], syntax?: Promise<readonly ToolCheck[]>): Promise<ToolCheck[]> {
  const lint = toolPath(ctx, 'ansible-lint');
  if (!lint) return playbooks.map((a) => missingResult(ctx, a, LINT_CHECK, 'ansible-lint'));
  const env: Record<string, string> = await ansibleEnv(ctx);
  const ansible = toolPath(ctx, 'ansible-playbook');
  const shimmed = new Set<LaidOutArtifact>();
  if (syntax && ansible) {
    const passed = new Set((await syntax).filter((c) => c.status === 'passed' && c.format === 'ansible-playbook').map((c) => c.source));
    const answered = playbooks.filter((a) => passed.has(a.source));
    for (const a of answered) shimmed.add(a);
    if (answered.length) {
      const shimDir = path.join(ctx.base, '.syntax-shim');
      await mkdir(shimDir, { recursive: true });
      await writeFile(path.join(shimDir, 'ansible-playbook'), SYNTAX_SHIM, { mode: 0o755 });
      const list = path.join(ctx.base, 'syntax-passed.txt');
      await writeFile(list, answered.flatMap((a) => [rel(ctx, a), a.path]).map((l) => `${l}\n`).join(''));
      Object.assign(env, {
        PATH: [shimDir, ctx.env.PATH].filter(Boolean).join(path.delimiter),
        HOMELAB_SYNTAX_PASSED: list,
        HOMELAB_ANSIBLE_PLAYBOOK: ansible,
      });
    }
  }
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
      const notes = shimmed.has(a) ? [...warnNote, SHIM_NOTE] : warnNote;
      if (crashed) return checkResult(a, LINT_CHECK, 'ansible-lint', [abnormalProblem(a, LINT_CHECK, exit, ctx)], notes);
      return checkResult(a, LINT_CHECK, 'ansible-lint', lintProblems(a, findings.get(a) ?? []), notes);
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
