"""PyTorch on the bench workloads, the way a PyTorch user writes it: nn.Sequential of Linear layers, SGD at
learning rate 0.01, cross-entropy on the logits (or mse), shuffled mini-batches, on the CPU with the given number of
threads (default 1: on this machine's two cores, one OpenMP thread is PyTorch's fastest setting for W1).
Usage: torch_baseline.py W1 [samples|-] [float32|float64] [threads]"""

import sys

import torch

from workload import report, workload

_, sizes, hidden, output, batch, samples, float64 = workload()
dtype = torch.float64 if float64 else torch.float32
torch.set_num_threads(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
torch.manual_seed(42)

layers = []
for i in range(len(sizes) - 1):
    layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
    if i < len(sizes) - 2:
        layers.append(torch.nn.ReLU() if hidden == "relu" else torch.nn.Sigmoid())
if output == "sigmoid":
    layers.append(torch.nn.Sigmoid())
model = torch.nn.Sequential(*layers).to(dtype)
X = torch.rand(samples, sizes[0], dtype=dtype)
if output == "softmax":
    Y = torch.randint(0, sizes[-1], (samples,))
    loss_fn = torch.nn.CrossEntropyLoss()
else:
    Y = (X.mean(dim=1, keepdim=True) > 0.5).to(dtype)
    loss_fn = torch.nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)


def epoch():
    order = torch.randperm(samples)
    for start in range(0, samples, batch):
        idx = order[start:start + batch]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(X[idx]), Y[idx])
        loss.backward()
        optimizer.step()


report(epoch, samples, "torch " + torch.__version__ + " threads " + str(torch.get_num_threads()))
