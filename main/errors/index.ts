/** The message of anything thrown: an Error's message, else the value as text (a thrown string, a rejected number). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
