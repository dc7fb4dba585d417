// A worker thread of `backprop tune`: cross-validates one trial's settings at a time, reading the data once.
import { parentPort } from 'node:worker_threads';
import type { DataFrame } from '../data/frame.js';
import { crossValidateFrame, type CvOptions } from './cv.js';
import { loadFrame } from './data.js';

export interface TuneJob {
  id: number;
  data: string;
  options: CvOptions & { threads: number };
}

export type TuneReply = { id: number; mean: number; std: number } | { id: number; error: string };

let frame: Promise<DataFrame> | null = null;

parentPort!.on('message', async (job: TuneJob) => {
  try {
    const o = job.options;
    frame ??= loadFrame(job.data, { samples: o.samples, noise: o.noise, seed: o.seed }, { delimiter: o.delimiter, decimalComma: o.decimalComma });
    const result = await crossValidateFrame(await frame, o);
    const key = result.mean.accuracy !== undefined ? 'accuracy' : 'r2';
    parentPort!.postMessage({ id: job.id, mean: result.mean[key]!, std: result.std[key]! } satisfies TuneReply);
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: (e as Error).message } satisfies TuneReply);
  }
});
