"""numpy written in the seeds' style (forward with np.dot, error terms carried back through the weights,
weight steps eta * delta * x), as a baseline for `npm run bench`. Usage: numpy_baseline.py W1 [samples] [float32|float64]"""

import numpy as np

from workload import report, workload

_, sizes, hidden, output, batch, samples, float64 = workload()
F = np.float64 if float64 else np.float32
rng = np.random.default_rng(42)
X = rng.random((samples, sizes[0]), dtype=F)
if sizes[-1] == 1:
    Y = (X.mean(axis=1, keepdims=True) > 0.5).astype(F)
else:
    Y = np.eye(sizes[-1], dtype=F)[rng.integers(0, sizes[-1], samples)]
W = [rng.uniform(-1, 1, (sizes[i], sizes[i + 1])).astype(F) * np.sqrt(6 / (sizes[i] + sizes[i + 1])) for i in range(len(sizes) - 1)]
b = [np.zeros(s, dtype=F) for s in sizes[1:]]
learnrate = F(0.01)


def f(h, kind):
    if kind == "relu":
        return np.maximum(h, 0)
    if kind == "sigmoid":
        return 1 / (1 + np.exp(-h))
    e = np.exp(h - h.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def f_prime(h, a, kind):
    return (h > 0).astype(F) if kind == "relu" else a * (1 - a)


def epoch():
    order = rng.permutation(samples)
    for start in range(0, samples, batch):
        idx = order[start:start + batch]
        x, y = X[idx], Y[idx]
        hs, As = [], [x]
        for i, (w, bias) in enumerate(zip(W, b)):
            h = np.dot(As[-1], w) + bias
            hs.append(h)
            As.append(f(h, output if i == len(W) - 1 else hidden))
        error = y - As[-1]
        # Output error term: softmax with cross-entropy gives y - y_hat; sigmoid with squared error (y - y_hat) f'(h).
        delta = error if output == "softmax" else error * f_prime(hs[-1], As[-1], output)
        for i in reversed(range(len(W))):
            step_w = learnrate * np.dot(As[i].T, delta) / len(idx)
            step_b = learnrate * delta.mean(axis=0)
            if i > 0:
                delta = np.dot(delta, W[i].T) * f_prime(hs[i - 1], As[i], hidden)
            W[i] += step_w
            b[i] += step_b


report(epoch, samples, "numpy " + np.__version__ + " " + np.dtype(F).name)
