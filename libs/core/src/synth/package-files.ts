/**
 * Checks of a service package's own files that the model never sees: its package.json must parse
 * (a syntax error is reported against package.json, not as a package that "does not load"), and
 * it ships at least one smoke test (`smoke/*.smoke.ts`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Problem } from '../model/problem.ts';

export const PACKAGE_FILE_CODES = ['PackageJsonUnreadable', 'MissingSmokeTests'] as const;

export function checkPackageFiles(root: string, dirs: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  for (const dir of dirs) {
    const file = join(root, dir, 'package.json');
    try {
      JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      const why = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      problems.push({ source: dir, path: 'package.json', code: 'PackageJsonUnreadable', message: `package.json is not valid JSON: ${why}`, received: why, fix: 'Fix the JSON syntax of package.json (a trailing comma or a missing quote; `node -e "require(\'./package.json\')"` in the package shows where).' });
    }
    const smoke = join(root, dir, 'smoke');
    const tests = existsSync(smoke) ? readdirSync(smoke).filter((f) => f.endsWith('.smoke.ts')).sort() : [];
    if (tests.length === 0) {
      problems.push({ source: dir, path: 'smoke', code: 'MissingSmokeTests', message: 'the package has no smoke test, so nothing checks the deployed service answers', received: existsSync(smoke) ? readdirSync(smoke).sort() : 'no smoke/ directory', fix: `Add smoke/${dir.split('/').pop()}.smoke.ts calling describeSmoke(name, serviceSmokeRows(home, service)), like the other packages' smoke tests.` });
    }
  }
  return problems;
}
