// The playground's lessons and what it teaches beyond the step list, in Chromium at 1400×900 and 390×844: exercise
// mode hides every value not yet answered and tells what is off in a wrong one; no markup leaks into text or names;
// the worked example reached by its link shows the seed's numbers; the vanishing lesson's chains sit side by side;
// the step as matrices equals the library's trace and gradient; the error surface's path ends at the network; and
// η = 10 is explained from the run's own numbers.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createWasmKernelsSync, evaluate, Network, traceUpdate, type LayerWeights } from '../src/index.js';
import { makeProblem, networkSpec } from '../playground/src/problem.js';
import { accepts, diagnose, parseAnswer, questionKeys, questionValue, slipsOf } from '../playground/src/answers.js';
import { LESSON_LIST } from '../playground/src/lessons.js';
import { parseState } from '../playground/src/state.js';
import { ROOT } from './cli-helpers.js';
import { usePlayground } from './playground-page.js';

const OUT = join(ROOT, 'test-output');
const SIZES = [{ width: 1400, height: 900 }, { width: 390, height: 844 }] as const;
const playground = usePlayground();
beforeAll(() => mkdirSync(OUT, { recursive: true }));

const open = (search: string, viewport: { width: number; height: number }): Promise<Page> => playground.open(search, viewport);

const sizeName = ({ width, height }: { width: number; height: number }): string => `${width}x${height}`;

/** A panel's picture, for the closing note: taken from the whole page, so a phone's sticky controls do not cover its top. */
async function shot(page: Page, selector: string, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = (await page.locator(selector).boundingBox())!;
  await page.screenshot({ path: join(OUT, name), fullPage: true, clip: { x: Math.max(0, box.x - 4), y: box.y - 4, width: box.width + 8, height: box.height + 8 } });
}

/** Everything a learner can read or a screen reader says: the visible text, every name and title, the accessibility tree. */
async function readable(page: Page): Promise<string> {
  const attributes = await page.evaluate(() => [...document.querySelectorAll('*')].flatMap((e) => {
    const out: string[] = [];
    for (const name of ['aria-label', 'title', 'alt', 'placeholder', 'aria-valuetext', 'aria-description']) {
      const v = e.getAttribute(name);
      if (v) out.push(v);
    }
    if ((e instanceof HTMLInputElement && e.type !== 'file') || e instanceof HTMLSelectElement) out.push(e.value);
    return out;
  }));
  return [await page.evaluate(() => document.body.innerText), ...attributes, await page.locator('body').ariaSnapshot()].join('\n');
}

/** Every number written in a text, as written (a typographic minus read as a minus). */
const numbersIn = (text: string): string[] => text.replace(/[−–]/g, '-').match(/-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?/gi) ?? [];

/** Significant digits of a written number: "0.00450" has 3. */
const digitsOf = (t: string): number => t.replace(/^-/, '').split(/e/i)[0].replace('.', '').replace(/^0+/, '').length;

/**
 * Whether a written number spells a value: it is the value, or its size, rounded or cut off to as many significant
 * digits as it is written with. One digit is too few to tell a value from the page's other numbers (0.1, 0.03).
 */
function spells(written: string, v: number, least = 2): boolean {
  const k = digitsOf(written);
  if (k < least) return false;
  const n = Math.abs(Number(written));
  const scale = 10 ** (Math.floor(Math.log10(Math.abs(v))) - k + 1);
  const forms = [Number(Math.abs(v).toPrecision(k)), Number((Math.trunc(Math.abs(v) / scale) * scale).toPrecision(k))];
  return forms.includes(Number(n.toPrecision(k)));
}

const sigmoid = (h: number): number => 1 / (1 + Math.exp(-h));

/** Seed 001's exercise, from its own lines in float64: the values exercise mode asks for, by the page's keys. */
function exerciseAnswers(): Record<string, number> {
  const x = [0.5, 0.1, -0.2], target = 0.6, eta = 0.5;
  const wIH = [[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]], wHO = [0.1, -0.3];
  const hiddenOut = [0, 1].map((j) => sigmoid(x.reduce((s, xi, i) => s + xi * wIH[i][j], 0)));
  const output = sigmoid(hiddenOut.reduce((s, a, j) => s + a * wHO[j], 0));
  const error = target - output;
  const delOut = error * output * (1 - output);
  const delHidden = hiddenOut.map((a, j) => delOut * wHO[j] * a * (1 - a));
  const answers: Record<string, number> = { 'error:0': error, 'delta:1:0': delOut, 'delta:0:0': delHidden[0], 'delta:0:1': delHidden[1] };
  hiddenOut.forEach((a, j) => (answers[`dw:1:${j}:0`] = eta * delOut * a));
  x.forEach((xi, i) => delHidden.forEach((d, j) => (answers[`dw:0:${i}:${j}`] = eta * d * xi)));
  return answers;
}

