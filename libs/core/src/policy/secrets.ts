import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import type { PolicyRule } from './rule.ts';
import { findEnvReferences, findLookupReferences, findSecretLiterals } from '../render/secrets.ts';

const MAX_SECRET_MODE = 0o600;

/** Traefik's ACME certificate store: a secret whether or not the file says so. */
function isAcmeStorage(path: string): boolean {
  return /(^|\/)acme\.json$/.test(path);
}

/**
 * No secret is written as a literal: files reference environment variables by name, every name
 * referenced is declared, and files that hold secrets are 0600 or stricter.
 */
export const secretsRule: PolicyRule = {
  name: 'secrets',
  codes: ['SecretLiteral', 'UndeclaredSecret', 'SecretFileModeTooOpen', 'InvalidFileMode'],
  description: 'Secrets are referenced by environment variable name only, each one declared, in files of mode 0600 or stricter; acme.json (certificate private keys) is always 0600.',
  check: ({ services, files }) => {
    if (!files) return [];
    const problems: Problem[] = [];
    for (const s of services) {
      const out = new ProblemCollector(s.pkg.dir);
      const declared = new Set(s.secrets.map((x) => x.env));
      for (const f of files.get(s.name) ?? []) {
        const where = `files[${f.path}]`;
        if (!/^0[0-7]{3}$/.test(f.mode)) {
          out.report(`${where}.mode`, 'InvalidFileMode', 'a file mode is a four-digit octal string', f.mode, 'Write it like "0644".');
          continue;
        }
        const refs = findEnvReferences(f.content);
        const mode = parseInt(f.mode, 8);
        // Compose `${X}` references are resolved in memory from the 0600 .env; lookups land in the file.
        if (isAcmeStorage(f.path) && (mode & ~MAX_SECRET_MODE) !== 0) {
          // Whatever the file says of itself: it will hold the certificates' private keys.
          out.report(`${where}.mode`, 'SecretFileModeTooOpen', 'acme.json holds the TLS certificates\' private keys, and Traefik refuses to use it when the group or others can read it', f.mode, 'Set mode: "0600" and secret: true.');
        } else if ((f.secret || findLookupReferences(f.content).length > 0) && (mode & ~MAX_SECRET_MODE) !== 0) {
          out.report(`${where}.mode`, 'SecretFileModeTooOpen', 'the file holds a secret but others or the group can read it', f.mode, 'Set mode: "0600" (or "0400").');
        }
        for (const ref of refs) {
          if (!declared.has(ref)) out.report(where, 'UndeclaredSecret', `the file references environment variable ${ref}, which the service does not declare in secrets`, ref, `Add { env: "${ref}", description } to secrets, so deploy checks it is set.`);
        }
        for (const lit of findSecretLiterals(f.content)) {
          out.report(`${where}:${lit.line}`, 'SecretLiteral', `"${lit.key}" is given a literal value; secrets are referenced by environment variable name only`, lit.masked, `Reference it as {{ lookup('ansible.builtin.env', 'NAME') }} (or \${NAME} in Compose) and declare NAME in secrets.`);
        }
      }
      problems.push(...out.problems);
    }
    return problems;
  },
};
