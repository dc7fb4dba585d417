// The built playground, served, and one Chromium for a test file. `usePlayground()` registers the file's
// beforeAll/afterAll; `open` gives the page at a viewport, in a context of its own, once its first training figure
// shows; `close` ends the context and fails the test on any script error the page threw meanwhile.
import { afterAll, beforeAll, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { serveFolder } from '../src/cli/serve.js';
import { launch } from './browser.js';
import { ROOT } from './cli-helpers.js';

export const PLAYGROUND_BUILD = join(ROOT, 'dist/playground');

export interface Playground {
  /** The served page's address (set once the file's tests start). */
  url(): string;
  open(search: string, viewport: { width: number; height: number }, options?: BrowserContextOptions): Promise<Page>;
  close(page: Page): Promise<void>;
}

export function usePlayground(): Playground {
  let browser: Browser;
  let server: Server;
  let url = '';
  const pageErrors = new WeakMap<Page, string[]>();
  beforeAll(async () => {
    if (!existsSync(join(PLAYGROUND_BUILD, 'index.html'))) throw new Error(`${PLAYGROUND_BUILD} is missing: npm run build makes it (npm test does so first)`);
    ({ server, url } = await serveFolder(PLAYGROUND_BUILD));
    browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });
  return {
    url: () => url,
    async open(search, viewport, options = {}) {
      const page = await (await browser.newContext({ viewport, ...options })).newPage();
      const errors: string[] = [];
      pageErrors.set(page, errors);
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url + search);
      await page.waitForFunction(() => document.getElementById('trainLoss')?.textContent !== '–');
      return page;
    },
    async close(page) {
      await page.context().close();
      expect(pageErrors.get(page)).toEqual([]);
    },
  };
}
