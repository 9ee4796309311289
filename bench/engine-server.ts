/**
 * Bootdrop's HTTP and TFTP servers over an ISO, alone in their own process (like nginx or in.tftpd in
 * theirs), so the bench measures the servers and can sample their memory.
 *
 *   node engine-server.js <iso> <address> <httpPort|-> <tftpPort|->
 *
 * Prints one JSON line {"http":port,"tftp":port} when listening; SIGTERM stops it cleanly.
 */
import { HttpServer } from '../main/http';
import { openIso } from '../main/iso';
import { TftpServer } from '../main/tftp';
import { TransferTracker } from '../main/transfer';

async function main(): Promise<void> {
  const [iso, address, httpArg, tftpArg] = process.argv.slice(2);
  if (!iso || !address || !httpArg || !tftpArg)
    throw new Error('usage: engine-server <iso> <address> <httpPort|-> <tftpPort|->');
  const vfs = await openIso(iso);
  // Progress events are coalesced by the tracker exactly as in the app; nobody listens here.
  const tracker = new TransferTracker(() => undefined);
  const log = (level: string, message: string) => {
    if (level === 'error') process.stderr.write(`${message}\n`);
  };
  const stops: Array<() => Promise<void>> = [];
  const ready: { http?: number; tftp?: number } = {};
  if (httpArg !== '-') {
    const http = new HttpServer({ vfs, address, port: Number(httpArg), tracker, log, maxConnections: 1024 });
    await http.start();
    ready.http = http.port;
    stops.push(() => http.stop());
  }
  if (tftpArg !== '-') {
    const tftp = new TftpServer({ vfs, address, port: Number(tftpArg), tracker, log, maxSessions: 1024 });
    await tftp.start();
    ready.tftp = tftp.port;
    stops.push(() => tftp.stop());
  }
  const stop = () => {
    void Promise.all(stops.map((s) => s()))
      .then(() => vfs.close())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`engine-server: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
