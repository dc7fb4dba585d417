// Fixes from an independent review of issues 31–35 as a new user and an attacker would try them: each case failed
// before its fix.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createNodeBlasKernels } from '../src/node/index.js';

describe('hostile settings', () => {
  it('a pinned thread count past the cores runs on the cores (--threads 1024 started 1,023 helper threads)', async () => {
    const k = (await createNodeBlasKernels({ threads: 1024 }))!;
    expect(k.threads).toBe(availableParallelism());
    expect(k.name).toContain(`${availableParallelism()} thread`);
  });
});
