// Loaded with `node --import` by the tests: on exit, appends the process's peak resident memory (bytes) to
// the file named by BACKPROP_TEST_RSS_FILE, so a test can bound what one command used.
import { appendFileSync } from 'node:fs';

const file = process.env.BACKPROP_TEST_RSS_FILE;
if (file) process.on('exit', () => appendFileSync(file, `${process.resourceUsage().maxRSS * 1024}\n`));
