"""pandas reading a CSV file, as a data scientist would: pandas.read_csv(path). Prints seconds and peak RSS.
Usage: pandas_read.py FILE"""
import json
import resource
import sys
import time

import pandas

start = time.perf_counter()
frame = pandas.read_csv(sys.argv[1])
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"rows": len(frame), "columns": len(frame.columns), "seconds": seconds, "peakRss": peak, "backend": "pandas " + pandas.__version__}))