/** The keys of values the page must not show yet that it shows all the same, at any rounding of two digits or more. */
async function leaks(page: Page, hidden: Record<string, number>, least = 2): Promise<string[]> {
  const written = [...new Set(numbersIn(await readable(page)))];
  return Object.entries(hidden).filter(([, v]) => written.some((w) => spells(w, v, least))).map(([k]) => k);
}

/** Stray markup in what the page says: a quote closing an attribute, an attribute, a tag. */
async function markup(page: Page): Promise<string[]> {
  return (await readable(page)).split('\n').filter((line) => /">|value=|<[a-z/!]/i.test(line));
}

/** The network the page has now, read from the diagram: every link's weight and every bias's value. */
async function pageWeights(page: Page, layers: number): Promise<LayerWeights[]> {
  const links = await page.locator('#links line.link').evaluateAll((ls) => ls.map((l) => [Number(l.getAttribute('data-layer')), Number(l.getAttribute('data-from')), Number(l.getAttribute('data-to')), Number((l as SVGElement).dataset.w)]));
  const biases = await page.locator('#diagram .bias').evaluateAll((bs) => bs.map((b) => [Number((b as HTMLElement).dataset.layer), Number((b as HTMLElement).dataset.unit), Number((b as HTMLElement).dataset.value)]));
  const weights: LayerWeights[] = Array.from({ length: layers }, () => ({ weights: [], bias: null }));
  for (const [l, i, j, w] of links) (weights[l].weights[i] ??= [])[j] = w;
  for (const [l, j, b] of biases) (weights[l].bias ??= [])[j] = b;
  return weights;
}

describe('exercise mode\'s judge', () => {
  /** The seed's exercise, traced by the library with the lesson's own weights. */
  const lesson = LESSON_LIST.find((l) => l.id === 'seed-exercise')!;
  const state = parseState('?lesson=seed-exercise');
  const net = new Network(networkSpec(state, 'classification'));
  net.setWeights(lesson.weights);
  const trace = traceUpdate(net, lesson.x, lesson.y, { learningRate: 0.5 });
  const answers = exerciseAnswers();
  const say = (key: string, typed: string): string | null => diagnose(typed, questionValue(trace, key), undefined, slipsOf(trace, key));

  it('asks the seed\'s twelve values, each the seed\'s own to 1e-15', () => {
    expect(questionKeys(trace)).toEqual(['error:0', 'delta:1:0', 'delta:0:0', 'delta:0:1', 'dw:1:0:0', 'dw:1:1:0', 'dw:0:0:0', 'dw:0:0:1', 'dw:0:1:0', 'dw:0:1:1', 'dw:0:2:0', 'dw:0:2:1']);
    for (const key of questionKeys(trace)) expect(Math.abs(questionValue(trace, key) - answers[key]), key).toBeLessThanOrEqual(1e-15);
  });

  it('reads a decimal comma, a typographic minus and a dash as a learner means them, and nothing else', () => {
    expect(parseAnswer('0,115')).toBe(0.115);
    expect(parseAnswer(' −0,002 ')).toBe(-0.002);
    expect(parseAnswer('–3e-4')).toBe(-3e-4);
    expect(parseAnswer('+.5')).toBe(0.5);
    for (const bad of ['', '-', '1,234.5', '0.1.2', '1 2', 'abc', '0x10', 'Infinity']) expect(parseAnswer(bad), bad).toBeNaN();
    expect(accepts('0,115', answers['error:0'])).toBe(true);
  });

  it('says what is off: the sign, the rounding, one digit, a factor left out; right is null', () => {
    expect(say('error:0', '0.115')).toBeNull();
    expect(say('error:0', '-0.115')).toContain('sign is wrong');
    expect(say('error:0', '0.11')).toContain('cut off, not rounded');
    expect(say('error:0', '0.13')).toContain('last digit is off');
    expect(say('error:0', '0.1')).toContain('one digit');
    expect(say('error:0', '0.6')).toContain('y alone');
    expect(say('error:0', 'x')).toContain('type a number');
    // δᵒ without f′(h) is the error itself; with ŷ for ŷ(1 − ŷ) the sigmoid's slope is named.
    expect(say('delta:1:0', String(answers['error:0']))).toContain('also takes the output\'s slope f′(h)');
    expect(say('delta:1:0', String(answers['error:0'] * trace.output[0]))).toContain('ŷ(1 − ŷ), not ŷ');
    // δʰ without f′(h), and without the weight.
    const [W, dOut] = [0.1, answers['delta:1:0']];
    expect(say('delta:0:0', String(W * dOut))).toContain('slope f′(h)');
    expect(say('delta:0:0', String(dOut * trace.layers[0].derivative![0]))).toContain('left out the weights');
    // Δw without η, without x, without δ; and without η with the sign wrong too.
    expect(say('dw:0:2:1', String(answers['dw:0:2:1'] / 0.5))).toBe('left out η: Δw = η·δ·x');
    expect(say('dw:0:2:1', String(-answers['dw:0:2:1'] / 0.5))).toBe('left out η: Δw = η·δ·x, and the sign is wrong');
    expect(say('dw:0:2:1', String(0.5 * answers['delta:0:1']))).toContain('left out x');
    expect(say('dw:0:2:1', String(0.5 * -0.2))).toContain('left out δ');
    expect(say('dw:0:2:1', '0.5')).toContain('not quite');
  });
});

describe.each(SIZES)('playground lessons at $width×$height', (size) => {
  it('exercise mode: a value not yet answered is nowhere on the page; wrong answers say what is off; no markup in text or names', async () => {
    const page = await open('?lesson=seed-exercise', size);
    await page.waitForSelector('#stepper:not([hidden])');
    await page.check('#quiz');
    // Every panel that prints the update's numbers is open: the matrices, the surface, the gradient bars, "what if".
    await page.click('#matrixView > summary');
    await page.click('#surfaceView > summary');
    await page.check('#whatIf');
    await page.dispatchEvent('#links line.hit[data-layer="0"][data-from="0"][data-to="1"]', 'click');
    await page.fill('#whatIfValue', '-0.5');
    const answers = exerciseAnswers();
    const unanswered: Record<string, number> = { ...answers };
    const ask = (key: string) => page.locator(`#stageValues input.answer[data-key="${key}"]`);
    const status = (key: string) => page.locator(`#stageValues li:has([data-key="${key}"])`).getAttribute('data-answer');
    const note = (key: string) => page.locator(`#stageValues li:has(input[data-key="${key}"]) .verdict`).innerText();
    const tryAnswer = async (key: string, typed: string): Promise<void> => {
      await ask(key).fill(typed);
      await ask(key).press('Enter');
    };
    expect(await leaks(page, unanswered)).toEqual([]);
    await page.click('#nextStage');
    // Step 1: the answer field is named in words, its value set as text: no markup after the box, none in a name.
    expect(await ask('error:0').getAttribute('aria-label')).toBe('The error, with y = 0.6 and ŷ = 0.485: y − ŷ');
    // A decimal keypad on a phone, with ± beside it for the keypads that have no minus sign.
    expect(await ask('error:0').getAttribute('inputmode')).toBe('decimal');
    expect(await page.getAttribute('#stageValues button[data-action="negate"][data-key="error:0"]', 'aria-label')).toBe('Change the sign — The error, with y = 0.6 and ŷ = 0.485: y − ŷ');
    expect(await markup(page)).toEqual([]);
    expect(await leaks(page, unanswered)).toEqual([]);
    // 0.11 for 0.115: the last digit cut off; the wrong answer stays in its box and nowhere else.
    await tryAnswer('error:0', '0.11');
    expect(await status('error:0')).toBe('wrong');
    expect(await note('error:0')).toContain('cut off, not rounded');
    expect(await ask('error:0').inputValue()).toBe('0.11');
    expect(await markup(page)).toEqual([]);
    await tryAnswer('error:0', '-0.115');
    expect(await note('error:0')).toContain('sign is wrong');
    // A decimal comma is a decimal point.
    await tryAnswer('error:0', '0,115');
    expect(await status('error:0')).toBe('right');
    delete unanswered['error:0'];
    // The check can fail: the answered value is now on the page, where the same scan finds it.
    expect(await leaks(page, { 'error:0': answers['error:0'] })).toEqual(['error:0']);
    expect(await leaks(page, unanswered)).toEqual([]);
    await page.click('#nextStage');
    // Step 2: δᵒ without f′(h) is y − ŷ, said so.
    await tryAnswer('delta:1:0', String(Number(answers['error:0'].toPrecision(3))));
    expect(await note('delta:1:0')).toContain('f′(h)');
    expect(await leaks(page, unanswered)).toEqual([]);
    await tryAnswer('delta:1:0', String(Number(answers['delta:1:0'].toPrecision(4))));
    delete unanswered['delta:1:0'];
    await page.click('#nextStage');
    // Step 3: δʰ with the minus typed by ± (a phone's decimal keypad may have none); one δʰ left open.
    expect(await leaks(page, unanswered)).toEqual([]);
    await ask('delta:0:1').fill(String(Math.abs(Number(answers['delta:0:1'].toPrecision(3)))));
    await page.click('#stageValues button[data-action="negate"][data-key="delta:0:1"]');
    expect(await ask('delta:0:1').inputValue()).toBe(`-${Math.abs(Number(answers['delta:0:1'].toPrecision(3)))}`);
    await ask('delta:0:1').press('Enter');
    expect(await status('delta:0:1')).toBe('right');
    delete unanswered['delta:0:1'];
    expect(await leaks(page, unanswered)).toEqual([]);
    await page.click('#nextStage');
    // Step 4: Δw without η says so; the open δʰ stays hidden in the steps that use it.
    const dw = 'dw:0:0:0';
    await tryAnswer(dw, String(Number((answers[dw] / 0.5).toPrecision(3))));
    expect(await note(dw)).toContain('left out η');
    expect(await leaks(page, unanswered)).toEqual([]);
    expect(await markup(page)).toEqual([]);
    await page.screenshot({ path: join(OUT, `playground-exercise-hidden-${sizeName(size)}.png`) });
    // Revealed, a value shows.
    await page.click('#stageValues button[data-action="reveal"][data-key="dw:1:0:0"]');
    expect(await leaks(page, { 'dw:1:0:0': answers['dw:1:0:0'] })).toEqual(['dw:1:0:0']);
    delete unanswered['dw:1:0:0'];
    expect(await leaks(page, unanswered)).toEqual([]);
    await playground.close(page);

    // The default network on a training point: 33 questions (biases too), none of them on the page at any stage.
    // Its many other numbers (weights, inputs, the loss scale) make two digits too few to tell a leak: three or more.
    const state = parseState('');
    const problem = makeProblem(state);
    const circle = await open('', size);
    await circle.fill('#pointIndex', '7');
    await circle.press('#pointIndex', 'Enter');
    await circle.waitForSelector('#stepper:not([hidden])');
    await circle.check('#quiz');
    await circle.click('#matrixView > summary');
    const net = new Network(networkSpec(state, problem.task), { kernels: createWasmKernelsSync({ shared: false }) });
    net.setWeights(await pageWeights(circle, 3));
    const trace = traceUpdate(net, problem.train.x[7], problem.train.y[7], { learningRate: state.learningRate });
    const values = Object.fromEntries(questionKeys(trace).map((k) => [k, questionValue(trace, k)]));
    expect(Object.keys(values)).toHaveLength(33);
    for (let stage = 0; stage <= 4; stage++) {
      expect(await leaks(circle, values, 3), `stage ${stage}`).toEqual([]);
      await circle.click('#nextStage');
    }
    // Revealing one puts it on the page, where the scan finds it.
    await circle.click('#prevStage');
    await circle.click('#stageValues button[data-action="reveal"][data-key="dw:0:1:2"]');
    expect(await leaks(circle, values, 3)).toEqual(['dw:0:1:2']);
    expect(await markup(circle)).toEqual([]);
    await playground.close(circle);
  }, 90_000);

  it('"1. The worked example", clicked on the default page, sets all its own values: the seed\'s numbers, its rounding shown, its point and input', async () => {
    const page = await open('', size);
    expect(await page.inputValue('#learningRateValue')).toBe('0.03');
    await page.getByRole('link', { name: '1. The worked example' }).click();
    await page.waitForSelector('#stepper:not([hidden])');
    expect(await page.textContent('#stageTitle')).toContain('η = 0.5');
    // The data-set list shows the lesson's own point, chosen; the map spans its inputs, the point drawn at (0.1, 0.3).
    expect(await page.isChecked('input[name="dataset"][value="lesson"]')).toBe(true);
    expect(await page.isChecked('input[name="dataset"][value="circle"]')).toBe(false);
    expect(await page.getAttribute('input[name="dataset"][value="lesson"]', 'aria-label')).toBe('the lesson\'s point: x = (0.1, 0.3), y = 1');
    expect(await page.locator('#axisX span').allInnerTexts()).toEqual(['-1.2', '-0.6', '0', '0.6', '1.2']);
    const fill = await page.evaluate(() => {
      const c = document.getElementById('heatmap') as HTMLCanvasElement;
      const px = ((0.1 + 1.2) / 2.4) * c.width, py = ((1.2 - 0.3) / 2.4) * c.height;
      return [...c.getContext('2d')!.getImageData(Math.round(px), Math.round(py), 1, 1).data].slice(0, 3);
    });
    expect(fill).toEqual([8, 119, 189]);
    for (let stage = 0; stage < 4; stage++) await page.click('#nextStage');
    await page.waitForSelector('#stepper[data-stage="4"]');
    const text = (key: string) => page.locator(`#stageValues .num[data-key="${key}"]`).innerText();
    expect([await text('dw:1:0:0'), await text('dw:0:0:0'), await text('dw:0:1:0')]).toEqual(['0.0302', '0.00015', '0.00045']);
    // 0.5 × 0.0030455 × 0.3 is 0.0004568 (δʰ to the digits that make the line add up): the line says so, and shows
    // the text's own step with δʰ rounded to 0.003 first.
    const line = await page.locator('#stageValues [data-kind="dw"][data-from="1"]').innerText();
    expect(line).toContain('0.5 × 0.0030455 × 0.3 = 0.0004568');
    expect(line).toContain('the text rounds δʰ = 0.0030455 to 0.003 first: 0.5 × 0.003 × 0.3 = 0.00045');
    await page.click('#nextStage');
    await page.waitForSelector('#stepper[data-stage="5"]');
    // Each new weight has digits enough to show its step.
    for (const row of await page.locator('#stageValues [data-kind="new-weight"]').all()) {
      const [old, step, now] = await Promise.all(['old', 'step', 'new'].map((r) => row.locator(`[data-role="${r}"]`).innerText().then((t) => Number(t.replace(/[()]/g, '')))));
      expect(now).not.toBe(old);
      expect(Math.abs(now - old - step)).toBeLessThan(0.05 * Math.abs(step));
    }
    // Changing η afterwards: the page says the lesson's numbers no longer apply, and takes it back on request.
    await page.click('#closeStepper');
    if (size.width < 800) await page.click('#settings > summary');
    await page.fill('#learningRateValue', '0.03');
    await page.press('#learningRateValue', 'Enter');
    await page.waitForSelector('#lessonStatus:not([hidden])');
    expect(await page.textContent('#lessonStatus')).toContain('no longer apply: η is 0.03, the text\'s is 0.5');
    // Opened on a point, the step-through says it where its numbers are read (once: not under the introduction too).
    await page.fill('#pointIndex', '0');
    await page.press('#pointIndex', 'Enter');
    await page.waitForSelector('#lessonNote:not([hidden])');
    expect(await page.textContent('#lessonNote')).toContain('no longer apply');
    expect(await page.isHidden('#lessonStatus')).toBe(true);
    await page.click('#lessonNote button');
    await page.waitForSelector('#stepper:not([hidden])');
    expect(await page.textContent('#stageTitle')).toContain('η = 0.5');
    expect(await page.isHidden('#lessonStatus')).toBe(true);
    expect(await page.isHidden('#lessonNote')).toBe(true);
    await playground.close(page);
    // The exercise's small step is visible too: 0.1 + 0.0000354, not 0.1.
    const exercise = await open('?lesson=seed-exercise', size);
    await exercise.waitForSelector('#stepper:not([hidden])');
    for (let stage = 0; stage < 5; stage++) await exercise.click('#nextStage');
    await exercise.waitForSelector('#stepper[data-stage="5"]');
    expect(await exercise.locator('#stageValues [data-kind="new-weight"][data-layer="0"][data-from="1"][data-to="0"]').innerText()).toContain('0.1 + 0.0000354 = 0.1000354');
    await playground.close(exercise);
  }, 60_000);

  it('the vanishing lesson: the relu chain beside the sigmoid one where δʰ is read, with the seed\'s figures', async () => {
    const page = await open('?lesson=vanishing', size);
    await page.waitForSelector('#stepper:not([hidden])');
    for (let stage = 0; stage < 3; stage++) await page.click('#nextStage');
    await page.waitForSelector('#chainCompare:not([hidden]) [data-activation="relu"]');
    // In view with the step list, without scrolling: both chains.
    for (const activation of ['sigmoid', 'relu']) {
      const box = (await page.locator(`#chainCompare [data-activation="${activation}"]`).boundingBox())!;
      expect(box.y, activation).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height, activation).toBeLessThanOrEqual(size.height);
    }
    const figures = await page.locator('#chainCompare .figures').innerText();
    for (const f of ['at most 25% of δ', 'at least 75% is lost in one layer', 'at least 93.75% in two']) expect(figures).toContain(f);
    const ratios = async (activation: string): Promise<number[]> => page.locator(`#chainCompare [data-activation="${activation}"] tr[data-ratio]`)
      .evaluateAll((rs) => rs.map((r) => Number((r as HTMLElement).dataset.ratio)));
    const sig = await ratios('sigmoid');
    expect(sig).toHaveLength(4);
    for (const r of sig) expect(r).toBeLessThanOrEqual(0.25);
    for (const r of await ratios('relu')) expect(r).toBeCloseTo(1, 12);
    // The figures of this chain, as the step list's own δ give them.
    const kept = Number((await page.locator('#chainCompare [data-kept="1"]').innerText()).replace('%', '')) / 100;
    expect(kept).toBeCloseTo(sig[0], 3);
    // Seen with exercise mode off, they count as revealed when it is turned on: they stay.
    await page.check('#quiz');
    expect(await page.locator('#chainCompare [data-activation="sigmoid"] tr[data-delta]').count()).toBe(5);
    // The lesson again, in exercise mode: the lesson's own (sigmoid) δ wait for answers here too.
    await page.click('#lessons a[data-lesson="vanishing"]');
    await page.waitForSelector('#stepper[data-stage="0"]');
    await page.check('#quiz');
    for (let stage = 0; stage < 3; stage++) await page.click('#nextStage');
    await page.waitForSelector('#chainCompare:not([hidden]) [data-activation="relu"]');
    expect(await page.locator('#chainCompare [data-activation="sigmoid"] tr[data-delta]').count()).toBe(0);
    expect(await page.locator('#chainCompare [data-activation="relu"] tr[data-delta]').count()).toBe(5);
    await playground.close(page);
  }, 60_000);

  it('the step as matrices: ΔW = η·x[:, None]·δ equals traceUpdate to 1e-12, the batch\'s η·Xᵀ·Δ/B the library\'s gradient, shapes printed, cells point at links', async () => {
    // Seed 001's numpy example: three inputs, two hidden units.
    const lesson = await open('?lesson=seed-exercise', size);
    await lesson.waitForSelector('#stepper:not([hidden])');
    await lesson.click('#matrixView > summary');
    await lesson.waitForSelector('#matrixBody figure[data-matrix="deltaW"]');
    const shapes = async (page: Page): Promise<Record<string, string>> => Object.fromEntries(await page.locator('#matrixBody figure.matrix').evaluateAll((fs) =>
      fs.map((f) => [(f as HTMLElement).dataset.matrix!, f.querySelector('.shape')!.textContent!])));
    expect(await shapes(lesson)).toMatchObject({ x: '(3, 1)', delta: '(1, 2)', deltaW: '(3, 2)', X: '(1, 3)', Delta: '(1, 2)', batchW: '(3, 2)' });
    expect(await lesson.locator('#matrixBody [data-broadcast]').innerText()).toContain('ValueError: operands could not be broadcast together with shapes (2,) (3,)');
    const cells = async (page: Page, matrix: string): Promise<number[][]> => page.locator(`#matrixBody figure[data-matrix="${matrix}"] td`).evaluateAll((tds) => {
      const out: number[][] = [];
      for (const td of tds as HTMLElement[]) (out[Number(td.dataset.i)] ??= [])[Number(td.dataset.j)] = Number(td.dataset.v);
      return out;
    });
    const answers = exerciseAnswers();
    const seedW = await cells(lesson, 'deltaW');
    for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) expect(Math.abs(seedW[i][j] - answers[`dw:0:${i}:${j}`])).toBeLessThanOrEqual(1e-12);
    // The code shown runs, and gives the same ΔW (its TypeScript is plain JavaScript once types are left out).
    const source = await lesson.locator('#matrixBody pre[data-code="typescript"]').innerText();
    const runnable = source.split('\n').filter((l) => !l.includes('net.') && !l.includes('toRows') && !l.includes('.map((row)')).join('\n');
    const x = [0.5, 0.1, -0.2], delta = [answers['delta:0:0'], answers['delta:0:1']];
    const run = new Function('x', 'delta', 'X', 'Delta', 'learnrate', `${runnable}\nreturn [deltaW, deltaWBatch];`) as (...a: unknown[]) => number[][][];
    const [fromCode, fromBatchCode] = run(x, delta, [x, x], [delta, delta], 0.5);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) {
      expect(Math.abs(fromCode[i][j] - answers[`dw:0:${i}:${j}`])).toBeLessThanOrEqual(1e-15);
      expect(Math.abs(fromBatchCode[i][j] - answers[`dw:0:${i}:${j}`])).toBeLessThanOrEqual(1e-15);
    }
    expect(await lesson.locator('#matrixBody pre[data-code="numpy"]').innerText()).toContain('delta_w = learnrate * x[:, None] * delta');
    await shot(lesson, '#matrixView', `playground-matrix-lesson-${sizeName(size)}.png`);
    await playground.close(lesson);

    // The default network on the circle: a training point's step and a batch of ten.
    const state = parseState('');
    const problem = makeProblem(state);
    const page = await open('', size);
    await page.fill('#pointIndex', '7');
    await page.press('#pointIndex', 'Enter');
    await page.waitForSelector('#stepper:not([hidden])');
    await page.click('#matrixView > summary');
    await page.waitForSelector('#matrixBody figure[data-matrix="batchW"]');
    expect(await shapes(page)).toMatchObject({ x: '(2, 1)', delta: '(1, 4)', deltaW: '(2, 4)', X: '(10, 2)', Delta: '(10, 4)', batchW: '(2, 4)' });
    expect(await page.locator('#matrixBody [data-broadcast]').innerText()).toContain('shapes (4,) (2,)');
    const weights = await pageWeights(page, 3);
    const net = new Network({ ...networkSpec(state, problem.task), dtype: 'float64' });
    net.setWeights(weights);
    const trace = traceUpdate(net, problem.train.x[7], problem.train.y[7], { learningRate: state.learningRate });
    const example = await cells(page, 'deltaW');
    for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) expect(Math.abs(example[i][j] - trace.layers[0].deltaW[i][j])).toBeLessThanOrEqual(1e-12);
    // The batch: the rows the page names, through the library's backward pass.
    const rows = (await page.locator('#matrixBody figure[data-matrix="X"] tbody th').allInnerTexts()).map((t) => Number(t.replace('point ', '')));
    expect(rows).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    net.computeGradients(rows.map((r) => problem.train.x[r]), rows.map((r) => problem.train.y[r]));
    const gradW = Array.from(net.layers[0].gradW.data);
    const batch = await cells(page, 'batchW');
    for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) expect(Math.abs(batch[i][j] - -state.learningRate * gradW[i * 4 + j])).toBeLessThanOrEqual(1e-12);
    // A cell points at its link on the diagram: hovered, and reached by the keyboard.
    await page.hover('#matrixBody figure[data-matrix="deltaW"] td[data-i="1"][data-j="2"]');
    expect(await page.locator('#links line.link.highlight').evaluateAll((ls) => ls.map((l) => [l.getAttribute('data-layer'), l.getAttribute('data-from'), l.getAttribute('data-to')]))).toEqual([['0', '1', '2']]);
    await page.focus('#matrixBody figure[data-matrix="deltaW"] td[data-i="0"][data-j="0"]');
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('#links line.link.highlight').getAttribute('data-to')).toBe('1');
    expect(await page.locator('#tip').innerText()).toContain('w from x₁ to layer 1, unit 2');
    // The second weight layer too.
    await page.selectOption('#matrixLayer', '1');
    expect(await shapes(page)).toMatchObject({ x: '(4, 1)', delta: '(1, 2)', deltaW: '(4, 2)', X: '(10, 4)' });
    const second = await cells(page, 'deltaW');
    for (let i = 0; i < 4; i++) for (let j = 0; j < 2; j++) expect(Math.abs(second[i][j] - trace.layers[1].deltaW[i][j])).toBeLessThanOrEqual(1e-12);
    await page.selectOption('#matrixLayer', '0');
    // Nothing runs past the screen's side: wide matrices and code scroll within their own boxes.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
    await shot(page, '#matrixView', `playground-matrix-${sizeName(size)}.png`);
    expect(await markup(page)).toEqual([]);
    await playground.close(page);
  }, 90_000);

  it('the error surface: the loss over two weights, and a live path that ends at the network\'s current weights', async () => {
    const state = parseState('');
    const problem = makeProblem(state);
    const page = await open('', size);
    await page.click('#surfaceView > summary');
    await page.waitForFunction(() => document.getElementById('surface')!.dataset.fresh === 'true');
    const points = async (): Promise<number> => Number(await page.getAttribute('#surface', 'data-points'));
    expect(await points()).toBe(1);
    await page.click('#play');
    // Live: the path grows while the network trains.
    await page.waitForFunction(() => Number(document.getElementById('surface')!.dataset.points) > 20, undefined, { timeout: 30_000 });
    await page.click('#play');
    await page.waitForFunction(() => document.getElementById('surface')!.dataset.fresh === 'true', undefined, { timeout: 30_000 });
    const check = async (a: [number, number, number], b: [number, number, number]): Promise<void> => {
      const weights = await pageWeights(page, 3);
      const end = (await page.getAttribute('#surface', 'data-end'))!.split(',').map(Number);
      expect(end).toEqual([weights[a[0]].weights[a[1]][a[2]], weights[b[0]].weights[b[1]][b[2]]]);
      // A corner of the map, recomputed with the library: every other weight as the network has it now.
      const [wa, wb, loss] = (await page.getAttribute('#surface', 'data-corner'))!.split(',').map(Number);
      weights[a[0]].weights[a[1]][a[2]] = wa;
      weights[b[0]].weights[b[1]][b[2]] = wb;
      const net = new Network(networkSpec(state, problem.task), { kernels: createWasmKernelsSync({ shared: false }) });
      net.setWeights(weights);
      expect(loss).toBeCloseTo(evaluate(net, problem.train.x, problem.train.y, { accuracy: false }).loss, 6);
    };
    await check([0, 0, 0], [0, 1, 0]);
    expect(await page.textContent('#surfaceSummary')).toContain(`E = ${await page.textContent('#trainLoss')}`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
    await shot(page, '#surfaceView', `playground-surface-${sizeName(size)}.png`);
    // Two other weights: the path is the same run, seen along them.
    await page.selectOption('#surfaceA', { label: 'w from layer 1 unit 2 to layer 2 unit 1' });
    await page.selectOption('#surfaceB', { label: 'w from layer 2 unit 2 to the output' });
    await page.waitForFunction(() => document.getElementById('surface')!.dataset.fresh === 'true');
    expect(Number(await page.getAttribute('#surface', 'data-points'))).toBeGreaterThan(20);
    await check([1, 1, 0], [2, 1, 0]);
    await playground.close(page);
  }, 90_000);

  it('η = 10: the page says the steps overshoot and the units saturate, from the run\'s numbers; at η = 0.03 it says nothing; at 0.00001 that steps are too short', async () => {
    for (const [rate, expected] of [['10', ['overshoot', 'saturated']], ['0.03', []], ['0.00001', ['slow']]] as const) {
      const page = await open(`?learningRate=${rate}`, size);
      await page.locator('body').focus();
      for (let i = 0; i < 32; i++) await page.keyboard.press('.');
      await page.waitForFunction(() => document.getElementById('epoch')!.textContent === '32');
      await page.waitForTimeout(200);
      const cases = (await page.getAttribute('#rateNote', 'data-cases')) ?? '';
      expect(cases.split(' ').filter(Boolean)).toEqual(expected);
      const text = await page.textContent('#rateNote');
      if (rate === '10') {
        expect(text).toContain('overshoot');
        expect(text).toContain('saturated');
        // The numbers it speaks of are the page's: bars at 0.0e+0 (or below a millionth) for the saturated layers.
        const norms = await page.locator('#gradients [data-norm]').allInnerTexts();
        expect(norms.slice(0, 2).every((n) => Number(n) < 1e-6)).toBe(true);
      }
      if (rate === '0.00001') expect(text).toContain('too short');
      expect(await page.isVisible('#rateNote')).toBe(expected.length > 0);
      await playground.close(page);
    }
  }, 60_000);
});

