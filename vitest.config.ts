import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

// Three projects: fast pure tests, integration tests against real peers (sockets, namespaces, QEMU,
// Chromium: one file at a time, they share ports and CPU), and the Vue renderer under happy-dom.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        plugins: [vue()],
        test: {
          name: 'renderer',
          include: ['test/renderer/**/*.test.ts'],
          environment: 'happy-dom',
        },
      },
    ],
  },
});
