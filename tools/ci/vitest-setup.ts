/**
 * Tests read generated playbooks with plain `yaml.parse`, which warns once per `!unsafe` tag it
 * does not know (render/ansible-data.ts marks every playbook string that way, on purpose). The
 * value still parses as the same string, so those warnings carry nothing; every other warning
 * passes through unchanged.
 */
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.message;
  if (/Unresolved tag: !unsafe\b/.test(text)) return;
  (emitWarning as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
