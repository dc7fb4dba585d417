// A web page that imports only `train` from the package, built by Vite as a user's project would build it, runs in
// Chromium: it trains on records and predicts by class name. The bundle holds no Node built-in, and its size is
// printed (the README quotes it).
import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { launch } from './browser.js';
import { ROOT, tempDir } from './cli-helpers.js';

const dir = tempDir();
let server: Server | null = null;
afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const PAGE = `
import { train } from 'backprop';
const cities = ['Oslo', 'Paris', 'Rome'];
const rows = Array.from({ length: 300 }, (_, i) => {
  const age = 18 + ((i * 37) % 60), city = cities[i % 3];
  return { age, city, bought: (age > 40) !== (city === 'Rome') ? 'yes' : 'no' };
});
const model = await train(rows, { target: 'bought', epochs: 60 });
const [p] = model.predict([{ age: 60, city: 'Paris' }, { age: 25, city: 'Rome' }]);
const report = model.evaluate(rows);
document.body.dataset.result = JSON.stringify({ label: p.label, yes: p.probabilities.yes, accuracy: report.accuracy, kernels: model.network.kernels.name });
`;

describe('a page built with Vite that trains on records', () => {
  it('runs in Chromium, carries no Node built-in, and says what it weighs', async () => {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'backprop'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', name: 'page' }));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><body><script type="module" src="./main.js"></script></body>\n');
    writeFileSync(join(dir, 'main.js'), PAGE);
    await build({ root: dir, logLevel: 'silent', build: { outDir: join(dir, 'dist'), target: 'es2022' }, configFile: false });
    const assets = join(dir, 'dist', 'assets');
    const files = readdirSync(assets).filter((f) => f.endsWith('.js'));
    const code = files.map((f) => readFileSync(join(assets, f), 'utf8')).join('\n');
    // No Node built-in made it into the page (an import of node:fs, worker_threads or the like).
    expect(code).not.toMatch(/["'](node:)?(fs|path|os|worker_threads|child_process|module|zlib)["']/);
    expect(code).not.toMatch(/["']node:/);
    const bytes = files.reduce((n, f) => n + statSync(join(assets, f)).size, 0);
    const gzipped = gzipSync(Buffer.from(code)).length;
    console.log(`bundle of a page that imports train: ${(bytes / 1024).toFixed(0)} KB (${(gzipped / 1024).toFixed(0)} KB gzipped) in ${files.length} file(s)`);

    server = createServer((req, res) => {
      const path = join(dir, 'dist', decodeURIComponent((req.url ?? '/').split('?')[0]).replace(/\/$/, '/index.html'));
      try {
        const body = readFileSync(path);
        res.writeHead(200, { 'content-type': path.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const browser = await launch();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(() => document.body.dataset.result !== undefined, undefined, { timeout: 60_000 });
      const result = JSON.parse((await page.evaluate(() => document.body.dataset.result))!);
      expect(errors).toEqual([]);
      expect(result.label).toBe('yes');
      expect(result.yes).toBeGreaterThan(0.5);
      expect(result.accuracy).toBeGreaterThan(0.9);
      // In a page without cross-origin isolation: WebAssembly SIMD on the page's thread.
      expect(result.kernels).toMatch(/^wasm-simd/);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
