// Builds the playground into dist/playground, next to the library's own build.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: { outDir: '../dist/playground', emptyOutDir: true },
  worker: { format: 'es' },
  server: { host: '127.0.0.1' },
});
