import { defineConfig } from 'vitest/config';

// `npm run fuzz`: the long, seeded fuzz campaigns (not part of `npm test`, which runs short versions
// from test/unit/hardening and test/integration/hardening-fuzz.test.ts). FUZZ_SCALE multiplies every
// campaign's iterations (default 1 = the full run described in docs/fuzzing.md); FUZZ_SEED replays one.
export default defineConfig({
  test: {
    include: ['test/fuzz/**/*.test.ts'],
    environment: 'node',
    testTimeout: 3 * 60 * 60_000,
    hookTimeout: 10 * 60_000,
    fileParallelism: false,
  },
});
