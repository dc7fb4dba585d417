// `npm start`: trains a small network on a built-in problem and prints the loss falling.
// A stand-in for the `backprop train` command; it uses only the public library API.
import { generate, Network, Random, toRows } from '../index.js';

const data = generate('circle', { samples: 400, noise: 0.05, seed: 1 });
const order = new Random(2).shuffle(data.x.map((_, i) => i));
const trainIdx = order.slice(0, 320), testIdx = order.slice(320);
const pick = (rows: number[][], idx: number[]): number[][] => idx.map((i) => rows[i]);
// Scale the inputs from about [−6, 6] to about [−1, 1], where tanh is not yet saturated.
const scale = (rows: number[][]): number[][] => rows.map((r) => r.map((v) => v / 5));
const trainX = scale(pick(data.x, trainIdx)), trainY = pick(data.y, trainIdx);
const testX = scale(pick(data.x, testIdx)), testY = pick(data.y, testIdx);

const net = new Network({
  inputs: 2,
  layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }],
  loss: 'binary-cross-entropy',
  seed: 1,
});

const accuracy = (x: number[][], y: number[][]): number => {
  const p = toRows(net.predict(x));
  return p.filter(([v], i) => (v > 0.5 ? 1 : 0) === y[i][0]).length / y.length;
};

console.log(`circle: ${trainX.length} training points, ${testX.length} test points; network 2-8-1 (tanh, sigmoid), binary cross-entropy`);
const batch = 16, learningRate = 0.5, epochs = 200;
const shuffle = new Random(3);
for (let epoch = 1; epoch <= epochs; epoch++) {
  const idx = shuffle.shuffle(trainX.map((_, i) => i));
  for (let start = 0; start < idx.length; start += batch) {
    const b = idx.slice(start, start + batch);
    net.trainBatch(pick(trainX, b), pick(trainY, b), learningRate);
  }
  if (epoch === 1 || epoch % 20 === 0) {
    const loss = net.evaluateLoss(trainX, trainY);
    console.log(`epoch ${String(epoch).padStart(3)}  loss ${loss.toFixed(4)}  accuracy ${(100 * accuracy(trainX, trainY)).toFixed(1)}%`);
  }
}
console.log(`test accuracy ${(100 * accuracy(testX, testY)).toFixed(1)}% on ${testX.length} held-out points`);
