# scikit-learn on the tables with missing values (bench/missing/*.csv, written by bench/missing/export.R): five seeded
# 80/20 splits each (stratified by class for a classification), and on each the test score of
#   - an imputing MLP pipeline: numbers SimpleImputer(median, add_indicator=True) + StandardScaler, text
#     SimpleImputer(constant) + OneHotEncoder(handle_unknown='ignore'), then MLPClassifier/MLPRegressor(max_iter=1000);
#   - HistGradientBoosting with its native handling of missing values (text ordinal-encoded as categorical features).
# Writes bench/missing-sklearn.json (the splits as test-row indices, and the scores), which bench/missing.mjs reads to
# train backprop on the same rows. Run with Debian's /usr/bin/python3 (python3-sklearn 1.2, python3-pandas):
#   /usr/bin/python3 bench/missing_sklearn.py
import json
import os
import sys
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
TABLES = {
    'titanic': ('survived', 'classification'),
    'penguins': ('species', 'classification'),
    'pima2': ('diabetes', 'classification'),
    'votes': ('Class', 'classification'),
    'breastcancer': ('Class', 'classification'),
    'soybean': ('Class', 'classification'),
    'airquality': ('Ozone', 'regression'),
    'ozone': ('ozone', 'regression'),
}
SEEDS = range(5)


def pipelines(x, task, seed):
    text = [c for c in x.columns if x[c].dtype == object]
    numbers = [c for c in x.columns if c not in text]
    mlp = make_pipeline(
        ColumnTransformer([
            ('numbers', make_pipeline(SimpleImputer(strategy='median', add_indicator=True), StandardScaler()), numbers),
            ('text', make_pipeline(SimpleImputer(strategy='constant', fill_value='(missing)'), OneHotEncoder(handle_unknown='ignore')), text),
        ]),
        (MLPClassifier if task == 'classification' else MLPRegressor)(max_iter=1000, random_state=seed),
    )
    hgb = make_pipeline(
        ColumnTransformer([
            ('text', OrdinalEncoder(handle_unknown='use_encoded_value', unknown_value=np.nan, encoded_missing_value=np.nan), text),
            ('numbers', 'passthrough', numbers),
        ]),
        (HistGradientBoostingClassifier if task == 'classification' else HistGradientBoostingRegressor)(
            categorical_features=list(range(len(text))) or None, random_state=seed),
    )
    return {'mlp': mlp, 'hgb': hgb}


def main():
    only = sys.argv[1:] or list(TABLES)
    out = {'sklearn': sklearn.__version__, 'datasets': {}}
    for name in only:
        target, task = TABLES[name]
        frame = pd.read_csv(os.path.join(HERE, 'missing', f'{name}.csv'))
        x, y = frame.drop(columns=[target]), frame[target]
        entry = {'file': f'bench/missing/{name}.csv', 'target': target, 'task': task, 'rows': len(frame),
                 'missing': int(x.isna().sum().sum()), 'splits': [], 'mlp': [], 'hgb': []}
        for seed in SEEDS:
            train, test = train_test_split(np.arange(len(frame)), test_size=0.2, random_state=seed,
                                           stratify=y if task == 'classification' else None)
            entry['splits'].append(sorted(int(i) for i in test))
            for key, model in pipelines(x, task, seed).items():
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore')
                    model.fit(x.iloc[train], y.iloc[train])
                guess = model.predict(x.iloc[test])
                score = accuracy_score(y.iloc[test], guess) if task == 'classification' else r2_score(y.iloc[test], guess)
                entry[key].append(float(score))
        for key in ('mlp', 'hgb'):
            entry[f'{key}_mean'] = float(np.mean(entry[key]))
        out['datasets'][name] = entry
        print(f"{name:13s} {entry['rows']:5d} rows  MLP pipeline {entry['mlp_mean']:.3f}  HistGradientBoosting {entry['hgb_mean']:.3f}")
    with open(os.path.join(HERE, 'missing-sklearn.json'), 'w') as f:
        json.dump(out, f)
        f.write('\n')


if __name__ == '__main__':
    main()
