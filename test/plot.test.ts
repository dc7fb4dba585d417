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
