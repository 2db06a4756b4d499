/**
 * A package that throws while it loads is missing from the model, so every service that names it
 * would report "no service is named X" as if it were a problem of its own. Those follow-on
 * problems are folded into the one root cause, PackageDoesNotLoad, which names the dependents it
 * absorbed: the operator fixes one package, not N unrelated-looking errors.
 */
import type { Problem } from './problem.ts';

export const PACKAGE_DOES_NOT_LOAD = 'PackageDoesNotLoad';

const named = (received: unknown): string | undefined => (typeof received === 'string' ? received : undefined);

/**
 * The codes that mean "the model has no service X", with where each problem carries X. A rule
 * that adds such a code belongs here, so a load failure absorbs it too.
 */
export const MISSING_SERVICE_CODES: Readonly<Record<string, (received: unknown) => string | undefined>> = {
  UnknownDependency: named,
  UnknownSharedGuest: named,
  FirewallSourceUnknown: named,
  // The forward itself ({ port, protocol, service }): its service is the one that did not load.
  PortForwardWithoutService: (received) => named((received as { service?: unknown } | undefined)?.service),
};

/** The service a "no service is named X" problem names (its X), or undefined for any other problem. */
export function missingServiceOf(p: Problem): string | undefined {
  return Object.hasOwn(MISSING_SERVICE_CODES, p.code) ? MISSING_SERVICE_CODES[p.code]!(p.received) : undefined;
}

/**
 * Where inside the package an import-time error was thrown, `src/lib.ts:12`, from the first stack
 * frame in the package directory (absolute); undefined when no frame is (a syntax error the
 * transform reports names its file in the message instead).
 */
export function locateInPackage(error: unknown, packageDir: string): string | undefined {
  const stack = error instanceof Error ? error.stack ?? '' : '';
  const prefix = `${packageDir.replace(/\/+$/, '')}/`;
  for (const line of stack.split('\n').slice(1)) {
    const frame = /\(?(?:file:\/\/)?(\/[^()\s]+):(\d+):\d+\)?$/.exec(line.trim());
    if (frame && frame[1]!.startsWith(prefix)) return `${frame[1]!.slice(prefix.length)}:${frame[2]}`;
  }
  return undefined;
}

/** The root-cause problem of a package directory whose `src/index.ts` threw while loading (at `at`, when known). */
export function packageDoesNotLoad(dir: string, error: string, at?: string): Problem {
  const where = at ?? 'src/index.ts';
  return {
    source: dir, path: where, code: PACKAGE_DOES_NOT_LOAD,
    message: `the package failed to load: ${error}`,
    fix: `Fix the error at ${dir}/${where} (run \`npx tsc --noEmit\`).`,
  };
}

/** The service a package directory defines, by the catalogue's convention `packages/<service>`. */
export function serviceOfDir(dir: string): string {
  return dir.slice(dir.lastIndexOf('/') + 1);
}

/**
 * Folds every "no service is named X" problem (MISSING_SERVICE_CODES) whose X is a package that did not load into that
 * package's PackageDoesNotLoad problem, which then lists them. Problems that name services which
 * never existed stay as they are. Order is kept.
 */
export function collapseUnderLoadFailures(problems: readonly Problem[]): Problem[] {
  const failed = new Map(problems.filter((p) => p.code === PACKAGE_DOES_NOT_LOAD).map((p) => [serviceOfDir(p.source), p]));
  if (failed.size === 0) return [...problems];
  const absorbed = new Map<Problem, Problem[]>();
  const kept: Problem[] = [];
  for (const p of problems) {
    const missing = missingServiceOf(p);
    const root = missing === undefined ? undefined : failed.get(missing);
    if (root && root.source !== p.source) absorbed.set(root, [...(absorbed.get(root) ?? []), p]);
    else kept.push(p);
  }
  return kept.map((p) => {
    const followers = absorbed.get(p);
    if (!followers) return p;
    const where = followers.map((f) => `${f.source} (${f.path}: ${f.code})`).join(', ');
    const name = serviceOfDir(p.source);
    return {
      ...p,
      message: `${p.message}. So the model has no service "${name}", which is why ${where} ${followers.length === 1 ? 'names a missing service; that problem is' : `name a missing service; those ${followers.length} problems are`} not listed separately`,
      fix: `${p.fix} The problems of its dependents go away with it.`,
    };
  });
}
