import { posix } from 'node:path';
import { ProblemCollector } from '../model/collector.ts';
import { TARGET_PATH_COMPONENT_MAX_BYTES, TARGET_PATH_MAX_BYTES, targetPathFaults, type TargetPathFault } from '../model/target-path.ts';
import type { NormalizedService } from '../model/service.ts';
import { checkEachRenderedFile, shownPath } from './rendered-files.ts';
import type { PolicyRule } from './rule.ts';

const SAFE_SET = 'letters, digits, `._-+@%=:,~` and systemd `\\xNN` escapes';

/**
 * Every rendered file has an absolute, normalized target path of safe characters only: a
 * relative path would land wherever Ansible's working directory happens to be, `..` could climb
 * out of dist/ and of the directory a reviewer reads in the plan, a `{{ }}` would be evaluated by
 * Ansible as Jinja on the controller, a `;` or a space would reach a remote shell, and a path
 * beyond Linux's limits fails half-way through writing dist/.
 */
export const filePathsRule: PolicyRule = {
  name: 'file-paths',
  codes: ['RelativeFilePath', 'FilePathNotNormalized', 'FilePathTooLong', 'FilePathComponentTooLong', 'FilePathTemplate', 'FilePathUnsafeCharacter'],
  description: `Every rendered file's target path is absolute, normalized (no \`..\`, \`.\` or empty segments), at most ${TARGET_PATH_MAX_BYTES} bytes with components of at most ${TARGET_PATH_COMPONENT_MAX_BYTES}, and made only of ${SAFE_SET} (no Jinja, shell metacharacters, whitespace or control characters).`,
  check: (ctx) => checkEachRenderedFile(ctx, (out, s, f) => {
    for (const fault of targetPathFaults(f.path)) report(out, s, f.path, fault);
  }),
};

function report(out: ProblemCollector, s: NormalizedService, path: string, fault: TargetPathFault): void {
  const at = `files[${shownPath(path)}].path`;
  const received = shownPath(path);
  switch (fault.kind) {
    case 'relative':
      out.report(at, 'RelativeFilePath', 'the target path is relative; it would be resolved against whatever directory the deploy runs in', received, `Give the absolute path on the host, e.g. "/etc/${s.name}/${posix.basename(path) || 'file'}".`);
      return;
    case 'not-normalized':
      out.report(at, 'FilePathNotNormalized', 'the target path has a "..", "." or empty segment (or a trailing "/"), so the path in the plan is not where the file lands and it may climb out of dist/', received, 'Write the normalized absolute path (path.posix.normalize), without a trailing "/".');
      return;
    case 'too-long':
      out.report(at, 'FilePathTooLong', `the target path is ${fault.bytes} bytes; Linux refuses paths over ${TARGET_PATH_MAX_BYTES} (ENAMETOOLONG), so synth and deploy would fail half-way`, received, `Shorten the path to at most ${TARGET_PATH_MAX_BYTES} bytes.`);
      return;
    case 'component-too-long':
      out.report(at, 'FilePathComponentTooLong', `component ${fault.component} of the target path is ${fault.bytes} bytes; a file or directory name may have at most ${TARGET_PATH_COMPONENT_MAX_BYTES}`, received, `Shorten that name to at most ${TARGET_PATH_COMPONENT_MAX_BYTES} bytes.`);
      return;
    case 'template':
      out.report(at, 'FilePathTemplate', 'the target path holds a Jinja template ("{{", "{%" or "{#"); Ansible would evaluate it on the deploy machine, running whatever it looks up', received, `Write the literal path; compute any part of it in the package's TypeScript, of ${SAFE_SET} only.`);
      return;
    case 'unsafe-character':
      out.report(at, 'FilePathUnsafeCharacter', `the target path has ${JSON.stringify(fault.character)} at offset ${fault.index}, outside the safe set; shell metacharacters, quotes, whitespace and control characters would reach a remote shell or a playbook field`, received, `Use only ${SAFE_SET} in the path.`);
      return;
  }
}
