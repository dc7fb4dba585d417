// Issue 21's items for memory without an event-loop turn, tune, cv and the playground server: each case as a
// user (or a hostile client) would meet it, on the built library and command.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backprop, BIN, ROOT, tempDir, writeFile } from './cli-helpers.js';

describe('memory without an event-loop turn', () => {
  it('4,000 networks created, trained and dropped in a loop of awaits alone: RSS stays within 64 MB of the 1,000th', () => {
    const program = fileURLToPath(new URL('./programs/many-networks-microtasks.mjs', import.meta.url));
    const run = spawnSync(process.execPath, ['--expose-gc', program, '4000'], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    const at = new Map(run.stdout.trim().split('\n').map((line) => {
      const [i, rss, wasm] = line.split(' ').map(Number);
      return [i, { rss, wasm }];
    }));
    const first = at.get(1_000)!, last = at.get(4_000)!;
    // The backend's memory is where dropped networks' blocks piled up while no finalizer could run.
    expect(last.wasm).toBeLessThanOrEqual(first.wasm);
    expect(last.rss).toBeLessThan(first.rss + 64 * 1024 * 1024);
  }, 150_000);
});

describe('tune, cv and evaluate', () => {
  it('tune --workers 256 runs at most one worker per core, says so, and stays within bounded memory', () => {
    const dir = tempDir();
    const rssFile = join(dir, 'rss');
    const run = spawnSync(process.execPath, ['--import', join(ROOT, 'test/programs/report-rss.mjs'), BIN, 'tune', 'iris', '--trials', '32', '--workers', '256', '--epochs', '1', '--folds', '2'],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, BACKPROP_TEST_RSS_FILE: rssFile } });
    expect(run.status, run.stderr).toBe(0);
    const cores = availableParallelism();
    if (cores < 32) {
      expect(run.stdout).toContain(`${cores} worker${cores === 1 ? '' : 's'} (--workers 256 capped at the ${cores} core`);
    }
    const peak = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
    expect(peak).toBeLessThan(Math.max(400, 100 + 40 * Math.min(cores, 32)) * 1024 * 1024);
  }, 150_000);

  it('--help says --workers is at most one per core', () => {
    expect(backprop(['tune', '--help']).stdout).toMatch(/--workers <n>[^]*most:\s+one\s+per\s+core/);
  });

  it('cv on 2 rows, whose folds each train on one class, is refused like train: one line, exit 1', () => {
    const dir = tempDir();
    const csv = writeFile(dir, 'two.csv', 'a,label\n1,x\n2,y\n');
    const r = backprop(['cv', csv, '--folds', '2']);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^backprop: --folds: fold 1 of 2 trains on only one class/);
  });

  it('evaluate on a constant regression target says R² is undefined rather than 1.000 (null in JSON)', () => {
    const dir = tempDir();
    const train = writeFile(dir, 'r.csv', 'x,y\n1,2\n2,4\n3,6\n4,8\n5,10\n6,12\n');
    const constant = writeFile(dir, 'c.csv', 'x,y\n1,5\n2,5\n3,5\n');
    const model = join(dir, 'm.json');
    expect(backprop(['train', train, '--target', 'y', '--task', 'regression', '--epochs', '3', '--out', model, '--quiet']).code).toBe(0);
    const r = backprop(['evaluate', model, constant]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/R²\s+undefined \(constant target\)/);
    expect(r.stdout).not.toMatch(/R²\s+1\.0/);
    const json = JSON.parse(backprop(['evaluate', model, constant, '--json']).stdout) as { r2: number | null };
    expect(json.r2).toBeNull();
  });
});

/** Starts `backprop playground --port 0`; resolves with the child and its port once it prints its address. */
function startPlayground(): Promise<{ child: ReturnType<typeof spawn>; port: number }> {
  const child = spawn(process.execPath, [BIN, 'playground', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`playground exited ${code} before printing its address`)));
  });
}

describe('the playground server', () => {
  it('Ctrl-C stops it within seconds while a client holds a half-sent request, exiting 130', async () => {
    const { child, port } = await startPlayground();
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '); // and never the rest
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    const code = await exited;
    clearTimeout(timer);
    socket.destroy();
    expect(code).toBe(130);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 30_000);

  it('methods other than GET and HEAD get 405 with an Allow header', async () => {
    const { child, port } = await startPlayground();
    try {
      for (const method of ['POST', 'PUT', 'DELETE']) {
        const r = await fetch(`http://127.0.0.1:${port}/index.html`, { method, body: method === 'DELETE' ? undefined : 'x' });
        expect(r.status).toBe(405);
        expect(r.headers.get('allow')).toBe('GET, HEAD');
      }
      expect((await fetch(`http://127.0.0.1:${port}/index.html`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/index.html`, { method: 'HEAD' })).status).toBe(200);
    } finally {
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 30_000);
});
