/** The export's sentences for the user, kept apart from the code that writes the site. */

export function loaderCopyMessage(from: string, cause: string, required: readonly string[]): string {
  return (
    `cannot copy the loader ${from}: ${cause} — reinstall Bootdrop, or pass --loaders <dir> with ` + required.join(', ')
  );
}
