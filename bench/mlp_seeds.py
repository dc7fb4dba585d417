"""scikit-learn's MLP defaults on one table of the collection with other seeds: the same splits as defaults.json,
the same pipeline as make_baselines.py, the MLP's random_state varied (seed set 0 is the recorded baseline's, the
split's own seed). Prints each seed set's mean over the splits, then their spread.
Run with Debian's Python (python3-sklearn, python3-pandas):
  /usr/bin/python3 bench/mlp_seeds.py TABLE [SEED_SETS]
"""
import json
import os
import sys
import warnings

import numpy as np
import pandas as pd
from sklearn.preprocessing import LabelEncoder

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, 'test/fixtures/defaults'))
import make_baselines  # noqa: E402  (its pipeline, so the MLP is the baseline's)

warnings.filterwarnings('ignore')
name = sys.argv[1]
sets = int(sys.argv[2]) if len(sys.argv) > 2 else 10
d = json.load(open(os.path.join(ROOT, 'test/fixtures/defaults/defaults.json')))['datasets'][name]
frame = pd.read_csv(os.path.join(ROOT, d['file']), keep_default_na=False, na_values=[''])
features = frame.iloc[:, :-1]
text = [c for c in features.columns if features[c].dtype == object]
numeric = [c for c in features.columns if c not in text]
task = d['task']
y_raw = frame.iloc[:, -1].astype(str).to_numpy() if task == 'classification' else frame.iloc[:, -1].to_numpy(dtype=float)
y = LabelEncoder().fit_transform(y_raw) if task == 'classification' else y_raw
rows = np.arange(len(frame))
means = []
for k in range(sets):
    scores = []
    for split, test in enumerate(d['splits']):
        held = set(test)
        train = [i for i in rows if i not in held]
        model = make_baselines.pipeline('mlp', task, numeric, text, split if k == 0 else k + 100 * split)
        model.fit(features.iloc[train], y[train])
        scores.append(model.score(features.iloc[test], y[test]))
    means.append(float(np.mean(scores)))
    print(f'seed set {k}: {means[-1]:.4f}  ' + ' '.join(f'{s:.3f}' for s in scores), flush=True)
print(f'{name}: mean {np.mean(means):.4f}, from {min(means):.4f} to {max(means):.4f}; recorded {d["systems"]["mlp"]["mean"]:.4f}')
