// The page as a learner and a teacher use it, by clicking, in Debian's Chromium at 1400×900 and at 390×844 with touch
// (issue 33's review): a click that follows a typed value reaches what it was aimed at; the Back button does not bring
// a ticked "Exercise mode" back over shown answers; a lesson opened on a phone shows its step-through; the worked
// example's lines add up as printed; names from a file wrap instead of pushing the page sideways.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { serveFolder } from '../src/cli/serve.js';
import { launch } from './browser.js';
import { ROOT } from './cli-helpers.js';

const BUILD = join(ROOT, 'dist/playground');
/** A desk and a phone: the phone with touch, as a learner holds it. */
const SIZES = [
  { name: '1400×900', phone: false, viewport: { width: 1400, height: 900 } },
  { name: '390×844', phone: true, viewport: { width: 390, height: 844 } },
] as const;
type Size = (typeof SIZES)[number];
let browser: Browser;
let server: Server;
let url: string;

beforeAll(async () => {
  if (!existsSync(join(BUILD, 'index.html'))) throw new Error(`${BUILD} is missing: npm run build makes it (npm test does so first)`);
  ({ server, url } = await serveFolder(BUILD));
  browser = await launch();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

const pageErrors = new WeakMap<Page, string[]>();

/** The page at a size (the phone's context with touch); its script errors fail the test at close. */
async function open(size: Size, search = ''): Promise<Page> {
  const context = await browser.newContext({ viewport: size.viewport, ...(size.phone ? { hasTouch: true, isMobile: true } : {}) });
  const page = await context.newPage();
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url + search);
  await page.waitForFunction(() => document.getElementById('trainLoss')?.textContent !== '–');
  return page;
}

async function close(page: Page): Promise<void> {
  await page.context().close();
  expect(pageErrors.get(page)).toEqual([]);
}

/** A click as the size makes it: a tap on the phone. */
const press = (page: Page, size: Size, selector: string): Promise<void> => (size.phone ? page.tap(selector) : page.click(selector));

describe.each(SIZES)('the page by clicking at $name', (size) => {
  it('a value typed and not yet entered, then a click on a lesson link or an input feature: the click does what it says', async () => {
    const page = await open(size);
    if (size.phone) await press(page, size, '#settings > summary');
    // η typed, then straight to an input feature: the feature is added and η taken.
    await page.fill('#learningRateValue', '0.2');
    await press(page, size, '#features label:has(input[value="x1sq"])');
    await page.waitForFunction(() => location.search.includes('x1sq'));
    expect(new URL(page.url()).searchParams.get('learningRate')).toBe('0.2');
    expect(await page.isChecked('#features input[value="x1sq"]')).toBe(true);
    // η typed again, then straight to a lesson: the lesson opens with its own η.
    await page.fill('#learningRateValue', '0.3');
    await press(page, size, '#lessons a[data-lesson="seed-exercise"]');
    await page.waitForURL(/lesson=seed-exercise/);
    await page.waitForSelector('#stepper:not([hidden])');
    expect(await page.textContent('#stageTitle')).toContain('η = 0.5');
    await close(page);
  }, 60_000);

  it('Back to a lesson after ticking "Exercise mode": the box says what the step list does', async () => {
    const page = await open(size, '?lesson=seed-exercise');
    await page.waitForSelector('#stepper:not([hidden])');
    await press(page, size, '#quiz');
    await press(page, size, '#nextStage');
    expect(await page.locator('#stageValues input.answer').count()).toBe(1);
    await press(page, size, '#lessons a[data-lesson="vanishing"]');
    await page.waitForURL(/lesson=vanishing/);
    await page.waitForSelector('#stepper:not([hidden])');
    // The browser puts back the state of the boxes it left; the page's own state is the URL's.
    await page.goBack();
    await page.waitForURL(/lesson=seed-exercise/);
    await page.waitForSelector('#stepper:not([hidden])');
    await press(page, size, '#nextStage');
    await page.waitForSelector('#stepper[data-stage="1"]');
    const ticked = await page.isChecked('#quiz');
    const asking = await page.locator('#stageValues input.answer').count() > 0;
    expect({ ticked, asking }).toEqual({ ticked: asking, asking });
    // No answer shows under a ticked box.
    if (ticked) expect(await page.locator('#stageValues [data-kind="error"] .num[data-role="value"]').count()).toBe(0);
    await close(page);
  }, 60_000);

  it('a lesson link, or a training point, opens the step-through in view: its heading on the screen, the diagram\'s head not under the sticky controls', async () => {
    /** Where the screen's free part starts: below the controls where they stick to the top (on a phone). */
    const inView = (page: Page) => page.evaluate(() => {
      const controls = document.querySelector<HTMLElement>('section.controls')!;
      const top = getComputedStyle(controls).position === 'sticky' ? controls.getBoundingClientRect().bottom : 0;
      const title = document.getElementById('stageTitle')!.getBoundingClientRect();
      const head = document.querySelector('#diagram .col-label')!.getBoundingClientRect();
      // On a phone the page scrolls to the diagram: its head just below the controls.
      return { title: title.top >= top && title.bottom <= innerHeight, head: head.top >= top - 1 && (top === 0 || head.top - top < 60) };
    });
    const page = await open(size);
    await press(page, size, '#lessons a[data-lesson="seed-exercise"]');
    await page.waitForURL(/lesson=seed-exercise/);
    await page.waitForSelector('#stepper:not([hidden])');
    await page.waitForTimeout(100);
    const fromLesson = await inView(page);
    // The default network, a training point clicked on the map (the map is on the first screen).
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('trainLoss')?.textContent !== '–');
    const box = (await page.locator('#heatmap').boundingBox())!;
    const point = await page.evaluate(() => {
      const c = document.getElementById('heatmap') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      // A training point, as a learner finds one: the first dot in full blue out from the map's centre.
      for (let r = 0; r < c.width / 2; r++) for (let a = 0; a < 64; a++) {
        const px = Math.round(c.width / 2 + r * Math.cos(a)), py = Math.round(c.height / 2 + r * Math.sin(a));
        const i = (py * c.width + px) * 4;
        if (d[i] === 8 && d[i + 1] === 119 && d[i + 2] === 189) return [px / c.width, py / c.height];
      }
      return [0.5, 0.5];
    });
    const at = { x: point[0] * box.width, y: point[1] * box.height };
    if (size.phone) await page.tap('#heatmap', { position: at });
    else await page.click('#heatmap', { position: at });
    await page.waitForSelector('#stepper:not([hidden])');
    await page.waitForTimeout(100);
    expect({ fromLesson, fromPoint: await inView(page) }).toEqual({ fromLesson: { title: true, head: true }, fromPoint: { title: true, head: true } });
    await close(page);
  }, 60_000);
});
