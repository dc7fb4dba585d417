// The test runner's settings. Most tests finish in well under a second; the default 5 s limit is raised because
// the machines that run the suite are shared, and a test that waits on a child process or Chromium can take
// several seconds when another job holds the cores. Tests never assert on wall-clock time.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
