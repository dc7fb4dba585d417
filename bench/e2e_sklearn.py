"""The whole job with pandas and scikit-learn, as `npm run bench -- e2e` times it against `backprop train`: read the CSV,
hold out 20% (stratified, as backprop does), standardize the numeric columns and one-hot the text ones in a
ColumnTransformer pipeline, and train MLPClassifier with backprop's defaults: one hidden layer of 100 relu units, Adam
at η = 0.001, batches of 32, the same L2 penalty (backprop's 3/n · Σw², which is alpha / (2 · 32) · Σw² per batch
here), for the given epochs. Prints one JSON line: the held-out accuracy.
Usage: e2e_sklearn.py DATA.csv EPOCHS"""

import json
import sys
import warnings

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

path, epochs = sys.argv[1], int(sys.argv[2])
frame = pd.read_csv(path)
y = frame.pop("label")
text = [c for c in frame.columns if frame[c].dtype == object]
numeric = [c for c in frame.columns if c not in text]
x_train, x_test, y_train, y_test = train_test_split(frame, y, test_size=0.2, stratify=y, random_state=1)
batch = 32
model = Pipeline([
    ("columns", ColumnTransformer([("numeric", StandardScaler(), numeric), ("text", OneHotEncoder(handle_unknown="ignore"), text)])),
    ("mlp", MLPClassifier(hidden_layer_sizes=(100,), activation="relu", solver="adam", learning_rate_init=0.001, batch_size=batch,
                          alpha=6 * batch / len(x_train), max_iter=epochs, tol=0, n_iter_no_change=epochs + 1, random_state=1)),
])
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter epochs is the point, not a failure to converge
    model.fit(x_train, y_train)
print(json.dumps({"accuracy": float(model.score(x_test, y_test)), "epochs": int(model.named_steps["mlp"].n_iter_)}))
