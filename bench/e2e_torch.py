"""The whole job as a plain PyTorch script, as `npm run bench -- e2e` times it against `backprop train`: pandas reads the
CSV, one-hot encodes the text columns, holds out 20% (stratified, as backprop does) and standardizes with the training
rows' mean and deviation; then the same MLP as backprop's default (one hidden layer of 100 relu units, softmax
cross-entropy), Adam at η = 0.001 with backprop's L2 penalty (3/n · Σw² on the weights, as a gradient term 6/n · w),
shuffled batches of 32, for the given epochs. One OpenMP thread: on this machine's two cores PyTorch's fastest setting
(set with torch.set_num_threads; a thread count can be given as the third argument). Prints one JSON line: the
held-out accuracy. Usage: e2e_torch.py DATA.csv EPOCHS [THREADS]"""

import json
import sys

import numpy as np
import pandas as pd
import torch

path, epochs = sys.argv[1], int(sys.argv[2])
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
torch.set_num_threads(threads)
torch.manual_seed(1)

frame = pd.read_csv(path)
labels = frame.pop("label").astype("category")
y_all = torch.from_numpy(labels.cat.codes.to_numpy().astype(np.int64))
x_all = pd.get_dummies(frame, dtype=np.float32).to_numpy(dtype=np.float32)

# A stratified 80/20 split: a fifth of each class's rows, drawn at random, is held out.
rng = np.random.default_rng(1)
test = np.concatenate([rng.permutation(np.flatnonzero(labels.cat.codes.to_numpy() == c))[: round(0.2 * n)]
                       for c, n in enumerate(np.bincount(labels.cat.codes.to_numpy()))])
mask = np.ones(len(x_all), dtype=bool)
mask[test] = False
x_train, x_test = torch.from_numpy(x_all[mask]), torch.from_numpy(x_all[~mask])
y_train, y_test = y_all[torch.from_numpy(mask)], y_all[torch.from_numpy(~mask)]
mean, std = x_train.mean(0), x_train.std(0).clamp_min(1e-12)
x_train, x_test = (x_train - mean) / std, (x_test - mean) / std

model = torch.nn.Sequential(torch.nn.Linear(x_train.shape[1], 100), torch.nn.ReLU(), torch.nn.Linear(100, len(labels.cat.categories)))
decay = [p for name, p in model.named_parameters() if name.endswith("weight")]
rest = [p for name, p in model.named_parameters() if not name.endswith("weight")]
optimizer = torch.optim.Adam([{"params": decay, "weight_decay": 6 / len(x_train)}, {"params": rest}], lr=0.001)
loss_fn = torch.nn.CrossEntropyLoss()
batch = 32
for epoch in range(epochs):
    order = torch.randperm(len(x_train))
    for start in range(0, len(x_train), batch):
        idx = order[start:start + batch]
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(x_train[idx]), y_train[idx]).backward()
        optimizer.step()
with torch.no_grad():
    accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
print(json.dumps({"accuracy": accuracy, "threads": threads}))
