// Run before the tests: the plot and playground tests drive Debian's Chromium, and the blas backend's tests
// need a system BLAS (Debian's OpenBLAS), so install whichever of the two is missing.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const missing = [];
if (!existsSync('/usr/bin/chromium')) missing.push('chromium');
let libraries = '';
try {
  libraries = execSync('ldconfig -p', { encoding: 'utf8' });
} catch {
  // no ldconfig: try to install
}
if (!/\blibopenblas\.so\.0\b/.test(libraries)) missing.push('libopenblas0-pthread');

if (missing.length) {
  console.error(`installing Debian's ${missing.join(' and ')} for the tests`);
  try {
    execSync(`apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing.join(' ')}`, { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    console.error(`could not install them (this needs root and Debian's package archive): apt-get install -y ${missing.join(' ')}`);
    process.exit(1);
  }
}
