"""The workload a Python baseline runs, from its command line: NAME [samples|-] [float32|float64], looked up in
workloads.json (the table every system of `npm run bench` shares)."""
import json
import os
import sys
import time


def workload():
    """Answers (name, sizes, hidden, output, batch, samples, float64)."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "workloads.json")) as f:
        w = json.load(f)[sys.argv[1]]
    samples = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] != "-" else w["samples"]
    float64 = len(sys.argv) > 3 and sys.argv[3] == "float64"
    return sys.argv[1], w["sizes"], w["hidden"], w["output"], w["batch"], samples, float64


def report(epoch, samples, backend):
    """Times `epoch` as every system is timed (one warm-up, then the median of 3) and prints the JSON line run.mjs reads."""
    epoch()
    times = []
    for _ in range(3):
        t = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - t)
    times.sort()
    print(json.dumps({"samplesPerSecond": samples / times[1], "epochSeconds": times, "samples": samples, "backend": backend}))
