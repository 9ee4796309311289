/** Hand-built ISO 9660 structures for the codec tests (not test files themselves). */

export function both32(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(n, 0);
  b.writeUInt32BE(n, 4);
  return b;
}

function both16(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16LE(n, 0);
  b.writeUInt16BE(n, 2);
  return b;
}

export interface RecordSpec {
  extent?: number;
  size?: number;
  flags?: number;
  name: Buffer | string;
  systemUse?: Buffer;
  date?: number[]; // 7 bytes
}

/** One ECMA-119 directory record. */
export function dirRecord(spec: RecordSpec): Buffer {
  const name = typeof spec.name === 'string' ? Buffer.from(spec.name, 'latin1') : spec.name;
  const pad = name.length % 2 === 0 ? 1 : 0;
  const su = spec.systemUse ?? Buffer.alloc(0);
  let len = 33 + name.length + pad + su.length;
  if (len % 2) len++;
  const b = Buffer.alloc(len);
  b[0] = len;
  both32(spec.extent ?? 0).copy(b, 2);
  both32(spec.size ?? 0).copy(b, 10);
  Buffer.from(spec.date ?? [124, 1, 2, 3, 4, 5, 0]).copy(b, 18);
  b[25] = spec.flags ?? 0;
  both16(1).copy(b, 28);
  b[32] = name.length;
  name.copy(b, 33);
  su.copy(b, 33 + name.length + pad);
  return b;
}

/** One SUSP entry. */
export function susp(sig: string, data: Buffer | number[], version = 1): Buffer {
  const d = Buffer.isBuffer(data) ? data : Buffer.from(data);
  return Buffer.concat([Buffer.from(sig, 'latin1'), Buffer.from([4 + d.length, version]), d]);
}

export function nm(name: string, flags = 0): Buffer {
  return susp('NM', Buffer.concat([Buffer.from([flags]), Buffer.from(name)]));
}

export function px(mode: number): Buffer {
  return susp('PX', Buffer.concat([both32(mode), both32(1), both32(0), both32(0)]));
}

/** SL with components given as [flags, text]. */
export function sl(components: Array<[number, string]>, flags = 0): Buffer {
  const parts = components.map(([f, t]) => Buffer.concat([Buffer.from([f, Buffer.byteLength(t)]), Buffer.from(t)]));
  return susp('SL', Buffer.concat([Buffer.from([flags]), ...parts]));
}

/** A 2048-byte primary (type 1) or supplementary (type 2) volume descriptor. */
export function volumeDescriptor(
  opts: {
    type?: number;
    volid?: string;
    blocks?: number;
    rootExtent?: number;
    rootSize?: number;
    escapes?: string;
    blockSize?: number;
  } = {},
): Buffer {
  const s = Buffer.alloc(2048);
  s[0] = opts.type ?? 1;
  s.write('CD001', 1, 'latin1');
  s[6] = 1;
  s.write((opts.volid ?? 'TESTVOL').padEnd(32, ' '), 40, 'latin1');
  both32(opts.blocks ?? 100).copy(s, 80);
  if (opts.escapes) s.write(opts.escapes, 88, 'latin1');
  both16(opts.blockSize ?? 2048).copy(s, 128);
  dirRecord({ extent: opts.rootExtent ?? 20, size: opts.rootSize ?? 2048, flags: 2, name: Buffer.from([0]) }).copy(
    s,
    156,
  );
  s.write('2024010203040500', 813, 'latin1');
  return s;
}

/** Concatenate records into directory sectors, padding so none crosses a 2048-byte boundary. */
export function directory(records: Buffer[]): Buffer {
  const sectors: Buffer[] = [];
  let cur: Buffer[] = [];
  let used = 0;
  for (const r of records) {
    if (used + r.length > 2048) {
      sectors.push(Buffer.concat([...cur, Buffer.alloc(2048 - used)]));
      cur = [];
      used = 0;
    }
    cur.push(r);
    used += r.length;
  }
  sectors.push(Buffer.concat([...cur, Buffer.alloc(2048 - used)]));
  return Buffer.concat(sectors);
}
