import type { Problem } from './problem.ts';

/** Collects problems for one source, so rules can say `report(path, code, ...)` tersely. */
export class ProblemCollector {
  readonly problems: Problem[] = [];
  constructor(readonly source: string) {}

  report(path: string, code: string, message: string, received: unknown, fix: string): void {
    this.problems.push({ source: this.source, path, code, message, received, fix });
  }

  warn(path: string, code: string, message: string, received: unknown, fix: string): void {
    this.problems.push({ source: this.source, path, code, message, received, fix, severity: 'warning' });
  }
}
