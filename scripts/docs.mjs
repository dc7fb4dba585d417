// Generates the API reference from the doc comments with TypeDoc into docs/api (not committed). TypeDoc reads
// sources through TypeScript's JavaScript API, which the native TypeScript 7 this project builds with does not
// have, so it runs here with TypeScript 5.9 from the registry, in npx's cache, outside the project's dependencies.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
execFileSync('npx', [
  '--yes', '--package', 'typedoc@0.28', '--package', 'typescript@5.9', '--',
  'typedoc',
  '--entryPoints', 'src/index.ts', '--entryPoints', 'src/node/index.ts', '--entryPoints', 'src/interop/index.ts',
  '--tsconfig', 'tsconfig.json',
  '--out', 'docs/api',
  '--name', 'backprop',
  '--readme', 'none',
  '--excludePrivate', '--excludeInternal',
  '--skipErrorChecking', '--disableSources',
], { cwd: root, stdio: 'inherit' });
console.log(`API reference written to ${root}docs/api/index.html`);
