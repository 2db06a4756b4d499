/**
 * Registers a service package's smoke table with vitest: one test per row. The only smoke module
 * that imports vitest; the rows and probes run without it (see `smoke-rows.ts`).
 */
import { describe, it } from 'vitest';
import type { ProbeResult } from './probe-result.ts';
import { assertProbe } from './probe-result.ts';
import {
  runSmokeRow,
  smokeRowBudgetMs,
  smokeRowTitle,
  smokeRunOptions,
  smokeSuiteTitle,
  smokeTarget,
  type SmokeRow,
  type SmokeRunOptions,
  type SmokeTarget,
} from './smoke-rows.ts';

/** Slack on top of a row's retry budget before vitest calls the test hung. */
const TEST_TIMEOUT_SLACK_MS = 5_000;

export interface DescribeSmokeOptions {
  /**
   * The live site; pass `undefined` explicitly to force the skipped form.
   * @default - `smokeTarget()`, from the environment
   */
  readonly target?: SmokeTarget | undefined;
  /**
   * Overrides of the run options derived from the target (retry bounds, timeout, CA).
   * @default - none
   */
  readonly run?: SmokeRunOptions;
  /**
   * Runs one row.
   * @default runSmokeRow
   */
  readonly runRow?: (row: SmokeRow, options: SmokeRunOptions) => Promise<ProbeResult>;
}

/**
 * One vitest suite with one test per row. Without a target the suite is registered with
 * `describe.skip`, titled `<title> (skipped: HOMELAB_SMOKE_TARGET is not set; smoke tests run
 * against the live homelab)`, so the reason shows in the vitest output.
 */
export function describeSmoke(title: string, rows: readonly SmokeRow[], options: DescribeSmokeOptions = {}): void {
  const target = 'target' in options ? options.target : smokeTarget();
  const suiteTitle = smokeSuiteTitle(title, target);
  if (target === undefined) {
    describe.skip(suiteTitle, () => {
      for (const row of rows) it(smokeRowTitle(row), () => {});
    });
    return;
  }
  const run: SmokeRunOptions = { ...smokeRunOptions(target), ...options.run };
  const runRow = options.runRow ?? runSmokeRow;
  describe(suiteTitle, () => {
    for (const row of rows) {
      it(smokeRowTitle(row), async () => assertProbe(await runRow(row, run)), smokeRowBudgetMs(run) + TEST_TIMEOUT_SLACK_MS);
    }
  });
}
