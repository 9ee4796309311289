/**
 * Small shared pieces of the TFTP/HTTP integration tests: fail loudly when a real peer is missing
 * (CI installs them; a test never skips silently), and wait for a transfer's final record.
 */
import { execFileSync } from 'node:child_process';
import type { TransferProgress } from '../../main/contract';

/** Throws (failing the file) when one of the command-line peers is not installed. */
export function requireTools(...tools: string[]): void {
  for (const tool of tools) {
    try {
      execFileSync('which', [tool], { stdio: 'ignore' });
    } catch {
      throw new Error(`${tool} is missing: install the test peers with scripts/install-deps.sh`);
    }
  }
}

/**
 * The first finished transfer record for `file` among `transfers` from index `since` on, waiting up
 * to 5 s (the last ACK or write callback may still be on its way).
 */
export async function finishedTransfer(
  transfers: readonly TransferProgress[],
  file: string,
  since: number,
): Promise<TransferProgress> {
  for (let i = 0; i < 100; i++) {
    const t = transfers.slice(since).find((x) => x.file === file);
    if (t) return t;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no finished transfer for ${file}; saw ${JSON.stringify(transfers.slice(since))}`);
}
