"""GridSearchCV-tuned HistGradientBoosting on one table's split 0 (defaults.json): the grid searched by 3-fold
cross-validation on the training rows, the best refitted and scored on the test rows. Prints one JSON line.
Run with Debian's Python:  /usr/bin/python3 bench/tune_grid_hgb.py TABLE [SPLITS_JSON]
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import LabelEncoder, OrdinalEncoder

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
GRID = {'model__learning_rate': [0.03, 0.1, 0.3], 'model__max_leaf_nodes': [15, 31, 63], 'model__min_samples_leaf': [5, 20], 'model__l2_regularization': [0.0, 1.0]}

name = sys.argv[1]
datasets = json.load(open(os.path.join(ROOT, 'test/fixtures/defaults/defaults.json')))['datasets']
if name not in datasets and len(sys.argv) > 2:
    datasets = json.load(open(sys.argv[2]))
d = datasets[name]
frame = pd.read_csv(os.path.join(ROOT, d['file']), keep_default_na=False, na_values=[''])
features = frame.iloc[:, :-1]
text = [c for c in features.columns if features[c].dtype == object]
numeric = [c for c in features.columns if c not in text]
classes = d['task'] == 'classification'
y = LabelEncoder().fit_transform(frame.iloc[:, -1].astype(str)) if classes else frame.iloc[:, -1].to_numpy(dtype=float)
test = np.array(d['splits'][0])
train = np.setdiff1d(np.arange(len(frame)), test)
prep = ColumnTransformer([('numeric', 'passthrough', numeric)] + ([('text', OrdinalEncoder(handle_unknown='use_encoded_value', unknown_value=np.nan, encoded_missing_value=np.nan), text)] if text else []))
mask = [False] * len(numeric) + [True] * len(text)
model = (HistGradientBoostingClassifier if classes else HistGradientBoostingRegressor)(random_state=0, categorical_features=mask if text else None)
from sklearn.pipeline import Pipeline
search = GridSearchCV(Pipeline([('prep', prep), ('model', model)]), GRID, cv=3)
start = time.perf_counter()
search.fit(features.iloc[train], y[train])
seconds = time.perf_counter() - start
print(json.dumps({'table': name, 'system': 'GridSearchCV HistGradientBoosting', 'grid': len(list(__import__('itertools').product(*GRID.values()))), 'cv': float(search.best_score_),
                  'test': float(search.score(features.iloc[test], y[test])), 'seconds': seconds, 'best': {k.replace('model__', ''): v for k, v in search.best_params_.items()}}))
