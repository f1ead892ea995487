/**
 * What a command that acts on a profile receives as its first argument: a profile id, a tree node
 * (`{ profileId }` / `{ profile: { id } }`), an object with `id`, or nothing (then it asks).
 */
export type Target = string | { profileId?: unknown; id?: unknown; profile?: { id?: unknown } } | undefined;

/** The profile id a command argument names, if any. */
export function targetId(arg: Target): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object') {
    if (typeof arg.profileId === 'string') return arg.profileId;
    if (arg.profile && typeof arg.profile.id === 'string') return arg.profile.id;
    if (typeof arg.id === 'string') return arg.id;
  }
  return undefined;
}
