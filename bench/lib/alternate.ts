/** Run two contenders in alternating order, N rounds, so drift in machine load hits both alike. */
export async function alternate(rounds: number, a: () => Promise<number>, b: (() => Promise<number>) | null): Promise<{ a: number[]; b: number[] }> {
  const out = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0 || !b) {
      out.a.push(await a());
      if (b) out.b.push(await b());
    } else {
      out.b.push(await b());
      out.a.push(await a());
    }
  }
  return out;
}
