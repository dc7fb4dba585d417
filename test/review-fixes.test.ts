// Fixes from an independent review of issues 31–35 as a new user and an attacker would try them: each case failed
// before its fix.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createNodeBlasKernels } from '../src/node/index.js';
import { train } from '../src/index.js';

describe('hostile settings', () => {
  it('a pinned thread count past the cores runs on the cores (--threads 1024 started 1,023 helper threads)', async () => {
    const k = (await createNodeBlasKernels({ threads: 1024 }))!;
    expect(k.threads).toBe(availableParallelism());
    expect(k.name).toContain(`${availableParallelism()} thread`);
  });
});

describe('hostile records', () => {
  it('records with more different fields than a model holds are refused at the first field too many', async () => {
    const rows: Record<string, unknown>[] = Array.from({ length: 10 }, (_, i) => ({ a: i, y: i % 2 ? 'p' : 'q' }));
    const wide = rows[3];
    for (let j = 0; j < 100_001; j++) wide[`k${j}`] = j;
    // Before: every record got a value in each of the 100,003 columns, and the refusal came from the first layer's size.
    await expect(train(rows, { target: 'y', epochs: 1, bagging: 1 })).rejects.toThrow(/^data, row 4: the records have more than 100000 different fields, more columns than a model holds$/);
  });
});