describe('exercise mode and values shown while it is off', () => {
  const status = (page: Page, key: string) => page.locator(`#stageValues li:has([data-key="${key}"])`).getAttribute('data-answer');
  const ask = (page: Page, key: string) => page.locator(`#stageValues input.answer[data-key="${key}"]`);
  const score = (page: Page) => page.locator('#quizScore').innerText();

  it('count as revealed, not as answers; the gradient bars and the loss after the update wait with the steps', async () => {
    const page = await open('?lesson=seed-exercise', SIZES[1]);
    await page.waitForSelector('#stepper:not([hidden])');
    await page.check('#quiz');
    const answers = exerciseAnswers();
    // One point's gradient is its steps over η: a bar's length is its logarithm, so no bar is drawn while they hide.
    const bars = () => page.locator('#gradients .fill').evaluateAll((fs) => fs.map((f) => f.getBoundingClientRect().width));
    expect(await bars()).toEqual([0, 0]);
    await page.click('#nextStage');
    await ask(page, 'error:0').fill(String(Number(answers['error:0'].toPrecision(3))));
    await ask(page, 'error:0').press('Enter');
    expect(await status(page, 'error:0')).toBe('right');
    await page.click('#nextStage');
    // Turned off at δᵒ's stage: δᵒ is printed; turned on again, it is revealed, not a question to answer from memory.
    await page.uncheck('#quiz');
    expect(await leaks(page, { 'delta:1:0': answers['delta:1:0'] })).toEqual(['delta:1:0']);
    await page.check('#quiz');
    expect(await status(page, 'delta:1:0')).toBe('revealed');
    expect(await ask(page, 'delta:1:0').count()).toBe(0);
    expect(await score(page)).toBe('Score: 1 of 12 right, 1 revealed so far.');
    const unanswered: Record<string, number> = { ...answers };
    delete unanswered['error:0'];
    delete unanswered['delta:1:0'];
    expect(await leaks(page, unanswered)).toEqual([]);
    // The last stage with the steps unanswered: the update waits, and so does the loss after it.
    for (let stage = 2; stage < 5; stage++) await page.click('#nextStage');
    await page.waitForSelector('#stepper[data-stage="5"]');
    expect(await page.locator('#stageValues [data-kind="loss"]').innerText()).toMatch(/^E before = [\d.]+, E after = \(once the update is applied\)$/);
    expect(await leaks(page, unanswered)).toEqual([]);
    expect(await bars()).toEqual([0, 0]);
    await playground.close(page);
  }, 60_000);

  it('stepped through with the mode off and then turned on: what was shown is revealed, the rest is asked', async () => {
    const page = await open('?lesson=seed-exercise', SIZES[1]);
    await page.waitForSelector('#stepper:not([hidden])');
    // The error, δᵒ and both δʰ printed, up to step 3; the weight steps not yet.
    for (let stage = 0; stage < 3; stage++) await page.click('#nextStage');
    await page.waitForSelector('#stepper[data-stage="3"]');
    await page.check('#quiz');
    expect(await score(page)).toBe('Score: 0 of 12 right, 4 revealed so far.');
    await page.click('#nextStage');
    expect(await ask(page, 'dw:0:2:1').count()).toBe(1);
    const steps = Object.fromEntries(Object.entries(exerciseAnswers()).filter(([k]) => k.startsWith('dw:')));
    expect(await leaks(page, steps)).toEqual([]);
    await playground.close(page);
  }, 60_000);
});
