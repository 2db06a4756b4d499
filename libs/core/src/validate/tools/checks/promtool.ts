/**
 * Prometheus files through promtool (Debian package `prometheus`), ONE process per subcommand
 * for every file of that kind across all services (promtool takes many files and reports each
 * under its own header, `Checking <file>` / `Unit Testing:  <file>`):
 * - prometheus-config: `promtool check config --syntax-only` (referenced files such as
 *   rule_files name paths inside the container and are not opened; the rule files are checked
 *   on their own below);
 * - prometheus-rules: `promtool check rules`;
 * - prometheus-rules-test: `promtool test rules`; promtool resolves a test's relative rule_files
 *   (`../rules/x.yml`) from the test file's directory in the service layout, as on the target.
 *
 * promtool prints the headers on stdout and the reasons on stderr, so the run goes through the
 * fixed script `sh -c 'exec "$0" "$@" 2>&1'` (no shell string is built): one stream, in order, cut
 * into one section per file. Files are named by absolute path, so messages name the dist file.
 */
import type { ToolExit } from '../../../process/run-tool.ts';
import type { LaidOutArtifact } from '../layout.ts';
import { abnormalExit, toolMessage } from '../run-validator.ts';
import { abnormalProblem, checkResult, missingResult, toolOutput, toolPath, type ToolCheck, type ToolCheckContext } from '../tool-check.ts';

export const PROMTOOL_CHECKS = {
  'prometheus-config': 'promtool check config',
  'prometheus-rules': 'promtool check rules',
  'prometheus-rules-test': 'promtool test rules',
} as const;

export type PromFormat = keyof typeof PROMTOOL_CHECKS;

const SYNTAX_ONLY_NOTE = 'run with --syntax-only: files the config references (rule_files, *_file) name paths inside the Prometheus container and are not opened; the rule files are checked by promtool check rules';

/** The fixed script that merges stderr into stdout, so promtool's output keeps its order. */
export const MERGE_STDERR = ['-c', 'exec "$0" "$@" 2>&1'] as const;

const HEADER = /^\s*(?:Checking|Unit Testing:)\s+(.+?)\s*$/;

/** promtool's merged output cut at each file header: file (as printed) → its lines, header excluded. */
export function promtoolSections(output: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of output.split(/\r?\n/)) {
    const header = HEADER.exec(line);
    if (header) {
      current = [];
      sections.set(header[1]!, current);
    } else if (current && line.trim() !== '') current.push(line);
  }
  return sections;
}

/** Every file of one format (all services) through one promtool run; one result per file. */
export async function checkPromtool(ctx: ToolCheckContext, format: PromFormat, artifacts: readonly LaidOutArtifact[]): Promise<ToolCheck[]> {
  const check = PROMTOOL_CHECKS[format];
  const promtool = toolPath(ctx, 'promtool');
  if (!promtool) return artifacts.map((a) => missingResult(ctx, a, check, 'promtool'));
  const sub = format === 'prometheus-config' ? ['check', 'config', '--syntax-only'] : format === 'prometheus-rules' ? ['check', 'rules'] : ['test', 'rules'];
  const exit = await ctx.runner.run({ label: check, file: '/bin/sh', args: [...MERGE_STDERR, promtool, ...sub, ...artifacts.map((a) => a.path)], cwd: ctx.base });
  const notes = format === 'prometheus-config' ? [SYNTAX_ONLY_NOTE] : [];
  if (abnormalExit(exit)) return artifacts.map((a) => checkResult(a, check, 'promtool', [abnormalProblem(a, check, exit, ctx)], notes));
  if (exit.exitCode === 0) return artifacts.map((a) => checkResult(a, check, 'promtool', [], notes));
  const sections = promtoolSections(`${exit.stdout}\n${exit.stderr}`);
  return artifacts.map((a) => {
    const section = sections.get(a.path);
    if (section?.some((l) => /^\s*SUCCESS\b/.test(l)) && !section.some((l) => /^\s*FAILED\b/.test(l))) return checkResult(a, check, 'promtool', [], notes);
    // No section of its own: promtool stopped before this file (a usage error names no file).
    if (!section) return checkResult(a, check, 'promtool', [abnormalProblem(a, check, exit, ctx)], notes);
    return checkResult(a, check, 'promtool', [failure(a, format, check, section, exit, ctx)], notes);
  });
}

function failure(a: LaidOutArtifact, format: PromFormat, check: string, section: readonly string[], exit: ToolExit, ctx: ToolCheckContext) {
  // promtool prints the file name, SUCCESS/FAILED markers and the reason; keep the reason.
  const lines = toolOutput({ ...exit, stdout: section.join('\n'), stderr: '' }, ctx, (l) => !/^\s*SUCCESS\b/.test(l));
  const test = format === 'prometheus-rules-test';
  return {
    source: a.source, path: '',
    code: test ? 'PromtoolTestFailed' : 'PromtoolCheckFailed',
    message: `${check} rejected the file:\n        ${toolMessage(lines.length ? lines : [`exit code ${exit.exitCode}`])}`,
    fix: test
      ? 'Fix the rule or the test so promtool test rules passes: the lines above are promtool\'s (a failed expectation names the alert, eval_time and the got/exp labels).'
      : 'Fix the file where promtool points; the lines above are promtool\'s own message.',
  };
}
