/**
 * What `homelab validate` / `plan` shows while the real validators run (on stderr, so --json's
 * stdout stays one document):
 * - on a terminal, one live line, rewritten in place and cleared at the end:
 *   `validate: 140/187 file checks done; running: ansible-lint, terraform providers`;
 * - anywhere else (CI logs), a plain line each time every run of one check has finished:
 *   `validate: shellcheck -S warning: 31 files, 1 process, done at 0.4 s (52/187)`. About one
 *   line per tool, never one per file.
 */
import type { ToolProgress } from '@homelab/core';

export interface ProgressStream {
  readonly isTTY?: boolean;
  /** Terminal width; lines are cut to it. */
  readonly columns?: number;
  write(text: string): unknown;
}

export interface ValidationProgress {
  readonly onProgress: (progress: ToolProgress) => void;
  /** Clears the live line (terminal); nothing otherwise. */
  done(): void;
}

const plural = (n: number, word: string, words = `${word}s`): string => `${n} ${n === 1 ? word : words}`;

/** Counts of the same label: `terraform providers ×2`. */
function runningList(labels: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts].map(([l, n]) => (n > 1 ? `${l} ×${n}` : l)).join(', ');
}

export function validationProgress(stream: ProgressStream): ValidationProgress {
  let live = false;
  if (stream.isTTY) {
    return {
      onProgress(p) {
        const running = p.running.length ? `; running: ${runningList(p.running)}` : '';
        const line = `validate: ${p.done}/${p.total} file checks done${running}`;
        const width = Math.max(20, (stream.columns ?? 80) - 1);
        stream.write(`\r\u001b[K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
        live = true;
      },
      done() {
        if (live) stream.write('\r\u001b[K');
        live = false;
      },
    };
  }
  return {
    onProgress(p) {
      const f = p.finished;
      if (!f) return;
      stream.write(`validate: ${f.check}: ${plural(f.files, 'file')}, ${plural(f.processes, 'process', 'processes')}, done at ${(f.ms / 1000).toFixed(1)} s (${p.done}/${p.total})\n`);
    },
    done() {},
  };
}
