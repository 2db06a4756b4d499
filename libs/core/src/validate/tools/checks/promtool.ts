/**
 * Prometheus files through promtool (Debian package `prometheus`):
 * - prometheus-config: `promtool check config --syntax-only` (referenced files such as
 *   rule_files name paths inside the container and are not opened; the rule files are checked
 *   on their own below);
 * - prometheus-rules: `promtool check rules`;
 * - prometheus-rules-test: `promtool test rules`, run from the test file's directory in the
 *   service layout, so its relative rule_files (`../rules/x.yml`) resolve as on the target.
 */
import path from 'node:path';
import type { LaidOutArtifact } from '../layout.ts';
import { abnormalExit, toolMessage } from '../run-validator.ts';
import { abnormalProblem, checkResult, missingResult, toolOutput, toolPath, type ToolCheck, type ToolCheckContext } from '../tool-check.ts';

export const PROMTOOL_CHECKS = {
  'prometheus-config': 'promtool check config',
  'prometheus-rules': 'promtool check rules',
  'prometheus-rules-test': 'promtool test rules',
} as const;

type PromFormat = keyof typeof PROMTOOL_CHECKS;

const SYNTAX_ONLY_NOTE = 'run with --syntax-only: files the config references (rule_files, *_file) name paths inside the Prometheus container and are not opened; the rule files are checked by promtool check rules';

export async function checkPromtool(ctx: ToolCheckContext, artifact: LaidOutArtifact): Promise<ToolCheck> {
  const format = artifact.record.format as PromFormat;
  const check = PROMTOOL_CHECKS[format];
  const promtool = toolPath(ctx, 'promtool');
  if (!promtool) return missingResult(ctx, artifact, check, 'promtool');
  const name = path.basename(artifact.path);
  const args = format === 'prometheus-config' ? ['check', 'config', '--syntax-only', name]
    : format === 'prometheus-rules' ? ['check', 'rules', name]
    : ['test', 'rules', name];
  const exit = await ctx.runner.run({ label: check, file: promtool, args, cwd: path.dirname(artifact.path) });
  const notes = format === 'prometheus-config' ? [SYNTAX_ONLY_NOTE] : [];
  if (abnormalExit(exit)) return checkResult(artifact, check, 'promtool', [abnormalProblem(artifact, check, exit, ctx)], notes);
  if (exit.exitCode === 0) return checkResult(artifact, check, 'promtool', [], notes);
  // promtool prints the file name, SUCCESS/FAILED markers and the reason; keep the reason.
  const lines = toolOutput(exit, ctx, (l) => !/^\s*(Checking|Unit Testing:)\s/.test(l) && !/^\s*SUCCESS\b/.test(l));
  const test = format === 'prometheus-rules-test';
  return checkResult(artifact, check, 'promtool', [{
    source: artifact.source, path: '',
    code: test ? 'PromtoolTestFailed' : 'PromtoolCheckFailed',
    message: `${check} rejected the file:\n        ${toolMessage(lines.length ? lines : [`exit code ${exit.exitCode}`])}`,
    fix: test
      ? 'Fix the rule or the test so promtool test rules passes: the lines above are promtool\'s (a failed expectation names the alert, eval_time and the got/exp labels).'
      : 'Fix the file where promtool points; the lines above are promtool\'s own message.',
  }], notes);
}
