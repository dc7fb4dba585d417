// The playground in a real browser (Debian's Chromium through playwright-core): it learns the circle,
// stays responsive, reproduces a run from its URL, and its step-through view shows the library's own trace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { Network, traceUpdate } from '../src/index.js';
import { serveFolder } from '../src/cli/serve.js';
import { EXTENT, makeProblem, networkSpec } from '../playground/src/problem.js';
import { parseState, serializeState, DEFAULTS } from '../playground/src/state.js';
import { launch } from './browser.js';
import { ROOT } from './cli-helpers.js';

const BUILD = join(ROOT, 'dist/playground');
const OUT = join(ROOT, 'test-output');
let browser: Browser;
let server: Server;
let url: string;

beforeAll(async () => {
  if (!existsSync(join(BUILD, 'index.html'))) throw new Error(`${BUILD} is missing: npm run build makes it (npm test does so first)`);
  ({ server, url } = await serveFolder(BUILD));
  browser = await launch();
  mkdirSync(OUT, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function open(search = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Record long tasks on the main thread from the very start.
  await page.addInitScript(() => {
    (window as unknown as { longTasks: number[] }).longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) (window as unknown as { longTasks: number[] }).longTasks.push(entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(url + search);
  await page.waitForFunction(() => document.getElementById('trainLoss')?.textContent !== '–');
  expect(errors).toEqual([]);
  return page;
}

const number = async (page: Page, id: string): Promise<number> => Number(await page.textContent(`#${id}`));

async function stepEpochs(page: Page, n: number): Promise<void> {
  const start = await number(page, 'epoch');
  await page.locator('body').focus();
  for (let i = 0; i < n; i++) await page.keyboard.press('.');
  await page.waitForFunction((target) => Number(document.getElementById('epoch')!.textContent) === target, start + n);
}

describe('playground', () => {
  it('learns the circle to a test loss below 0.1 while the main thread stays free of long tasks', async () => {
    const page = await open();
    await page.click('#play');
    expect(await page.getAttribute('#play', 'aria-pressed')).toBe('true');
    await page.waitForTimeout(5000);
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    expect(Math.max(0, ...longTasks)).toBeLessThan(200);
    expect(await number(page, 'epoch')).toBeGreaterThan(20);
    await page.waitForFunction(() => Number(document.getElementById('testLoss')!.textContent) < 0.1, undefined, { timeout: 60_000 });
    await page.click('#play');
    expect(await number(page, 'testLoss')).toBeLessThan(0.1);
    await page.screenshot({ path: join(OUT, 'playground-circle.png'), fullPage: true });
    await page.close();
  }, 90_000);

  it('keeps every setting in the URL, and the same URL reproduces the same run', async () => {
    const settings = {
      ...DEFAULTS, dataset: 'xor' as const, noise: 0.1, batchSize: 5, features: ['x1', 'x2', 'x1x2'] as const,
      layers: [3], activation: 'relu' as const, learningRate: 0.1, optimizer: 'adam' as const, regularization: 'l2' as const,
      regularizationRate: 0.001, seed: 7,
    };
    const search = serializeState({ ...settings, features: [...settings.features] });
    const first = await open(search);
    expect(await first.inputValue('#activation')).toBe('relu');
    expect(await first.inputValue('#optimizer')).toBe('adam');
    expect(await first.isChecked('input[name="dataset"][value="xor"]')).toBe(true);
    await stepEpochs(first, 15);
    const losses = [await first.textContent('#trainLoss'), await first.textContent('#testLoss')];
    const link = first.url();
    expect(parseState(new URL(link).search)).toEqual({ ...settings, features: [...settings.features] });
    await first.close();

    const second = await open(new URL(link).search);
    await stepEpochs(second, 15);
    expect([await second.textContent('#trainLoss'), await second.textContent('#testLoss')]).toEqual(losses);
    // A different seed is a different run.
    await second.selectOption('#activation', 'tanh');
    expect(second.url()).toContain('activation=tanh');
    await second.close();
  }, 60_000);

  it('steps through one update with the numbers of the library\'s trace', async () => {
    const state = parseState('');
    const problem = makeProblem(state);
    const page = await open();
    const box = (await page.locator('#heatmap').boundingBox())!;
    const toPixel = ([x, y]: number[]): [number, number] =>
      [box.x + ((x + EXTENT) / (2 * EXTENT)) * box.width, box.y + ((EXTENT - y) / (2 * EXTENT)) * box.height];
    // A training point with no other within 15 pixels, so the click can only mean it.
    const index = problem.train.points.findIndex((p, i) => problem.train.points.every((q, j) => {
      if (i === j) return true;
      const [a, b] = [toPixel(p), toPixel(q)];
      return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 > 15 * 15;
    }));
    expect(index).toBeGreaterThanOrEqual(0);
    await page.mouse.click(...toPixel(problem.train.points[index]));
    await page.waitForSelector('#stepper:not([hidden])');
    expect(await page.getAttribute('#stepper', 'data-index')).toBe(String(index));

    const net = new Network(networkSpec(state, problem.task));
    const trace = traceUpdate(net, problem.train.x[index], problem.train.y[index], { learningRate: state.learningRate });
    const fmt = (v: number): string => (v === 0 ? '0' : Number(v.toPrecision(4)).toString());
    const item = (selector: string) => page.locator(`#stageValues ${selector}`);
    // The numbers of one line, by role, as printed (brackets around negative factors dropped).
    const numbers = (selector: string, role: string): Promise<number[]> =>
      item(selector).locator(`[data-role="${role}"]`).allInnerTexts().then((ts) => ts.map((t) => Number(t.replace(/[()]/g, ''))));
    const printed = async (selector: string, role: string): Promise<string> => (await item(selector).locator(`[data-role="${role}"]`).innerText()).replace(/[()]/g, '');
    // "To the printed precision": every number has 4 significant digits, so a product of k printed factors
    // may differ from the printed product by k + 1 half-units of the fourth digit, relative.
    const near = (a: number, b: number, k: number, scale = Math.abs(b)): void => expect(Math.abs(a - b)).toBeLessThanOrEqual((k + 1) * 5e-4 * scale + 1e-12);
    const factorsMultiply = async (selector: string): Promise<void> => {
      const factors = await numbers(selector, 'factor');
      const [product] = await numbers(selector, 'product');
      near(factors.reduce((p, f) => p * f, 1), product, factors.length);
    };

    // Stage 0: the inputs, then each unit's h as its printed sum of w × x plus b, and a.
    expect(await numbers('[data-kind="input"]', 'x')).toEqual(trace.input.map((x) => Number(fmt(x))));
    for (const l of trace.layers) {
      for (let j = 0; j < l.h.length; j++) {
        const line = `[data-kind="forward"][data-layer="${l.layer}"][data-unit="${j}"]`;
        expect(await printed(line, 'h')).toBe(fmt(l.h[j]));
        expect(await printed(line, 'a')).toBe(fmt(l.a[j]));
        const w = await numbers(line, 'w'), x = await numbers(line, 'x'), [b] = await numbers(line, 'b');
        expect(w).toEqual(l.before.weights.map((row) => Number(fmt(row[j]))));
        const terms = w.map((wi, i) => wi * x[i]);
        near(terms.reduce((s, t) => s + t, b), l.h[j], 2, terms.reduce((s, t) => s + Math.abs(t), Math.abs(b)));
      }
    }
    await page.click('#nextStage');
    expect(await printed('[data-kind="error"]', 'value')).toBe(fmt(trace.error[0]));
    await page.click('#nextStage');
    // Stage 2 names the case: a sigmoid output with cross-entropy, where δᵒ = y − ŷ.
    expect(await item('[data-kind="case"]').innerText()).toContain('sigmoid output with cross-entropy');
    const output = trace.layers[trace.layers.length - 1];
    const outputLine = `[data-kind="delta"][data-layer="${output.layer}"][data-unit="0"]`;
    expect(await printed(outputLine, 'product')).toBe(fmt(output.delta[0]));
    await factorsMultiply(outputLine);
    await page.click('#nextStage');
    // Stage 3, from the output down: the top hidden layer's δ come first, each as (Σₖ Wⱼₖ δₖ) × f′(h).
    const order = await item('[data-kind="delta"]').evaluateAll((ls) => ls.map((l) => Number((l as HTMLElement).dataset.layer)));
    expect(order).toEqual([1, 1, 0, 0, 0, 0]);
    for (const l of trace.layers.slice(0, -1)) {
      const above = trace.layers[l.layer + 1];
      for (let j = 0; j < l.delta.length; j++) {
        const line = `[data-kind="delta"][data-layer="${l.layer}"][data-unit="${j}"]`;
        expect(await printed(line, 'product')).toBe(fmt(l.delta[j]));
        expect(await numbers(line, 'd')).toEqual(above.delta.map((d) => Number(fmt(d))));
        const W = await numbers(line, 'W'), d = await numbers(line, 'd'), [sum] = await numbers(line, 'sum'), [der] = await numbers(line, 'der');
        const terms = W.map((w, k) => w * d[k]);
        near(terms.reduce((s, t) => s + t, 0), sum, 2, terms.reduce((s, t) => s + Math.abs(t), 0));
        expect(der).toBe(Number(fmt(l.derivative![j])));
        near(sum * der, l.delta[j], 2);
      }
    }
    await page.click('#nextStage');
    let checked = 0;
    for (const l of trace.layers) {
      for (let i = 0; i < l.deltaW.length; i++) {
        for (let j = 0; j < l.deltaW[i].length; j++) {
          const line = `[data-kind="dw"][data-layer="${l.layer}"][data-from="${i}"][data-to="${j}"]`;
          expect(await item(line).innerText()).toContain('Δw = η × δ × x = ');
          expect(await printed(line, 'product')).toBe(fmt(l.deltaW[i][j]));
          const [eta, delta, x] = await numbers(line, 'factor');
          expect([eta, delta, x]).toEqual([state.learningRate, Number(fmt(l.delta[j])), Number(fmt(l.input[i]))]);
          await factorsMultiply(line);
          checked++;
        }
      }
    }
    expect(checked).toBe(2 * 4 + 4 * 2 + 2 * 1);
    await page.screenshot({ path: join(OUT, 'playground-step.png'), fullPage: true });
    // Previous goes back a stage; Next comes forward again.
    await page.click('#prevStage');
    expect(await page.getAttribute('#stepper', 'data-stage')).toBe('3');
    await page.click('#nextStage');
    await page.click('#nextStage');
    await page.waitForSelector('#stepper[data-stage="5"]');
    expect(await item('[data-kind="loss"] [data-role="E"]').allInnerTexts()).toEqual([fmt(trace.lossBefore), fmt(trace.lossAfter)]);
    await page.close();
  }, 90_000);

  it('shows the vanishing gradient: deep sigmoid layers near the input get far smaller gradients than relu ones', async () => {
    const ratio = async (activation: string): Promise<number> => {
      const page = await open(`?layers=8,8,8,8,8&activation=${activation}&seed=3`);
      await stepEpochs(page, 1);
      const norms = await page.locator('#gradients [data-norm]').allInnerTexts();
      await page.close();
      expect(norms).toHaveLength(6);
      return Number(norms[0]) / Number(norms[5]);
    };
    const sigmoid = await ratio('sigmoid');
    const relu = await ratio('relu');
    expect(sigmoid).toBeLessThan(0.1);
    expect(relu / sigmoid).toBeGreaterThan(10);
  }, 60_000);

  it('labels its controls and works from the keyboard', async () => {
    const page = await open();
    const unlabelled = await page.locator('input, select').evaluateAll((els) =>
      els.filter((e) => !(e as HTMLInputElement).labels?.length && !e.getAttribute('aria-label')).map((e) => e.id || e.outerHTML));
    expect(unlabelled).toEqual([]);
    const nameless = await page.locator('button').evaluateAll((els) => els.filter((e) => !e.textContent?.trim() && !e.getAttribute('aria-label')).length);
    expect(nameless).toBe(0);
    await page.locator('body').focus();
    await page.keyboard.press(' ');
    expect(await page.getAttribute('#play', 'aria-pressed')).toBe('true');
    await page.waitForFunction(() => Number(document.getElementById('epoch')!.textContent) >= 3);
    await page.keyboard.press(' ');
    expect(await page.getAttribute('#play', 'aria-pressed')).toBe('false');
    await page.waitForTimeout(200);
    const paused = await number(page, 'epoch');
    await page.waitForTimeout(300);
    expect(await number(page, 'epoch')).toBe(paused);
    await page.keyboard.press('.');
    await page.waitForFunction((e) => Number(document.getElementById('epoch')!.textContent) === e + 1, paused);
    // Tab to the step button and press Enter.
    await page.focus('#step');
    await page.keyboard.press('Enter');
    await page.waitForFunction((e) => Number(document.getElementById('epoch')!.textContent) === e + 2, paused);
    await page.close();
  }, 60_000);
});

// The bugs a learner's review found (issue 12), each reproduced as its report says.
describe('playground: reported bugs', () => {
  it('1. a diverging run says so, and the message stays', async () => {
    const page = await open('?dataset=plane&learningRate=10&activation=relu&layers=8,8');
    await page.click('#play');
    await page.waitForFunction(() => document.getElementById('message')!.textContent !== '', undefined, { timeout: 20_000 });
    await page.waitForTimeout(500);
    expect(await page.textContent('#message')).toMatch(/^Training diverged: the loss became (Infinity|NaN) in epoch \d+, so the learning rate 10 is too large/);
    expect(await page.getAttribute('#play', 'aria-pressed')).toBe('false');
    await page.close();
  }, 60_000);

  it('2. the server answers malformed paths with 400 and keeps serving', async () => {
    const { connect } = await import('node:net');
    const port = Number(new URL(url).port);
    const status = (path: string): Promise<string> => new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
      let text = '';
      socket.on('data', (c) => (text += c));
      socket.on('end', () => resolve(text.split('\r\n')[0]));
      socket.on('error', reject);
    });
    expect(await status('//')).toBe('HTTP/1.1 200 OK');
    expect(await status('/%')).toBe('HTTP/1.1 400 Bad Request');
    expect(await status('/%E0%A4%A')).toBe('HTTP/1.1 400 Bad Request');
    expect(await status('/../package.json')).toBe('HTTP/1.1 403 Forbidden');
    // Still up: the page loads in the browser.
    const page = await open();
    expect(await page.textContent('h1')).toBe('backprop playground');
    await page.close();
  }, 60_000);

  it('3. a seed above 2³¹ survives a reload; a negative or fractional one is refused aloud', async () => {
    const page = await open();
    await page.fill('#seed', '3000000000');
    await page.press('#seed', 'Enter');
    await page.waitForFunction(() => location.search.includes('seed=3000000000'));
    await page.waitForFunction(() => document.getElementById('trainLoss')?.textContent !== '–');
    const losses = await page.textContent('#trainLoss');
    await page.reload();
    await page.waitForFunction(() => document.getElementById('trainLoss')?.textContent !== '–');
    expect(await page.inputValue('#seed')).toBe('3000000000');
    expect(await page.textContent('#trainLoss')).toBe(losses);
    for (const bad of ['-5', '2.5']) {
      await page.fill('#seed', bad);
      await page.press('#seed', 'Enter');
      await page.waitForFunction(() => document.getElementById('message')!.textContent !== '');
      expect(await page.textContent('#message')).toBe('Seed: expected a whole number from 0 to 4294967295; kept 3000000000.');
      expect(await page.inputValue('#seed')).toBe('3000000000');
      expect(page.url()).toContain('seed=3000000000');
    }
    await page.close();
  }, 60_000);

  it('4. a hand-edited URL leaves sliders, labels and the URL in agreement', async () => {
    const page = await open('?batchSize=100&trainRatio=0.55&noise=0.33');
    expect(await page.inputValue('#batchSize')).toBe('30');
    expect(await page.textContent('#batchSizeValue')).toBe('30');
    expect(await page.inputValue('#trainRatio')).toBe('60');
    expect(await page.textContent('#trainRatioValue')).toBe('60%');
    expect(await page.inputValue('#noise')).toBe('35');
    expect(await page.textContent('#noiseValue')).toBe('35');
    const q = new URL(page.url()).searchParams;
    expect([q.get('batchSize'), q.get('trainRatio'), q.get('noise')]).toEqual(['30', '0.6', '0.35']);
    await page.close();
  }, 60_000);

  it('7. applying a step-through update adds no loss point; the controls do not move as the epoch grows; ⟲ starts new weights', async () => {
    const page = await open();
    const points = async (): Promise<number> => Number(await page.getAttribute('#lossCurve', 'data-points'));
    expect(await points()).toBe(1);
    await page.click('#pickPoint');
    await page.waitForSelector('#stepper:not([hidden])');
    for (let i = 0; i < 5; i++) await page.click('#nextStage');
    await page.waitForFunction(() => document.getElementById('stepper')!.dataset.stage === '5');
    expect(await page.textContent('#epoch')).toBe('0');
    expect(await points()).toBe(1);
    // The learning-rate control stays put while the epoch counter goes from one digit to three.
    const x = async (): Promise<number> => (await page.locator('#learningRate').boundingBox())!.x;
    const before = await x();
    await page.click('#play');
    await page.waitForFunction(() => Number(document.getElementById('epoch')!.textContent) >= 100, undefined, { timeout: 30_000 });
    expect(await x()).toBe(before);
    await page.click('#play');
    // ⟲: new random weights on the same data.
    const weightsBefore = await page.locator('#links line.link').evaluateAll((ls) => ls.map((l) => l.getAttribute('stroke-width')).join());
    await page.click('#reset');
    await page.waitForFunction(() => location.search.includes('restart=1'));
    await page.waitForFunction(() => document.getElementById('epoch')!.textContent === '0');
    await page.waitForFunction(() => document.getElementById('trainLoss')?.textContent !== '–');
    expect(await page.locator('#links line.link').evaluateAll((ls) => ls.map((l) => l.getAttribute('stroke-width')).join())).not.toBe(weightsBefore);
    expect(await points()).toBe(1);
    await page.close();
  }, 90_000);

  it('8. Enter picks a point, a bad point is refused aloud, Escape closes, shortcuts work in controls, the last feature stays with a word', async () => {
    const page = await open();
    await page.fill('#pointIndex', '3');
    await page.press('#pointIndex', 'Enter');
    await page.waitForSelector('#stepper:not([hidden])');
    expect(await page.getAttribute('#stepper', 'data-index')).toBe('3');
    await page.keyboard.press('Escape');
    expect(await page.isHidden('#stepper')).toBe(true);
    await page.fill('#pointIndex', '9999');
    await page.press('#pointIndex', 'Enter');
    expect(await page.textContent('#message')).toMatch(/^Training point: expected a whole number from 0 to \d+\.$/);
    expect(await page.isHidden('#stepper')).toBe(true);
    // Shortcuts from a select and a slider.
    await page.focus('#learningRate');
    await page.keyboard.press('.');
    await page.waitForFunction(() => document.getElementById('epoch')!.textContent === '1');
    await page.focus('#noise');
    await page.keyboard.press(' ');
    expect(await page.getAttribute('#play', 'aria-pressed')).toBe('true');
    await page.keyboard.press(' ');
    expect(await page.getAttribute('#play', 'aria-pressed')).toBe('false');
    // Unticking the last input feature keeps it, and says why.
    await page.uncheck('#features input[value="x2"]');
    await page.waitForFunction(() => location.search.includes('features=x1&'));
    await page.click('#features input[value="x1"]');
    expect(await page.isChecked('#features input[value="x1"]')).toBe(true);
    expect(await page.textContent('#message')).toBe('The network needs at least one input feature; that one stays on.');
    await page.close();
  }, 60_000);
});
