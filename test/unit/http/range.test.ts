import { describe, expect, it } from 'vitest';
import { parseRange } from '../../../main/http/range';

describe('HTTP Range parser', () => {
  it.each([
    [undefined, 100, { kind: 'full' }],
    ['bytes=0-9', 100, { kind: 'partial', start: 0, end: 9 }],
    ['bytes=10-', 100, { kind: 'partial', start: 10, end: 99 }],
    ['bytes=-10', 100, { kind: 'partial', start: 90, end: 99 }],
    ['bytes=-1000', 100, { kind: 'partial', start: 0, end: 99 }],
    ['bytes=90-1000', 100, { kind: 'partial', start: 90, end: 99 }],
    ['bytes=99-99', 100, { kind: 'partial', start: 99, end: 99 }],
    ['Bytes = 5-6', 100, { kind: 'partial', start: 5, end: 6 }],
    ['bytes=5-6,', 100, { kind: 'partial', start: 5, end: 6 }],
    // Unsatisfiable → 416 with Content-Range: bytes */size
    ['bytes=100-', 100, { kind: 'unsatisfiable' }],
    ['bytes=100-200', 100, { kind: 'unsatisfiable' }],
    ['bytes=-0', 100, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=-5', 0, { kind: 'unsatisfiable' }],
    // Ignored (whole file): other units, bad syntax, reversed, multi-range (documented choice)
    ['items=0-1', 100, { kind: 'full' }],
    ['bytes=a-b', 100, { kind: 'full' }],
    ['bytes=5-1', 100, { kind: 'full' }],
    ['bytes=-', 100, { kind: 'full' }],
    ['bytes=', 100, { kind: 'full' }],
    ['bytes', 100, { kind: 'full' }],
    ['bytes=0-1,5-6', 100, { kind: 'full' }],
    ['bytes=1-2-3', 100, { kind: 'full' }],
    ['bytes=+1-2', 100, { kind: 'full' }],
    ['bytes=9999999999999999-', 100, { kind: 'full' }],
  ])('%s of %i bytes → %j', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });

  it('handles offsets beyond 4 GiB (multi-GiB squashfs)', () => {
    const size = 6 * 2 ** 30;
    expect(parseRange(`bytes=${5 * 2 ** 30}-`, size)).toEqual({ kind: 'partial', start: 5 * 2 ** 30, end: size - 1 });
  });
});
