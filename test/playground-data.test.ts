// The playground's own data and its layout (issue 33), in Debian's Chromium at 1400×900 and 390×844: another view of a
// table keeps its network, the settings show what is trained, a regression's R² and MAE are the library's, 50,000 rows
// train, values too large and junk in a link are said; every control is 24 px or more, nothing overlaps, the first
// screen holds the three steps (pick data, press ▶, watch the output), the data sets have pictures.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { encodeFrameInputs, encodeFrameTargets, measure, Model, Random, splitRows, describeFrame, fitFramePreprocessing } from '../src/index.js';
import { readTable } from '../src/node/index.js';
import { dataSeed, makeProblem, networkSpec } from '../playground/src/problem.js';
import { parseState } from '../playground/src/state.js';
import { unitsText } from '../playground/src/units.js';
import { usePlayground } from './playground-page.js';
import { ROOT, tempDir, writeFile } from './cli-helpers.js';

const OUT = join(ROOT, 'test-output');
const SIZES = [[1400, 900], [390, 844]] as const;
const playground = usePlayground();
beforeAll(() => mkdirSync(OUT, { recursive: true }));

/** Opens the page at a size; its script errors fail the test at close. */
const open = (search: string, [width, height]: readonly [number, number], options: BrowserContextOptions = {}): Promise<Page> =>
  playground.open(search, { width, height }, options);
const close = (page: Page): Promise<void> => playground.close(page);

const text = async (page: Page, selector: string): Promise<string> => (await page.textContent(selector)) ?? '';
const epoch = async (page: Page): Promise<number> => Number(await text(page, '#epoch'));

async function stepEpochs(page: Page, n: number): Promise<void> {
  const start = await epoch(page);
  await page.locator('body').focus();
  for (let i = 0; i < n; i++) await page.keyboard.press('.');
  await page.waitForFunction((target) => Number(document.getElementById('epoch')!.textContent) === target, start + n, { timeout: 60_000 });
}

async function upload(page: Page, name: string, csv: string): Promise<void> {
  await page.setInputFiles('#csvFile', { name, mimeType: 'text/csv', buffer: Buffer.from(csv) });
}

/** A regression table in thousands of units: y = 1000·(3a + b²) + noise; c is noise. Seeded. */
function prices(rows: number, seed = 3): string {
  const random = new Random(seed);
  const lines = ['a,b,c,price'];
  for (let i = 0; i < rows; i++) {
    const [a, b, c] = [0, 0, 0].map(() => Number((random.next() * 4 - 2).toFixed(3)));
    lines.push(`${a},${b},${c},${Math.round(1000 * (3 * a + b * b) + 500 * (random.next() - 0.5))}`);
  }
  return lines.join('\n') + '\n';
}

/** Two classes by the sign of a + b, with c noise. Seeded. */
function twoClasses(rows: number, seed = 5): string {
  const random = new Random(seed);
  const lines = ['a,b,c,kind'];
  for (let i = 0; i < rows; i++) {
    const [a, b, c] = [0, 0, 0].map(() => Number((random.next() * 4 - 2).toFixed(3)));
    lines.push(`${a},${b},${c},${a + b > 0 ? 'up' : 'down'}`);
  }
  return lines.join('\n') + '\n';
}

async function save(page: Page, button: string, dir: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const path = join(dir, download.suggestedFilename());
  await download.saveAs(path);
  return path;
}

// ---- measuring the page ----

type Rect = { x: number; y: number; width: number; height: number };
const inside = (r: Rect, h: number): boolean => r.y >= 0 && r.y + r.height <= h;

/**
 * Every control on the page as a user meets it: buttons, fields, menus, boxes, sliders, links, summaries, and the
 * canvases a click acts on; each visible one with its box. (A link of the diagram, an SVG line, is measured apart.)
 */
const CONTROLS = 'button, input, select, textarea, summary, a[href], canvas.unit, #heatmap';

