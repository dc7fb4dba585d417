"""The workload a Python baseline runs, from its command line: NAME [samples|-] [float32|float64], looked up in
workloads.json (the table every system of `npm run bench` shares)."""
import json
import os
import sys


def workload():
    """Answers (name, sizes, hidden, output, batch, samples, float64)."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "workloads.json")) as f:
        w = json.load(f)[sys.argv[1]]
    samples = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] != "-" else w["samples"]
    float64 = len(sys.argv) > 3 and sys.argv[3] == "float64"
    return sys.argv[1], w["sizes"], w["hidden"], w["output"], w["batch"], samples, float64
