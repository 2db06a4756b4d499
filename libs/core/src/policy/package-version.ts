import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import type { PolicyRule } from './rule.ts';

/** Semantic Versioning 2.0.0's own grammar, without build metadata ranges. */
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Every service package has a release version: deploy records and `status` compare the deployed
 * version with the repository's, and changesets bump it. The loader reads a missing version as
 * 0.0.0, so 0.0.0 means "never released" and is reported too.
 */
export const packageVersionRule: PolicyRule = {
  name: 'package-version',
  codes: ['MissingPackageVersion', 'InvalidPackageVersion'],
  description: 'Every service package\'s package.json has a semantic version other than 0.0.0.',
  check: ({ services }) => {
    const problems: Problem[] = [];
    for (const s of services) {
      const out = new ProblemCollector(s.pkg.dir);
      const version = s.pkg.version;
      if (version === '0.0.0' || version === '') {
        out.report('package.json.version', 'MissingPackageVersion', 'the package has no release version (none, or 0.0.0), so deployed and repository versions cannot be compared', version, 'Set "version": "0.1.0" in package.json and describe changes with `npx changeset`.');
      } else if (!SEMVER.test(version)) {
        out.report('package.json.version', 'InvalidPackageVersion', 'the version is not a semantic version', version, 'Write it as MAJOR.MINOR.PATCH, e.g. "1.4.0".');
      }
      problems.push(...out.problems);
    }
    return problems;
  },
};
