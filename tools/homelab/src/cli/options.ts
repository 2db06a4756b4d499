/**
 * Flags shared by several commands, with their parsers: a bad value is a commander error
 * (exit 2, naming the flag and the value) before any command code runs.
 */
import { InvalidArgumentError, Option } from 'commander';

/** --service may repeat; commander keeps only the last value without this. */
function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function serviceOption(description: string): Option {
  return new Option('-s, --service <name>', `${description} (repeatable)`).argParser(collect);
}

export function jsonOption(what: string): Option {
  return new Option('--json', `print ${what} as one JSON document on stdout (messages go to stderr)`);
}

export function positiveInteger(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new InvalidArgumentError('a positive whole number is needed, e.g. 4.');
  return Number(raw);
}

export function nonNegativeSeconds(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('a number of seconds is needed, e.g. 30 (0: do not wait).');
  return n;
}

/** The --service values as given (undefined when the flag is absent). */
export function servicesOf(opts: { readonly service?: readonly string[] }): readonly string[] {
  return opts.service ?? [];
}
