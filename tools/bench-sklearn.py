#!/usr/bin/env python3
"""scikit-learn running the histogram models pronet runs (docs/histogram-models.md), on the
same features: the file tests/core/arch/histogram/bench_histogram -o FILE writes (u32 rows,
u32 columns, f32 features[rows][columns], u32 labels[rows], little-endian). Prints, for
GaussianNB, LogisticRegression and RandomForestClassifier with the settings pronet uses, the
fitting rate (windows/s, 2 jobs where scikit-learn has them) and the prediction rate, one
window per call as a flow verdict arrives (windows/s) and in one batch (windows/s). Features
are given: pronet's flows/s include computing them, these rates do not.

With --pronet FILE (bench_histogram's output of the same run), the ratios pronet / scikit-learn
follow: pronet's window verdicts (one flow of one window per call, features included) against
scikit-learn's one window per call and its batch, and the fits.

Usage: tools/bench-sklearn.py FEATURES [SECONDS] [--pronet FILE]"""
import re
import sys
import time
import warnings

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB


def load(path):
    with open(path, "rb") as f:
        rows, columns = np.frombuffer(f.read(8), dtype="<u4")
        x = np.frombuffer(f.read(4 * rows * columns), dtype="<f4").reshape(rows, columns)
        y = np.frombuffer(f.read(4 * rows), dtype="<u4")
    return x, y


def rate(function, count, seconds):
    """Calls per second of function() (which handles `count` windows), over >= seconds."""
    done, start = 0, time.perf_counter()
    while True:
        function()
        done += count
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


# pronet's family beside each scikit-learn model.
PRONET_NAMES = {"sklearn GaussianNB": "histogram-nb",
                "sklearn LogisticRegression": "histogram-lr",
                "sklearn RandomForestClassifier": "histogram-rf"}


def pronet_rates(path):
    """{(family, 'predict'|'fit'): windows/s} from bench_histogram's lines."""
    rates = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"(histogram-\w+)\s+(\d+) windows/s\s+(predict|fit)", line)
            if m:
                rates[(m.group(1), m.group(3))] = float(m.group(2))
    return rates


def main():
    args = sys.argv[1:]
    pronet = None
    if "--pronet" in args:
        at = args.index("--pronet")
        if at + 1 >= len(args):
            sys.exit(__doc__)
        pronet = pronet_rates(args[at + 1])
        del args[at:at + 2]
    if len(args) not in (1, 2):
        sys.exit(__doc__)
    seconds = float(args[1]) if len(args) == 2 else 1.0
    x, y = load(args[0])
    warnings.simplefilter("ignore", ConvergenceWarning)
    models = [
        ("sklearn GaussianNB", GaussianNB(var_smoothing=1e-9)),
        ("sklearn LogisticRegression", LogisticRegression(C=1.0, max_iter=100)),
        ("sklearn RandomForestClassifier",
         RandomForestClassifier(n_estimators=100, max_features="sqrt", random_state=1, n_jobs=2)),
    ]
    print("scikit-learn on %d windows x %d features, %d classes" % (x.shape[0], x.shape[1],
                                                                     len(np.unique(y))))
    ratios = []
    for name, model in models:
        start = time.perf_counter()
        model.fit(x, y)
        fit = x.shape[0] / (time.perf_counter() - start)
        if hasattr(model, "n_jobs"):
            model.n_jobs = 1  # predictions on one thread, as pronet's
        single = x[:1]
        one = rate(lambda: model.predict_proba(single), 1, seconds)
        batch = rate(lambda: model.predict_proba(x), x.shape[0], seconds)
        print("%-40s %14.0f windows/s      predict, one window per call, 1 thread" % (name, one))
        print("%-40s %14.0f windows/s      predict, %d windows per call, 1 thread"
              % (name, batch, x.shape[0]))
        print("%-40s %14.0f windows/s      fit" % (name, fit))
        if pronet is not None:
            family = PRONET_NAMES[name]
            mine = pronet.get((family, "predict"))
            mine_fit = pronet.get((family, "fit"))
            if mine and mine_fit:
                ratios.append((family, mine / one, mine / batch, mine_fit / fit))
    for family, one, batch, fit in ratios:
        print("%-40s %10.1fx one window per call, %.2fx against the batch, %.2fx fit"
              % (family + " / scikit-learn", one, batch, fit))


if __name__ == "__main__":
    main()
