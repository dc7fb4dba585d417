// The test runner's settings. Most tests finish in well under a second; the default 5 s limit is raised because
// the machines that run the suite are shared, and a test that waits on a child process or Chromium can take
// several seconds when another job holds the cores. Tests never assert on wall-clock time.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two files at a time: most of the suite's time is Chromium and child processes waiting on each other, so two
    // workers on the two cores took the suite from 564 s to 440 s (both at a load of 2–6 from other jobs).
    maxWorkers: 2,
  },
});