function controlBoxes(page: Page): Promise<{ name: string; box: Rect }[]> {
  return page.evaluate((selector) => [...document.querySelectorAll<HTMLElement>(selector)].flatMap((e) => {
    const r = e.getBoundingClientRect();
    // checkVisibility: not in a closed <details>, not hidden, not display: none.
    if (r.width === 0 || r.height === 0 || !e.checkVisibility({ visibilityProperty: true })) return [];
    const name = `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.getAttribute('aria-label') ? `[${e.getAttribute('aria-label')}]` : ''}${(e as HTMLInputElement).value ? `=${(e as HTMLInputElement).value}` : ''}`;
    return [{ name, box: { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height } }];
  }), CONTROLS);
}

async function smallControls(page: Page): Promise<string[]> {
  const small = (await controlBoxes(page)).filter(({ box }) => box.width < 24 - 0.01 || box.height < 24 - 0.01)
    .map(({ name, box }) => `${name} ${box.width.toFixed(1)}×${box.height.toFixed(1)}`);
  // A link's target is the band its hit line's stroke draws.
  const links = await page.locator('#links line.hit').evaluateAll((ls) => ls.map((l) => Number(getComputedStyle(l).strokeWidth.replace('px', ''))));
  return [...small, ...links.filter((w) => w < 24).map((w) => `link band ${w}`)];
}

/**
 * Boxes that overlap: each visible run of text (by its line boxes, cut to what its scrolling or clipping ancestors
 * show) and each control, against every other; a text inside a control, and a label's words against its own
 * control, are one thing. Also each one that leaves its panel (a column of the page) sideways. Measured as laid out
 * in the page's flow: a sticky bar (▶ at the top of a phone, the step-through's Previous/Next) is meant to ride over
 * what scrolls under it.
 */
function overlaps(page: Page): Promise<string[]> {
  return page.evaluate((selector) => {
    const sticky = [...document.querySelectorAll<HTMLElement>('body *')].filter((e) => getComputedStyle(e).position === 'sticky');
    for (const e of sticky) e.style.position = 'static';
    try {
      return measure();
    } finally {
      for (const e of sticky) e.style.position = '';
    }
    function measure(): string[] {
    type Item = { name: string; rects: DOMRect[]; owner: Element; label: Element | null };
    const visible = (e: Element): boolean => {
      if (!e.checkVisibility({ visibilityProperty: true })) return false;
      for (let n: Element | null = e; n; n = n.parentElement) {
        const s = getComputedStyle(n);
        if (s.display === 'none' || s.visibility === 'hidden' || (n as HTMLElement).hidden) return false;
        // Text for screen readers alone: clipped to a pixel.
        if (s.clip === 'rect(0px, 0px, 0px, 0px)' || s.clipPath === 'inset(50%)') return false;
      }
      return true;
    };
    /** A rectangle cut to the boxes of `from` and its ancestors where they clip their content. */
    const clip = (r: DOMRect, from: Element | null): DOMRect | null => {
      let { left, top, right, bottom } = r;
      for (let n = from; n && n !== document.body; n = n.parentElement) {
        const s = getComputedStyle(n);
        if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
        const c = n.getBoundingClientRect();
        left = Math.max(left, c.left); top = Math.max(top, c.top); right = Math.min(right, c.right); bottom = Math.min(bottom, c.bottom);
      }
      return right - left > 0.5 && bottom - top > 0.5 ? new DOMRect(left, top, right - left, bottom - top) : null;
    };
    const controls = [...document.querySelectorAll(selector)].filter((e) => visible(e) && e.getBoundingClientRect().width > 0);
    const items: Item[] = controls.flatMap((e) => {
      const r = clip(e.getBoundingClientRect(), e.parentElement);
      return r ? [{ name: `${e.tagName.toLowerCase()}#${e.id || (e as HTMLElement).className || e.getAttribute('aria-label')}`, rects: [r], owner: e, label: e.closest('label') }] : [];
    });
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      const parent = t.parentElement!;
      if (!t.textContent!.trim() || parent.closest('script, style, select, option, button, summary, svg') || !visible(parent)) continue;
      const range = document.createRange();
      range.selectNodeContents(t);
      const rects = [...range.getClientRects()].map((r) => clip(r, parent)).filter((r): r is DOMRect => r !== null);
      if (rects.length) items.push({ name: `"${t.textContent!.trim().slice(0, 30)}"`, rects, owner: parent, label: parent.closest('label') });
    }
    const meet = (a: DOMRect, b: DOMRect): boolean => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
    const found: string[] = [];
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) {
        const [a, b] = [items[i], items[j]];
        if (a.owner.contains(b.owner) || b.owner.contains(a.owner) || (a.label && a.label === b.label)) continue;
        if (a.rects.some((p) => b.rects.some((q) => meet(p, q)))) found.push(`${a.name} / ${b.name}`);
      }
    }
    // Nothing leaves its column of the page sideways (the diagram's own scrolling box holds its drawing).
    for (const item of items) {
      const panel = item.owner.closest('main > section');
      if (!panel) continue;
      // On a phone the panels dissolve into the page's one column (display: contents): that column is the bound.
      const p = (getComputedStyle(panel).display === 'contents' ? panel.parentElement! : panel).getBoundingClientRect();
      if (item.rects.some((r) => r.left < p.left - 1 || r.right > p.right + 1)) found.push(`${item.name} leaves ${panel.getAttribute('aria-label')}`);
    }
    return found;
    }
  }, CONTROLS);
}

