// The SVG that `backprop train --plot` writes opens in a real browser: rendered by headless Chromium,
// it has the curves' and the decision boundary's colours where they belong.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { backprop, ROOT, tempDir } from './cli-helpers.js';
import { launch } from './browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
}, 60_000);
afterAll(async () => browser?.close());

it('renders the training curves and the decision boundary of a 2-D problem', async () => {
  const svg = join(tempDir(), 'circle.svg');
  expect(backprop(['train', 'circle', '--epochs', '40', '--layers', '16', '--lr', '0.01', '--l2', '0', '--plot', svg, '--quiet']).code).toBe(0);
  const page = await browser.newPage();
  const data = Buffer.from(readFileSync(svg)).toString('base64');
  await page.setContent(`<body style="margin:0"><img id="plot" src="data:image/svg+xml;base64,${data}"></body>`);
  await page.waitForFunction(() => (document.getElementById('plot') as HTMLImageElement).complete);
  // Count pixels by colour in each third of the picture: loss, accuracy, decision boundary.
  const counts = await page.evaluate(() => {
    const img = document.getElementById('plot') as HTMLImageElement;
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const g = canvas.getContext('2d')!;
    g.drawImage(img, 0, 0);
    const { data, width, height } = g.getImageData(0, 0, canvas.width, canvas.height);
    const panels = [0, 1, 2].map(() => ({ blue: 0, orange: 0, other: 0 }));
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = 4 * (y * width + x);
        const [r, gr, b] = [data[i], data[i + 1], data[i + 2]];
        const panel = panels[Math.min(2, Math.floor((3 * x) / width))];
        if (b > r + 60 && b > gr) panel.blue++;
        else if (r > b + 60 && r > gr) panel.orange++;
        else if (r < 240 || gr < 240 || b < 240) panel.other++;
      }
    }
    return { width, height, panels };
  });
  expect(counts.width).toBe(960);
  expect(counts.height).toBe(340);
  const [loss, accuracy, boundary] = counts.panels;
  // Curves: thin lines of both colours on a mostly white panel.
  for (const p of [loss, accuracy]) {
    expect(p.blue).toBeGreaterThan(200);
    expect(p.orange).toBeGreaterThan(200);
  }
  // The boundary: large areas of both class colours (a disc of one inside a ring of the other).
  expect(boundary.blue).toBeGreaterThan(5000);
  expect(boundary.orange).toBeGreaterThan(5000);
  const out = join(ROOT, 'test-output');
  mkdirSync(out, { recursive: true });
  await page.screenshot({ path: join(out, 'plot.png'), fullPage: true });
  await page.close();
}, 60_000);

it('names from the table stay text in both SVG writers, which Chromium parses as well-formed XML', async () => {
  const { renderPlot } = await import('../src/cli/plot.js');
  const { renderImportance } = await import('../src/cli/importance.js');
  const { HOSTILE_NAMES } = await import('./hostile-names.js');
  const names = HOSTILE_NAMES.filter((n) => n.length < 200);
  const plot = renderPlot({
    title: `backprop train ${names[0]}`,
    epochs: [{ epoch: 1, loss: 1 }, { epoch: 2, loss: 0.5 }] as never,
    boundary: { xLabel: names[14], yLabel: names[15], x0: 0, x1: 1, y0: 0, y1: 1, cells: [[{ cls: 0, p: 0.9 }]], classes: names.slice(9, 16), points: [] },
  });
  const bars = renderImportance({ metric: 'accuracy', baseline: 0.9, repeats: 1, features: names.map((name, i) => ({ name, importance: i / 100, std: 0 })) } as never, names[9]);
  const page = await browser.newPage();
  for (const svg of [plot, bars]) {
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return { error: doc.querySelector('parsererror')?.textContent ?? null, elements: [...doc.querySelectorAll('*')].map((e) => e.localName), texts: [...doc.querySelectorAll('text, title')].map((e) => e.textContent) };
    }, svg);
    expect(parsed.error).toBeNull();
    // Only the writers' own elements: a name's <script> or <img> stayed text.
    expect(new Set(parsed.elements)).toEqual(new Set(['svg', 'title', 'rect', 'text', 'line', ...(svg === plot ? ['polyline', 'circle'] : [])]));
    const shown = (n: string): string => n.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
    if (svg === plot) for (const n of names.slice(9, 16)) expect(parsed.texts).toContain(shown(n));
    else expect(parsed.texts).toContain(shown(names[9]));
  }
  await page.close();
}, 60_000);
