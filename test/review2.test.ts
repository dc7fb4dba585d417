// A second review of the day's merges, as a user and as an attacker: predict --json where the target's own name is
// one of the row's fields, and what a bagged run of wide networks refuses before it trains.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Writable } from 'node:stream';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { train } from '../src/index.js';
import { saveModel } from '../src/node/index.js';
import { predictCommand } from '../src/cli/evaluate.js';
import { UsageError } from '../src/cli/errors.js';
import { tempDir, writeFile } from './cli-helpers.js';

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** predict as the command runs it, in process: its standard output as text. */
async function predict(model: string, data: string, json: boolean): Promise<string> {
  let text = '';
  const out = new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await predictCommand(model, data, { json, digits: 6 }, out as unknown as NodeJS.WriteStream);
  } finally {
    err.mockRestore();
  }
  return text;
}

const rows = (target: string, regression: boolean): Record<string, unknown>[] => Array.from({ length: 40 }, (_, i) => ({
  x: (i * 7) % 10, city: ['oslo', 'rome'][i % 2], [target]: regression ? ((i * 7) % 10) * 1.5 + (i % 2) : i % 3 ? 'yes' : 'no',
}));
// A city the model never saw on the second row: that row gets an "unseen" object.
const fresh = (): string => writeFile(dir, 'fresh.csv', 'x,city\n3,oslo\n8,lima\n');

describe('predict --json where the target is named as one of the row\'s fields', () => {
  it('refuses a target named "unseen" (both tasks) or "probabilities" (classes), whose answer the field would replace', async () => {
    for (const [target, regression] of [['unseen', false], ['unseen', true], ['probabilities', false]] as const) {
      const path = join(dir, `${target}-${regression}.json`);
      saveModel(path, await train(rows(target, regression), { target, epochs: 2, bagging: 1, bins: 0 }));
      const refused = predict(path, fresh(), true);
      await expect(refused).rejects.toThrow(UsageError);
      await expect(refused).rejects.toThrow(`--json: the model's target is named "${target}"`);
      // CSV has a column per answer: it stays open to such a model.
      expect((await predict(path, fresh(), false)).split('\n')[0]).toMatch(new RegExp(`^${target},?`));
    }
  }, 60_000);

  it('keeps a regression target named "probabilities" (no such field there) and a target named "__proto__"', async () => {
    for (const [target, regression] of [['probabilities', true], ['__proto__', true], ['__proto__', false]] as const) {
      const path = join(dir, `ok-${regression}.json`);
      const model = await train(rows(target, regression), { target, epochs: 2, bagging: 1, bins: 0 });
      saveModel(path, model);
      const out = JSON.parse(await predict(path, fresh(), true)) as Record<string, unknown>[];
      const expected = model.predict([{ x: 3, city: 'oslo' }, { x: 8, city: 'lima' }]);
      // The answer under the target's name on every row, whatever the name.
      expect(out.map((o) => Object.getOwnPropertyDescriptor(o, target)?.value), target)
        .toEqual(expected.map((p) => (regression ? Number(p.values![target].toPrecision(6)) : p.label)));
      expect(out[1].unseen).toEqual({ city: 'lima' });
    }
  }, 60_000);
});

describe('a bagged run whose average would pass a network\'s bounds', () => {
  it('is refused before any network trains, naming bagging and layers (it trained five, then failed to average)', async () => {
    const data = Array.from({ length: 40 }, (_, i) => ({ x: i % 7, y: i % 2 ? 'a' : 'b' }));
    let epochs = 0;
    // Five 2048-2048 networks average into 10240-10240 hidden units: 10240×10240 weights in the second layer.
    const run = train(data, { target: 'y', layers: [2048, 2048], epochs: 1, bins: 0, onEpoch: () => void epochs++ });
    await expect(run).rejects.toThrow('bagging: 5 networks of 1-2048-2048-1 are averaged into one with 10240-10240 hidden units, and 10240×10240 weights exceed the limit of 16777216; use fewer units (layers), fewer networks (bagging), or bagging 1');
    expect(epochs).toBe(0);
    // One network of that size is no average: it trains.
    await expect(train(data, { target: 'y', layers: [2048, 2048], epochs: 1, bins: 0, bagging: 1 })).resolves.toBeDefined();
  }, 60_000);
});
