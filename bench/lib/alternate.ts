/**
 * Run contenders in rotating order, N rounds, so drift in machine load (this box is shared) hits all
 * of them alike. Returns each contender's samples in run order.
 */
export async function rotate(rounds: number, contenders: Array<() => Promise<number>>): Promise<number[][]> {
  const out = contenders.map(() => [] as number[]);
  for (let i = 0; i < rounds; i++) {
    for (let k = 0; k < contenders.length; k++) {
      const j = (i + k) % contenders.length;
      out[j]!.push(await contenders[j]!());
    }
  }
  return out;
}

/** Two contenders, alternating who goes first. */
export async function alternate(
  rounds: number,
  a: () => Promise<number>,
  b: () => Promise<number>,
): Promise<{ a: number[]; b: number[] }> {
  const [ra, rb] = await rotate(rounds, [a, b]);
  return { a: ra!, b: rb! };
}
