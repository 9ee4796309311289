/** The drive list's sentences for the user, kept apart from the code that lists drives. */

/** `what` is the timeout's own sentence ("listing the mounted drives (df) did not finish within 3.0 s …"). */
export function drivesTimedOutMessage(what: string): string {
  return (
    `${what}: a network mount that no longer answers can do this; the drives are not listed ` +
    '(open the ISO from its folder instead)'
  );
}
