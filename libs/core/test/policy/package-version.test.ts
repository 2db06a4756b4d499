import { describe, expect, it } from 'vitest';
import { buildHomelab } from '../../src/index.ts';
import { entries } from '../fixtures/test-site.ts';
import { lab, labSite } from './helpers.ts';
import { expectNone, only } from './helpers.ts';

const withVersion = (version: string) => buildHomelab(labSite, entries(...lab()).map((e) => (e.pkg.name === '@t/app' ? { ...e, pkg: { ...e.pkg, version } } : e))).problems;

describe('package-version', () => {
  it('passes a semantic version', () => {
    expectNone(withVersion('0.1.0'), 'MissingPackageVersion', 'InvalidPackageVersion');
    expectNone(withVersion('2.0.0-rc.1'), 'MissingPackageVersion', 'InvalidPackageVersion');
  });
  it('MissingPackageVersion: none (the loader reads it as 0.0.0)', () => {
    expect(only(withVersion('0.0.0'), 'MissingPackageVersion')).toEqual([expect.objectContaining({ source: 'packages/app', path: 'package.json.version', received: '0.0.0' })]);
  });
  it('InvalidPackageVersion', () => {
    expect(only(withVersion('1.0'), 'InvalidPackageVersion')).toHaveLength(1);
  });
});
