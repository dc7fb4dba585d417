// brain.js on one workload: node bench/systems/brain.mjs W1 [samples]. It trains one example at a time.
import brain from 'brain.js';
import { WORKLOADS, syntheticData, medianEpoch } from '../workloads.mjs';

const [name, samplesArg] = process.argv.slice(2);
const w = WORKLOADS[name];
const data = syntheticData(w, samplesArg ? Number(samplesArg) : w.samples);
const rows = Array.from({ length: data.samples }, (_, i) => ({
  input: Array.from(data.x.subarray(i * data.inputs, (i + 1) * data.inputs)),
  output: Array.from(data.y.subarray(i * data.outputs, (i + 1) * data.outputs)),
}));
const net = new brain.NeuralNetwork({ hiddenLayers: w.sizes.slice(1, -1), activation: w.hidden, learningRate: 0.01 });
net.train(rows.slice(0, 1), { iterations: 1 }); // sizes the network
const { median, times } = await medianEpoch(() => net.trainPatterns(rows));
console.log(JSON.stringify({ samplesPerSecond: data.samples / median, epochSeconds: times, samples: data.samples, backend: 'brain.js' }));
