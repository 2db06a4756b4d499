/**
 * Shell scripts (format `shell`) through `shellcheck -S warning` (Debian package shellcheck):
 * warnings and errors fail the check, info and style notes are not reported. All scripts of every
 * service go to ONE run (`-f gcc`, one line per finding, each naming its file relative to the
 * run's temporary directory: `<service>/files/...`), results are split per service and file.
 */
import path from 'node:path';
import type { Problem } from '../../../model/problem.ts';
import { parseShellcheckLine } from '../../../shell/shellcheck-files.ts';
import type { LaidOutArtifact } from '../layout.ts';
import { abnormalExit } from '../run-validator.ts';
import { abnormalProblem, checkResult, missingResult, toolPath, type ToolCheck, type ToolCheckContext } from '../tool-check.ts';

export const SHELLCHECK_CHECK = 'shellcheck -S warning';


export async function checkShellcheck(ctx: ToolCheckContext, scripts: readonly LaidOutArtifact[]): Promise<ToolCheck[]> {
  const shellcheck = toolPath(ctx, 'shellcheck');
  if (!shellcheck) return scripts.map((a) => missingResult(ctx, a, SHELLCHECK_CHECK, 'shellcheck'));
  const cwd = ctx.base;
  const rel = (a: LaidOutArtifact): string => path.relative(cwd, a.path);
  const exit = await ctx.runner.run({ label: SHELLCHECK_CHECK, file: shellcheck, cwd, args: ['-S', 'warning', '-f', 'gcc', ...scripts.map(rel)] });
  if (abnormalExit(exit) || (exit.exitCode !== 0 && exit.exitCode !== 1)) {
    return scripts.map((a) => checkResult(a, SHELLCHECK_CHECK, 'shellcheck', [abnormalProblem(a, SHELLCHECK_CHECK, exit, ctx)]));
  }
  const byFile = new Map<string, Problem[]>();
  for (const line of exit.stdout.split('\n')) {
    const f = parseShellcheckLine(line);
    if (!f) continue;
    const artifact = scripts.find((a) => rel(a) === f.file);
    if (!artifact) continue;
    const list = byFile.get(artifact.path) ?? [];
    list.push({
      source: artifact.source, path: `line ${f.line}, column ${f.column}`, code: 'ShellcheckFinding',
      message: `${f.code} (${f.level}): ${f.message}`,
      fix: `Change the script's source so shellcheck accepts it (https://www.shellcheck.net/wiki/${f.code}).`,
    });
    byFile.set(artifact.path, list);
  }
  return scripts.map((a) => {
    const problems = byFile.get(a.path) ?? [];
    // Exit 1 with nothing parsed: shellcheck refused a file in a way -f gcc does not report.
    if (exit.exitCode === 1 && byFile.size === 0) return checkResult(a, SHELLCHECK_CHECK, 'shellcheck', [abnormalProblem(a, SHELLCHECK_CHECK, exit, ctx)]);
    return checkResult(a, SHELLCHECK_CHECK, 'shellcheck', problems);
  });
}
