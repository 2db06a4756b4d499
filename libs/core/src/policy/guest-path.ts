import type { NormalizedGuest, NormalizedService } from '../model/service.ts';

/**
 * Where a guest's field is declared in its package: the service's own guest at the top level
 * (`resources.cores`), an extra guest under `guests[i]` (`guests[2].resources.cores`).
 */
export function guestFieldPath(s: NormalizedService, g: NormalizedGuest, field: string): string {
  const i = (s.props.guests ?? []).findIndex((x) => x.name === g.name);
  return i >= 0 ? `guests[${i}].${field}` : field;
}
