// The benchmark workloads, shared by every system: sizes, batch, and seeded synthetic data.
import { readFileSync } from 'node:fs';

/** One table for every system, the Python baselines included (workloads.json). */
export const WORKLOADS = JSON.parse(readFileSync(new URL('./workloads.json', import.meta.url), 'utf8'));

/** Weights in the network: the 6 × weights × samples / s rule counts 2 flops per weight forward and 4 backward. */
export function weightCount(sizes) {
  let n = 0;
  for (let i = 0; i + 1 < sizes.length; i++) n += sizes[i] * sizes[i + 1];
  return n;
}

/** A small seeded generator (mulberry32), so every system trains on the same numbers. */
export function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Inputs uniform in [0, 1); one-hot targets (or a smooth 0..1 target for one output). */
export function syntheticData(workload, samples = workload.samples, dtype = 'float32') {
  const random = generator(42);
  const inputs = workload.sizes[0], outputs = workload.sizes[workload.sizes.length - 1];
  const Float = dtype === 'float64' ? Float64Array : Float32Array;
  const x = new Float(samples * inputs);
  const y = new Float(samples * outputs);
  for (let i = 0; i < samples; i++) {
    let sum = 0;
    for (let j = 0; j < inputs; j++) {
      const v = random();
      x[i * inputs + j] = v;
      sum += v;
    }
    if (outputs === 1) y[i] = sum / inputs > 0.5 ? 1 : 0;
    else y[i * outputs + Math.floor(random() * outputs)] = 1;
  }
  return { x, y, samples, inputs, outputs };
}

/** Runs `epoch` once to warm up, then `timed` more times, and returns the median seconds. */
export async function medianEpoch(epoch, timed = 3) {
  await epoch();
  const times = [];
  for (let i = 0; i < timed; i++) {
    const start = performance.now();
    await epoch();
    times.push((performance.now() - start) / 1000);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], times };
}

/** The network of a workload: its layer sizes, hidden and output activations, the loss its output takes, seed 1. */
export function workloadSpec(w, dtype) {
  const last = w.sizes.length - 1;
  return {
    inputs: w.sizes[0],
    layers: w.sizes.slice(1).map((units, i) => ({ units, activation: i + 1 === last ? w.output : w.hidden })),
    loss: w.output === 'softmax' ? 'categorical-cross-entropy' : 'mse',
    seed: 1,
    dtype,
  };
}
