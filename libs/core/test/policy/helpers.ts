/** The corpus lab, run through the whole synth path, with one definition or the site changed. */
import { expect } from 'vitest';
import { formatProblems, type Problem, type ServiceProps, type Site } from '../../src/index.ts';
import { app, lab, labSite, replace, synth } from '../corpus/fixtures.ts';

export { app, lab, labSite };

export const withDefs = (...changed: ServiceProps[]): Problem[] => synth(labSite, replace(lab(), ...changed));
export const withSite = (change: (s: Site) => Site): Problem[] => synth(change(labSite), lab());
export const appWith = (over: Record<string, unknown>): ServiceProps => ({ ...app, ...over }) as ServiceProps;

/** The problems of the given codes, formatted for a readable failure. */
export function only(problems: readonly Problem[], ...codes: string[]): Problem[] {
  return problems.filter((p) => codes.includes(p.code));
}

export function expectNone(problems: readonly Problem[], ...codes: string[]): void {
  expect(formatProblems(only(problems, ...codes))).toBe('');
}
