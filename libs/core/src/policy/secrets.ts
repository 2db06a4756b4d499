import { ProblemCollector } from '../model/collector.ts';
import type { Problem } from '../model/problem.ts';
import type { NormalizedService } from '../model/service.ts';
import type { PolicyRule } from './rule.ts';
import { findEnvReferences, findLookupReferences, findSecretLiterals } from '../render/secrets.ts';
import { findSecretUrls } from './secret-urls.ts';
import { findLiteralsInFacts } from './secret-facts.ts';
import { FACTS_KEY } from '../model/facts/fact.ts';

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
  codes: ['SecretLiteral', 'SecretUrl', 'UndeclaredSecret', 'SecretFileModeTooOpen', 'InvalidFileMode'],
  description: 'Secrets are referenced by environment variable name only, each one declared, in files of mode 0600 or stricter; acme.json (certificate private keys) is always 0600; no secret-looking literal (a *KEY, *TOKEN, *PASSWORD, *SECRET key, a webhook or URL with its token) in a file or in a fact.',
  check: ({ services, files }) => {
    if (!files) return services.flatMap(literalsInFacts);
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
          // A lookup makes a file secret unless its definition says `secret: false` (a CA certificate
          // given at deploy time is an input, not a secret, and its reader may not run as root).
        } else if ((f.secret === true || (f.secret !== false && findLookupReferences(f.content).length > 0)) && (mode & ~MAX_SECRET_MODE) !== 0) {
          out.report(`${where}.mode`, 'SecretFileModeTooOpen', 'the file holds a secret but others or the group can read it', f.mode, 'Set mode: "0600" (or "0400").');
        }
        for (const ref of refs) {
          if (!declared.has(ref)) out.report(where, 'UndeclaredSecret', `the file references environment variable ${ref}, which the service does not declare in secrets`, ref, `Add { env: "${ref}", description } to secrets, so deploy checks it is set.`);
        }
        for (const lit of findSecretLiterals(f.content)) {
          out.report(`${where}:${lit.line}`, 'SecretLiteral', `"${lit.key}" is given a literal value; secrets are referenced by environment variable name only`, lit.masked, `Reference it as {{ lookup('ansible.builtin.env', 'NAME') }} (or \${NAME} in Compose) and declare NAME in secrets.`);
        }
        for (const url of findSecretUrls(f.content)) {
          out.report(`${where}:${url.line}`, 'SecretUrl', `a URL carries its credential as a literal (${url.kind}); whoever holds the URL can use it`, url.masked, 'Put the whole URL (or its token) in an environment variable, declare it in secrets, and reference it by name.');
        }
      }
      problems.push(...out.problems);
    }
    return problems;
  },
};

/** Secret-looking literals in the facts other packages read (model pass): alert annotations, webhook URLs. */
function literalsInFacts(s: NormalizedService): Problem[] {
  const out = new ProblemCollector(s.pkg.dir);
  for (const lit of findLiteralsInFacts(s.facts, FACTS_KEY)) {
    out.report(lit.path, lit.url ? 'SecretUrl' : 'SecretLiteral', lit.url ? `a URL carries its credential as a literal (${lit.url})` : `"${lit.key}" is given a literal value; secrets are referenced by environment variable name only`, lit.masked, 'Declare the secret in secrets and pass its environment variable name instead of the value.');
  }
  return out.problems;
}
