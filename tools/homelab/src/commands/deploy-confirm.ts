/**
 * The question deploy asks in a terminal after a service's plan was printed: anything but
 * y/yes is no. It reads the terminal itself (stderr for the question, so `--json` keeps stdout
 * clean). In raw mode Ctrl-C reaches readline rather than the process, so it is passed on as
 * the interrupt deploy handles everywhere else; an interrupt while asking answers no.
 */
import { createInterface } from 'node:readline';

export interface TerminalConfirmOptions {
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
  /** Aborted by Ctrl-C / SIGTERM: a pending question is answered no. */
  readonly signal?: AbortSignal;
  /** Ctrl-C typed at the question. */
  readonly onInterrupt?: () => void;
}

export const isYes = (answer: string): boolean => /^(y|yes)$/i.test(answer.trim());

export function terminalConfirm(options: TerminalConfirmOptions = {}): (question: string) => Promise<boolean> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stderr;
  return (question) => new Promise<boolean>((resolve) => {
    if (options.signal?.aborted) {
      resolve(false);
      return;
    }
    const rl = createInterface({ input, output, terminal: true });
    let settled = false;
    const settle = (answer: boolean): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      rl.close();
      resolve(answer);
    };
    const onAbort = (): void => settle(false);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    rl.on('SIGINT', () => {
      options.onInterrupt?.();
      settle(false);
    });
    rl.on('close', () => settle(false));
    rl.question(`${question} `, (answer) => settle(isYes(answer)));
  });
}
