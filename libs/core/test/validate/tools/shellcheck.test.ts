import { describe, expect, it } from 'vitest';
import { brief, realTool, tempRoot, toolChecks, writeDist } from './helpers.ts';

const root = tempRoot('shellcheck');
const shellcheck = realTool('shellcheck');

const GOOD = `#!/usr/bin/env bash
# homelab: NFS mount check
set -euo pipefail
mount_point="\${1:-/mnt/pve/truenas-media}"
if timeout 10 stat -t "$mount_point" >/dev/null 2>&1; then echo ok; else echo stalled; fi
`;
const BAD = `#!/usr/bin/env bash
cd /var/lib/homelab
rm -rf $TARGET/*
`;

function dist(service: string, scripts: Record<string, string>): string {
  const files = Object.fromEntries(Object.entries(scripts).map(([name, text]) => [`files/pve1/usr/local/lib/homelab/${name}`, text]));
  return writeDist(root, service, files, Object.keys(scripts).map((name) => ({
    file: `files/pve1/usr/local/lib/homelab/${name}`, format: 'shell' as const,
    target: { host: 'pve1', path: `/usr/local/lib/homelab/${name}`, mode: '0755', owner: 'root' },
  })));
}

describe.skipIf(shellcheck.skip)(`shellcheck -S warning (real)${shellcheck.suffix}`, () => {
  it('runs once per service and reports per file: a clean script passes, findings fail with SC code, line and column', async () => {
    const checks = await toolChecks(root, dist('sh', { 'good.sh': GOOD, 'bad.sh': BAD }), 'shellcheck');
    expect(checks.map((c) => [c.file, c.status])).toEqual([
      ['files/pve1/usr/local/lib/homelab/good.sh', 'passed'],
      ['files/pve1/usr/local/lib/homelab/bad.sh', 'failed'],
    ]);
    expect(brief(checks[1]!)).toEqual([
      "ShellcheckFinding line 2, column 1: SC2164 (warning): Use 'cd ... || exit' or 'cd ... || return' in case cd fails.",
      'ShellcheckFinding line 3, column 8: SC2115 (warning): Use "${var:?}" to ensure this never expands to /* .',
    ]);
    expect(checks[1]!.problems[0]!.source).toBe('dist/sh/files/pve1/usr/local/lib/homelab/bad.sh');
  });
});
