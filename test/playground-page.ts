// The built playground, served, and one Chromium for a test file. `usePlayground()` registers the file's
// beforeAll/afterAll; `open` gives a page at a viewport once its first training figure shows (a new page, or one an
// earlier test closed, loaded afresh); `close` ends it and fails the test on any script error the page threw
// meanwhile; `tasks` gives the tasks the pages' main threads ran meanwhile, from Chromium's trace.
import { afterAll, beforeAll, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { serveFolder } from '../src/cli/serve.js';
import { launch } from './browser.js';
import { ROOT } from './cli-helpers.js';

export const PLAYGROUND_BUILD = join(ROOT, 'dist/playground');

/** One task on a page's main thread: its length on the clock and the main thread's CPU time in it, in ms. */
export interface MainThreadTask {
  wall: number;
  cpu: number;
}

export interface Playground {
  /** The served page's address (set once the file's tests start). */
  url(): string;
  open(search: string, viewport: { width: number; height: number }, options?: BrowserContextOptions): Promise<Page>;
  close(page: Page): Promise<void>;
  /**
   * The tasks every page's main thread ran while `during` ran, with the CPU time each took. A task's CPU time is the
   * work the page gave its main thread; its length on the clock also counts the time other processes held the
   * cores, which on a shared machine can stretch a 1 ms task past half a second.
   */
  tasks(during: () => Promise<void>): Promise<MainThreadTask[]>;
}

export function usePlayground(): Playground {
  let browser: Browser;
  let server: Server;
  let url = '';
  const pageErrors = new WeakMap<Page, { errors: string[]; listener: (e: Error) => void }>();
  // Pages with the same viewport and options share a context: a new context costs about a second of CPU on two cores,
  // a quarter of opening the page. The page keeps nothing in storage.
  const contexts = new Map<string, Promise<BrowserContext>>();
  // A page a test closed waits, blank, for the next test with its context, which navigates it to its address: a new
  // page starts a renderer process, about 1.3 s of CPU of the 2.7 s that opening one costs. What a navigation keeps
  // is what a test could leave behind: a page whose test called one of `KEEPS` (or opened a CDP session on it) is
  // closed instead; the mouse goes back to the corner.
  const pools = new Map<BrowserContext, Page[]>();
  const kept = new WeakSet<Page>();
  const KEEPS = ['addInitScript', 'route', 'routeFromHAR', 'routeWebSocket', 'setViewportSize', 'emulateMedia', 'exposeFunction', 'exposeBinding', 'setExtraHTTPHeaders'] as const;
  const contextFor = (viewport: { width: number; height: number }, options: BrowserContextOptions): Promise<BrowserContext> => {
    const key = JSON.stringify([viewport, options]);
    if (!contexts.has(key)) {
      contexts.set(key, browser.newContext({ viewport, ...options }).then((c) => {
        pools.set(c, []);
        const session = c.newCDPSession.bind(c);
        c.newCDPSession = (page, ...rest) => {
          if (!('parentFrame' in page)) kept.add(page);
          return session(page, ...rest);
        };
        return c;
      }));
    }
    return contexts.get(key)!;
  };
  const pageIn = async (context: BrowserContext): Promise<Page> => {
    const waiting = pools.get(context)!.pop();
    if (waiting) return waiting;
    const page = await context.newPage();
    for (const name of KEEPS) {
      const method = (page[name] as (...args: unknown[]) => unknown).bind(page);
      (page as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        kept.add(page);
        return method(...args);
      };
    }
    return page;
  };
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
      const page = await pageIn(await contextFor(viewport, options));
      const errors: string[] = [];
      const listener = (e: Error): number => errors.push(e.message);
      pageErrors.set(page, { errors, listener });
      page.on('pageerror', listener);
      await page.goto(url + search);
      await page.waitForFunction(() => document.getElementById('trainLoss')?.textContent !== '–');
      return page;
    },
    async close(page) {
      if (kept.has(page) || page.isClosed()) await page.close();
      else {
        // Blank, so that it trains and draws nothing while it waits.
        await page.mouse.move(0, 0);
        await page.goto('about:blank');
        page.off('pageerror', pageErrors.get(page)!.listener);
        pools.get(page.context())!.push(page);
      }
      expect(pageErrors.get(page)!.errors).toEqual([]);
    },
    async tasks(during) {
      let trace: Buffer;
      await browser.startTracing(undefined, { categories: ['toplevel'] });
      try {
        await during();
      } finally {
        trace = await browser.stopTracing();
      }
      type Event = { ph: string; name: string; pid: number; tid: number; ts: number; tts?: number; dur?: number; tdur?: number; args?: { name?: string } };
      const events = (JSON.parse(trace.toString()) as { traceEvents: Event[] }).traceEvents;
      // Renderers' main threads (every page's, and spare renderers that run next to nothing).
      const main = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
      expect(main.size).toBeGreaterThan(0);
      const tasks: MainThreadTask[] = [];
      // A task is one complete event, or a begin and an end; one begun and not ended when the trace stopped (after
      // `during`) is left out. A task of a few microseconds may come without its CPU time: its length stands for it.
      const begun = new Map<string, Event[]>();
      for (const e of events.filter((e) => e.name === 'ThreadControllerImpl::RunTask' && main.has(`${e.pid}:${e.tid}`)).sort((x, y) => x.ts - y.ts)) {
        const thread = `${e.pid}:${e.tid}`;
        if (e.ph === 'X') tasks.push({ wall: e.dur! / 1000, cpu: (e.tdur ?? e.dur!) / 1000 });
        else if (e.ph === 'B') begun.set(thread, [...(begun.get(thread) ?? []), e]);
        else if (e.ph === 'E' && begun.get(thread)?.length) {
          const b = begun.get(thread)!.pop()!;
          tasks.push({ wall: (e.ts - b.ts) / 1000, cpu: (e.tts !== undefined && b.tts !== undefined ? e.tts - b.tts : e.ts - b.ts) / 1000 });
        }
      }
      expect(tasks.length).toBeGreaterThan(0);
      return tasks;
    },
  };
}
