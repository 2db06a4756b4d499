import { FILE_OWNER_FIX, isFileOwner } from '../model/unix-name.ts';
import { checkEachRenderedFile, shownPath } from './rendered-files.ts';
import type { PolicyRule } from './rule.ts';

/**
 * A file's owner reaches the target as the owner and group of the file and of its directory: a
 * name with a space, a `:`, a `-` first or a shell metacharacter is either refused half-way through
 * a deploy or read as something else.
 */
export const fileOwnersRule: PolicyRule = {
  name: 'file-owners',
  codes: ['InvalidFileOwner'],
  description: 'Every rendered file\'s owner is a Unix user name (lowercase letters, digits, `_`, `-`, starting with a letter or `_`, at most 32) or a numeric id.',
  check: (ctx) => checkEachRenderedFile(ctx, (out, _s, f) => {
    if (typeof f.owner !== 'string') return; // config-file-keys reports the shape
    if (!isFileOwner(f.owner)) {
      out.report(`files[${shownPath(f.path)}].owner`, 'InvalidFileOwner', 'the owner is not a Unix user name or numeric id', shownPath(f.owner), `For owner, ${FILE_OWNER_FIX}.`);
    }
  }),
};