describe('playground: own data', () => {
  for (const size of SIZES) {
    it(`at ${size.join('×')}: another view of a table (a pair of inputs, the projection) keeps the network, its epoch and its loss`, async () => {
      const page = await open('?layers=6&learningRate=0.1', size);
      // The learner's path: the picture of iris.
      await page.click('#datasets input[value="iris"]');
      await page.waitForSelector('#tableSettings:not([hidden])');
      await page.click('#play');
      await page.waitForFunction(() => Number(document.getElementById('epoch')!.textContent) >= 5, undefined, { timeout: 60_000 });
      // Mid-training: the run goes on from where it was, never from 0.
      const before = await epoch(page);
      await page.selectOption('#axes', '2,3');
      await page.waitForFunction(() => location.search.includes('axes=2%2C3'));
      await page.waitForFunction((e) => Number(document.getElementById('epoch')!.textContent) > e + 3, before, { timeout: 60_000 });
      expect(await page.getAttribute('#play', 'aria-pressed')).toBe('true');
      expect(await text(page, '#planeNote')).toContain('across petal_length, up petal_width');
      await page.click('#play');
      // Paused (an epoch already on its way may still arrive: wait until the counter rests).
      await page.waitForFunction(() => {
        const w = window as unknown as { lastEpoch?: string }, e = document.getElementById('epoch')!.textContent!;
        const same = w.lastEpoch === e;
        w.lastEpoch = e;
        return same;
      }, undefined, { polling: 500 });
      // The view changes, the numbers stay exactly.
      const kept = { epoch: await text(page, '#epoch'), train: await text(page, '#trainLoss'), test: await text(page, '#testLoss'), points: await page.getAttribute('#lossCurve', 'data-points') };
      for (const view of ['pca', '0,1']) {
        await page.selectOption('#axes', view);
        await page.waitForFunction((v) => new URLSearchParams(location.search).get('axes') === (v === '0,1' ? null : v), view);
        await page.waitForTimeout(200);
        expect({ epoch: await text(page, '#epoch'), train: await text(page, '#trainLoss'), test: await text(page, '#testLoss'), points: await page.getAttribute('#lossCurve', 'data-points') }).toEqual(kept);
        expect(await text(page, '#message')).toBe('');
      }
      expect(await text(page, '#planeNote')).toContain('across sepal_length, up sepal_width');
      await close(page);
    }, 120_000);

    it(`at ${size.join('×')}: the settings show the loss and output that are trained, as the exported model has them`, async () => {
      const dir = tempDir();
      const shown = async (page: Page): Promise<[string, string, boolean]> => [
        await page.$eval('#loss', (s) => (s as HTMLSelectElement).selectedOptions[0].textContent!),
        await page.$eval('#output', (s) => (s as HTMLSelectElement).selectedOptions[0].textContent!),
        await page.isDisabled('#loss') && await page.isDisabled('#output'),
      ];
      const word = (loss: string): string => (loss === 'mse' ? 'squared error' : 'cross-entropy');
      // A generated regression: the spec the page's worker builds.
      const page = await open('?dataset=plane', size);
      const state = parseState(new URL(page.url()).search);
      const spec = networkSpec(state, makeProblem(state).task);
      expect(await shown(page)).toEqual(['squared error', 'linear', true]);
      expect([word(spec.loss!), spec.layers.at(-1)!.activation]).toEqual(['squared error', 'linear']);
      expect(await text(page, '#diagram .output-activation')).toBe('linear');
      // Three classes, two classes and a regression from files: the model file the page exports says the same.
      for (const [name, csv, expected] of [['iris.csv', readFileSync(join(ROOT, 'data/iris.csv'), 'utf8'), ['cross-entropy', 'softmax']],
        ['two.csv', twoClasses(120), ['cross-entropy', 'sigmoid']], ['prices.csv', prices(120), ['squared error', 'linear']]] as const) {
        await upload(page, name, csv);
        await page.waitForFunction((n) => document.getElementById('tableSummary')!.textContent!.startsWith(n), name);
        expect(await shown(page), name).toEqual([...expected, true]);
        expect(await text(page, '#diagram .output-activation')).toBe(expected[1]);
        const model = Model.fromJSON(JSON.parse(readFileSync(await save(page, '#exportModel', dir), 'utf8')));
        expect([word(model.network.spec.loss), model.network.spec.layers.at(-1)!.activation], name).toEqual(expected);
      }
      await close(page);
      rmSync(dir, { recursive: true, force: true });
    }, 120_000);

    it(`at ${size.join('×')}: a regression shows R² and the mean absolute error in the target's units, as the library's evaluate gives them, and its colour scale in those units`, async () => {
      const dir = tempDir();
      const csv = writeFile(dir, 'prices.csv', prices(300));
      const page = await open('?layers=8&learningRate=0.03&optimizer=adam', size);
      await upload(page, 'prices.csv', readFileSync(csv, 'utf8'));
      await page.waitForSelector('#tableSettings:not([hidden])');
      await stepEpochs(page, 30);
      await page.waitForSelector('#regressionScores:not([hidden]) #allR2');
      const value = async (id: string): Promise<number> => Number(await page.getAttribute(`#${id}`, 'data-value'));
      const model = Model.fromJSON(JSON.parse(readFileSync(await save(page, '#exportModel', dir), 'utf8')));
      const frame = await readTable(csv);
      // All rows: the Model's evaluate on the file, as `backprop evaluate` reports it.
      const all = model.evaluate(frame) as { r2: number; mae: number };
      const close6 = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(b)));
      close6(await value('allR2'), all.r2);
      close6(await value('allMae'), all.mae);
      expect(all.r2).toBeGreaterThan(0.5);
      expect(all.mae).toBeGreaterThan(50);
      // The training and test rows: the page's split, measured by the library on the same rows.
      const state = parseState(new URL(page.url()).search);
      const description = describeFrame(frame, 'price');
      const rows = splitRows(frame.rows, { testFraction: Number((1 - state.trainRatio).toFixed(2)), seed: dataSeed(state) });
      const prep = model.preprocessing;
      for (const [part, r] of [['train', rows.train], ['test', rows.test]] as const) {
        const m = measure(model.network, prep, encodeFrameInputs(prep, frame, model.network.dtype, r), encodeFrameTargets(prep, frame, model.network.dtype, r).y);
        close6(await value(`${part}R2`), m.r2!);
        close6(await value(`${part}Mae`), m.mae!);
      }
      expect(fitFramePreprocessing(description, frame, rows.train).target).toEqual(prep.target);
      // Shown as the CLI prints numbers: 4 digits, thousands grouped; the colour scale's ends and middle in dollars of price.
      expect(await text(page, '#allMae')).toBe(unitsText(all.mae));
      expect(await text(page, '#allMae')).toMatch(/^\d{1,3}(,\d{3})*(\.\d+)?$/);
      const scale = (prep.target as { scale: { mean: number; std: number } }).scale;
      expect(await page.locator('#legend span:not(.bar)').allTextContents()).toEqual([-1, 0, 1].map((v) => unitsText(scale.mean + v * scale.std)));
      expect(await text(page, '#heatmapCaption')).toContain('price');
      await close(page);
      rmSync(dir, { recursive: true, force: true });
    }, 120_000);

    it(`at ${size.join('×')}: a file of 50,000 rows trains`, async () => {
      const page = await open('?layers=4&batchSize=30', size);
      await upload(page, 'rows50k.csv', twoClasses(50_000, 9));
      await page.waitForSelector('#tableSettings:not([hidden])', { timeout: 60_000 });
      expect(await text(page, '#message')).toBe('');
      expect(await text(page, '#tableSummary')).toContain('50000 rows');
      await stepEpochs(page, 2);
      await page.waitForSelector('#allAccuracy');
      expect(Number(await text(page, '#trainLoss'))).toBeGreaterThan(0);
      expect(Number(await page.getAttribute('#allAccuracy', 'data-value'))).toBeGreaterThan(0.9);
      expect(await page.getAttribute('#heatmap', 'data-showing')).toBe('classes');
      await close(page);
    }, 180_000);

    it(`at ${size.join('×')}: a feature or a target of ±1e308 is refused in one line naming the line and column, as the command line refuses it`, async () => {
      const dir = tempDir();
      const page = await open('?layers=3', size);
      await stepEpochs(page, 2);
      const url0 = page.url();
      const state = parseState(url0);
      const refused = async (csv: string): Promise<string> => {
        await page.evaluate(() => (document.getElementById('message')!.textContent = ''));
        await upload(page, 'huge.csv', csv);
        await page.waitForFunction(() => document.getElementById('message')!.textContent!.startsWith('backprop:'));
        // Nothing changed: the same network, the same epoch, no table.
        expect(await text(page, '#epoch')).toBe('2');
        expect(page.url()).toBe(url0);
        expect(await page.isHidden('#tableSettings')).toBe(true);
        return text(page, '#message');
      };
      for (const [column, name] of [[0, 'a'], [3, 'price']] as const) {
        const lines = prices(60).trim().split('\n');
        const put = (rows: number[], value: (k: number) => string): string => lines.map((line, i) => {
          if (!rows.includes(i - 1)) return line;
          const cells = line.split(',');
          cells[column] = value(rows.indexOf(i - 1));
          return cells.join(',');
        }).join('\n') + '\n';
        // Every fourth row ±1e308: the training rows hold some, and standardizing overflows, in the library's own words.
        const every = Array.from({ length: 15 }, (_, k) => 4 * k);
        const csv = writeFile(dir, 'huge.csv', put(every, (k) => (k % 2 ? '-1e308' : '1e308')));
        const frame = await readTable(csv);
        let expected = '';
        try {
          fitFramePreprocessing(describeFrame(frame, 'price'), frame, Uint32Array.from({ length: frame.rows }, (_, i) => i));
        } catch (e) {
          expected = (e as Error).message.replace(csv, 'huge.csv');
        }
        expect(expected).toMatch(new RegExp(`^huge\\.csv, line \\d+, column ${column + 1} \\(${name}\\): -?1e\\+308 is too large to standardize`));
        // The same words; which line it names depends on the rows the page's split trains on.
        const same = (m: string): string => m.replace(/line \d+/, 'line N').replace(/-?1e\+308/, 'V');
        const said = await refused(readFileSync(csv, 'utf8'));
        expect(same(said)).toBe(`backprop: ${same(expected)}`);
        // One 1e308 in a test row alone: the scaling is finite, but the value would be Infinity in the network's 32-bit numbers.
        const split = splitRows(60, { testFraction: Number((1 - state.trainRatio).toFixed(2)), seed: dataSeed(state) });
        const row = split.test[0];
        expect(await refused(put([row], () => '1e308'))).toMatch(new RegExp(`^backprop: huge\\.csv, line ${row + 2}, column ${column + 1} \\(${name}\\): 1e\\+308 is too large for the network: `
          + 'standardized with the training rows\' scaling it is \\S+, past the ±3\\.4e38 of its 32-bit numbers\\. Rescale the column or remove the row$'));
        expect(said).not.toContain('NaN');
      }
      await close(page);
      rmSync(dir, { recursive: true, force: true });
    }, 90_000);

    it(`at ${size.join('×')}: a link's values the page cannot use are said, each with what was used instead`, async () => {
      const page = await open('?dataset=iris&axes=9,9&target=nope&learningRate=1e-320&batchSize=-5&colour=red', size);
      await page.waitForFunction(() => document.getElementById('message')!.textContent !== '');
      const message = await text(page, '#message');
      expect(message).toMatch(/^The link had values the page cannot use: /);
      for (const part of ['batchSize=-5 (expected a number from 1 to 30; used 1)', 'learningRate=1e-320 (expected a number above 0, from 1e-8 to 100; used 0.03)',
        'colour=red (not a setting of the page; ignored)', 'target=nope (expected a column of iris.csv: sepal_length, sepal_width, petal_length, petal_width, species; used the last, species)',
        'axes=9,9 (expected two different inputs from 0 to 3, or pca; used 0,1)']) expect(message).toContain(part);
      // The message is on the first screen, beside the controls.
      expect(inside((await page.locator('#message').boundingBox())!, size[1])).toBe(true);
      const q = new URL(page.url()).searchParams;
      expect([q.get('batchSize'), q.get('learningRate'), q.get('axes'), q.get('target'), q.get('colour')]).toEqual(['1', '0.03', null, null, null]);
      expect(await text(page, '#tableSummary')).toContain('target "species"');
      await close(page);
      // A table's settings on a generated set mean nothing: said, not silently dropped.
      const circle = await open('?dataset=circle&target=y&axes=pca', size);
      expect(await text(circle, '#message')).toBe('The link had values the page cannot use: target=y (only a table has a target column; ignored); axes=pca (only a table has a choice of map; ignored).');
      await close(circle);
    }, 90_000);
  }
});

