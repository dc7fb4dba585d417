// Run before the tests: the plot and playground tests drive Debian's Chromium, so install it when missing.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is missing; installing Debian's chromium for the browser tests`);
  try {
    execSync('apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium', { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    console.error('could not install chromium (this needs root and Debian\'s package archive): apt-get install -y chromium');
    process.exit(1);
  }
}
