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
});