describe('playground: layout and input', () => {
  for (const size of SIZES) {
    const [width, height] = size;
    it(`at ${width}×${height}: every control is 24 × 24 px or more, and no text or control overlaps another or leaves its column`, async () => {
      // The first screen; a table with its settings and scores; a deep network stepping through δʰ with its settings open.
      const page = await open('', size);
      expect(await smallControls(page)).toEqual([]);
      expect(await overlaps(page)).toEqual([]);
      await page.click('#datasets input[value="iris"]');
      await page.waitForSelector('#tableSettings:not([hidden])');
      await stepEpochs(page, 2);
      await page.waitForSelector('#accuracy:not([hidden])');
      expect(await smallControls(page)).toEqual([]);
      expect(await overlaps(page)).toEqual([]);
      await close(page);
      const deep = await open('?layers=8,8,8,8,8,8&activation=sigmoid', size);
      if (width < 800) await deep.click('#settings > summary');
      await deep.fill('#pointIndex', '3');
      await deep.press('#pointIndex', 'Enter');
      await deep.waitForSelector('#stepper:not([hidden])');
      for (let stage = 0; stage < 3; stage++) await deep.click('#nextStage');
      await deep.waitForSelector('#stepper[data-stage="3"]');
      await deep.evaluate(() => window.scrollTo(0, 0));
      expect(await smallControls(deep)).toEqual([]);
      expect(await overlaps(deep)).toEqual([]);
      // Every menu is as wide as its longest name needs (none shows "sigmoi").
      const clipped = await deep.locator('select').evaluateAll((selects) => selects.flatMap((s) => {
        if (!(s as HTMLElement).offsetParent) return [];
        const free = s.cloneNode(true) as HTMLSelectElement;
        free.style.cssText = 'position:absolute;width:auto;max-width:none;min-width:0';
        s.parentElement!.append(free);
        const need = free.getBoundingClientRect().width;
        free.remove();
        return need > s.getBoundingClientRect().width + 0.5 ? [`${s.id || s.getAttribute('aria-label')}: ${s.getBoundingClientRect().width} < ${need}`] : [];
      }));
      expect(clipped).toEqual([]);
      await close(deep);
    }, 120_000);

    it(`at ${width}×${height}: six layers of eight units: the δ numbers are drawn at reading size, none over another, the rest counted`, async () => {
      const page = await open('?layers=8,8,8,8,8,8', size);
      await page.fill('#pointIndex', '7');
      await page.press('#pointIndex', 'Enter');
      await page.waitForSelector('#stepper:not([hidden])');
      for (let stage = 0; stage < 3; stage++) await page.click('#nextStage');
      await page.waitForSelector('#stepper[data-stage="3"]');
      await page.waitForTimeout(100);
      const labels = await page.locator('#diagram .annotation').evaluateAll((ls) => ls.map((l) => {
        const r = l.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height, size: parseFloat(getComputedStyle(l).fontSize) * (r.height / (l as HTMLElement).offsetHeight), text: l.textContent! };
      }));
      const wanted = Number(await page.getAttribute('#diagram', 'data-labels-wanted'));
      // The 48 hidden δ: most drawn, each at the diagram's 10 px on the screen (shrunk to fit a phone they were 4.6 px), none touching another.
      expect(wanted).toBe(48);
      expect(labels.length).toBeGreaterThanOrEqual(40);
      for (const l of labels) expect(l.size, l.text).toBeGreaterThanOrEqual(10);
      const meet = (a: Rect, b: Rect): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
      labels.forEach((a, i) => labels.slice(i + 1).forEach((b) => expect(meet(a, b), `${a.text} / ${b.text}`).toBe(false)));
      if (labels.length < wanted) expect(await text(page, '#diagramNote')).toContain(`${wanted - labels.length} number`);
      // A phone scrolls the diagram sideways, not the page.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      // The picture once every δ has faded in (they appear from the output down), the diagram in view.
      await page.evaluate(() => Promise.all(document.getAnimations().filter((a) => (a as CSSAnimation).animationName === 'appear').map((a) => a.finished)));
      await page.locator('#diagram').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(OUT, `playground-deep-deltas-${width}x${height}.png`) });
      await close(page);
    }, 90_000);
  }

  it('on a 390×844 phone the first screen holds the data sets\' pictures, ▶ and the whole output map; the network follows', async () => {
    const page = await open('', [390, 844]);
    const box = async (selector: string): Promise<Rect> => (await page.locator(selector).boundingBox())!;
    const [start, data, play, map, diagram] = [await box('.start'), await box('#datasets'), await box('#play'), await box('#heatmap'), await box('#diagram')];
    for (const [name, b] of Object.entries({ start, data, play, map })) expect(inside(b, 844), name).toBe(true);
    expect(data.y).toBeLessThan(map.y);
    expect(diagram.y).toBeGreaterThan(map.y + map.height);
    // The data settings (upload, sliders) come after the network.
    expect((await box('#ownData')).y).toBeGreaterThan(diagram.y);
    await page.screenshot({ path: join(OUT, 'playground-first-screen-390x844.png') });
    // The default network fits the screen's width: no sideways scroll in the diagram, the output unit, its heading
    // and the layers' menus inside it (at 84-pixel columns it scrolled and cut the output off at the edge).
    expect(await page.locator('#diagram').evaluate((d) => d.scrollWidth - d.clientWidth)).toBeLessThanOrEqual(0);
    const last = await page.locator('#diagram canvas.unit').evaluateAll((cs) => Math.max(...cs.map((c) => c.getBoundingClientRect().right)));
    expect(last).toBeLessThanOrEqual(390);
    for (const selector of ['#diagram .col-label >> text=output', '#diagram select.layer-activation >> nth=0', '#diagram select.layer-activation >> nth=1']) {
      const b = await box(selector);
      expect(b.x, selector).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width, selector).toBeLessThanOrEqual(390);
    }
    await close(page);
  }, 60_000);

  it('at 1400×900 the first screen holds the start steps, the data sets\' pictures, ▶ and the whole output map', async () => {
    const page = await open('', [1400, 900]);
    for (const selector of ['.start', '#datasets', '#play', '#heatmap', '#diagram canvas.unit[data-column="3"]']) {
      expect(inside((await page.locator(selector).boundingBox())!, 900), selector).toBe(true);
    }
    await page.screenshot({ path: join(OUT, 'playground-first-screen-1400x900.png') });
    await close(page);
  }, 60_000);

  for (const size of SIZES) {
    it(`at ${size.join('×')}: the first ten seconds — pick a data set by its picture, press ▶, watch the boundary form`, async () => {
      const page = await open('', size);
      // Each data set's picture is drawn (iris's and digits' when the page is idle) and named for a screen reader.
      await page.waitForFunction(() => [...document.querySelectorAll<HTMLCanvasElement>('#datasets canvas')].every((c) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] < 600) ink++;
        return ink > 20;
      }), undefined, { timeout: 30_000 });
      for (const name of ['circle', 'xor', 'gauss', 'spiral', 'plane (regression)', 'multigauss (regression)', 'iris (3 classes, 4 features)', 'digits (10 classes, 64 pixels; 300 rows)']) {
        expect(await page.getByRole('radio', { name, exact: true }).count(), name).toBe(1);
      }
      // Step 1: the picture of gauss. Step 2: ▶ (it stops inviting a press). Step 3: the map takes both colours, each where its points are.
      await page.locator('#datasets label.thumb:has(input[value="gauss"])').click();
      await page.waitForFunction(() => location.search.includes('dataset=gauss'));
      expect(await page.isChecked('#datasets input[value="gauss"]')).toBe(true);
      expect(await page.getAttribute('#play', 'class')).toContain('invite');
      // ▶'s invitation ends: nothing on a page at rest animates for ever (an endless pulse kept a third of a core
      // repainting in every open tab).
      const endless = await page.evaluate(() => document.getAnimations().filter((a) => !Number.isFinite(Number(a.effect?.getComputedTiming().endTime))).length);
      expect(endless).toBe(0);
      await page.click('#play');
      expect(await page.getAttribute('#play', 'class')).not.toContain('invite');
      await page.waitForFunction(() => Number(document.getElementById('trainLoss')!.textContent) < 0.2, undefined, { timeout: 60_000 });
      await page.click('#play');
      const state = parseState(new URL(page.url()).search);
      const problem = makeProblem(state);
      const colours = await page.evaluate((points) => {
        const canvas = document.getElementById('heatmap') as HTMLCanvasElement;
        const g = canvas.getContext('2d')!;
        return points.map(([x, y]) => {
          // The map a little off the point, so the point's own dot is not what is read.
          const px = ((x + 6) / 12) * canvas.width + 5, py = ((6 - y) / 12) * canvas.height + 5;
          const [r, , b] = g.getImageData(Math.round(px), Math.round(py), 1, 1).data;
          return b > r ? 1 : 0;
        });
      }, problem.train.points.slice(0, 40));
      const agree = colours.filter((c, i) => c === problem.train.y[i][0]).length;
      expect(agree).toBeGreaterThanOrEqual(36);
      await close(page);
    }, 120_000);

    it(`at ${size.join('×')}: Space in a menu opens it rather than training; Space elsewhere still trains`, async () => {
      const page = await open('', size);
      for (const selector of ['#activation', '.layer-activation', '#datasets input[value="xor"]']) {
        if (!(await page.isVisible(selector))) await page.click('#settings > summary');
        await page.focus(selector);
        await page.keyboard.press(' ');
        await page.waitForTimeout(200);
        expect(await page.getAttribute('#play', 'aria-pressed'), selector).not.toBe('true');
        await page.keyboard.press('Escape');
      }
      expect(await epoch(page)).toBe(0);
      // Space on a data set's picture chose it (the radio's own key).
      await page.waitForFunction(() => location.search.includes('dataset=xor'));
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.keyboard.press(' ');
      expect(await page.getAttribute('#play', 'aria-pressed')).toBe('true');
      await close(page);
    }, 60_000);
  }

  it('a touch screen is told to tap, a mouse to hover; a tap on a unit shows it large', async () => {
    const phone = await open('', [390, 844], { hasTouch: true, isMobile: true });
    expect(await phone.isVisible('text=Tap a unit to see it large')).toBe(true);
    expect(await phone.isVisible('text=Hover a unit to see it large')).toBe(false);
    await phone.locator('#diagram canvas.unit[data-column="1"][data-unit="0"]').tap();
    await phone.waitForFunction(() => document.getElementById('heatmap')!.dataset.showing === 'layer 1, unit 1');
    // Where it is shown large, in words a finger understands (the map may be off the screen, above the network).
    expect(await phone.isVisible('text=Tap a unit to see it large in the output map')).toBe(true);
    expect(await phone.textContent('#heatmapCaption')).toBe('layer 1, unit 1 (the unit tapped)');
    await close(phone);
    const desk = await open('', [1400, 900]);
    expect(await desk.isVisible('text=Hover a unit to see it large')).toBe(true);
    expect(await desk.isVisible('text=Tap a unit to see it large')).toBe(false);
    await close(desk);
  }, 60_000);
});
