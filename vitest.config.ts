// The test runner's settings. Most tests finish in well under a second; the default 5 s limit is raised because
// the machines that run the suite are shared, and a test that waits on a child process or Chromium can take
// several seconds when another job holds the cores. Tests never assert on wall-clock time.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two files at a time, on the two cores the suite's machines have: both stay 96-99% busy through a run (a third
    // file at a time made the run longer, 664 s against 587-615 s). The playground's stall check reads each
    // main-thread task's CPU time from Chromium's trace, not its length on the clock, so another file on the same
    // cores cannot fail it (a 1 ms task took 1.7 s on the clock at a load of 12).
    maxWorkers: 2,
  },
});
