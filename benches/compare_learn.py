#!/usr/bin/env python3
"""gf-learn's estimators against scikit-learn's, fitted on the same data in one run.

    python3 benches/compare_learn.py [--python /path/to/venv/bin/python] [--rounds 3] [--only rf,knn]

The reference side runs under `--python` (default: $GF_REF_PYTHON, else `python3`), which needs
numpy and scikit-learn. The data is scikit-learn's `make_classification` (`make_regression` for
Lasso, `make_blobs` for k-means and DBSCAN, Gaussian noise for randomized PCA), seed 0, written
once per case to a temporary folder and read by both sides; the first `train` rows train and the
rest are held out (the unsupervised cases use every row). The GhostFlow side is `benches/learn.rs`,
built once with `cargo bench --no-run`. Rounds interleave the sides (the order alternates); each
run is its own process on all cores (scikit-learn's `n_jobs=-1` where it has the parameter), and
the table shows the median time over the rounds of what the case times (the fit, or for k-NN
the predict of the held-out queries), the ratio GhostFlow / scikit-learn (below 1: faster) and
both scores: held-out accuracy (R² for Lasso); for the unsupervised cases a quality that should
agree between the sides (k-means: inertia; DBSCAN: adjusted Rand index against the blob labels;
PCA: the first explained-variance ratio; randomized PCA: the sum of the 10 kept).

Cases (the targets of issue #12):
  svc     SVC rbf, defaults, fit on 5000 x 40                         target <= 1.0
  rf      RandomForestClassifier(100 trees) fit on 20000 x 40          target <= 0.5
  hgb     HistGradientBoostingClassifier(max_iter=100, no early stop)  target <= 1.0
  logreg  LogisticRegression (lbfgs, defaults) fit on 20000 x 40       target <= 1.0
  knn     KNeighborsClassifier(5) predict 5000 queries on 20000 x 40   target <= 1.0
  lasso   Lasso(alpha=1.0) fit on 5000 x 500                           target <= 1.0

Cases (the targets of issue #13):
  kmeans  KMeans(10, n_init=1) fit on 100000 x 16 blobs               target <= 1.0
  dbscan  DBSCAN(eps=4, min_samples=5) fit on 5000 x 16 blobs (8)       target <= 1.0
  pca     PCA() fit on 100000 x 16 blobs                                target <= 1.0
  rpca    PCA(10, svd_solver="randomized") fit on 20000 x 500 noise     target <= 1.0
  tsne    TSNE() (Barnes-Hut, defaults) on the 1797 x 64 digits         target <= 0.3
  tsne20k TSNE() on 20000 x 50 of make_classification                   target <= 0.3
  umap    umap.UMAP() (umap-learn's defaults, all cores) on the digits  target <= 1.0
  umap20k umap.UMAP() on 20000 x 50 of make_classification             target <= 1.0
          (score: trustworthiness, within 0.01; umap-learn first fits 4200 rows, untimed, so
          numba's compilation, of pynndescent too, is not counted)
          (score: KL divergence, within 5% of scikit-learn's; then trustworthiness, within 0.01)
"""

import argparse
import json
import os
import statistics
import tempfile

from common_compare import build_bench, run

# name, task, total rows, columns, training rows
CASES = [
    ("svc", "classification", 6250, 40, 5000),
    ("rf", "classification", 25000, 40, 20000),
    ("hgb", "classification", 25000, 40, 20000),
    ("logreg", "classification", 25000, 40, 20000),
    ("knn", "classification", 25000, 40, 20000),
    ("lasso", "regression", 6250, 500, 5000),
    ("kmeans", "blobs10", 100000, 16, 100000),
    ("dbscan", "blobs8", 5000, 16, 5000),
    ("pca", "blobs10", 100000, 16, 100000),
    ("rpca", "noise", 20000, 500, 20000),
    ("tsne", "digits", 1797, 64, 1797),
    ("tsne20k", "classification", 20000, 50, 20000),
    ("umap", "digits", 1797, 64, 1797),
    ("umap20k", "classification", 20000, 50, 20000),
]

REF_SCRIPT = r"""
import json, sys, time, warnings
import numpy as np
mode = sys.argv[1]
if mode == "make":
    from sklearn.datasets import make_blobs, make_classification, make_regression
    task, rows, cols, folder = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    if task.startswith("blobs"):
        x, y = make_blobs(n_samples=rows, n_features=cols, centers=int(task[5:]), random_state=0)
        y.astype("<u4").tofile(f"{folder}/y.bin")
    elif task == "digits":
        from sklearn.datasets import load_digits
        x, y = load_digits(return_X_y=True)
        x = x.astype(np.float64)
        y.astype("<u4").tofile(f"{folder}/y.bin")
    elif task == "noise":
        x = np.random.RandomState(0).standard_normal((rows, cols))
        np.zeros(rows, "<u4").tofile(f"{folder}/y.bin")
    elif task == "classification":
        x, y = make_classification(n_samples=rows, n_features=cols, n_informative=cols // 2,
                                   random_state=0)
        y.astype("<u4").tofile(f"{folder}/y.bin")
    else:
        x, y = make_regression(n_samples=rows, n_features=cols, n_informative=cols // 10,
                               noise=10.0, random_state=0)
        y.astype("<f8").tofile(f"{folder}/y.bin")
    x.astype("<f8").tofile(f"{folder}/x.f64")
    sys.exit(0)
import sklearn
from sklearn.cluster import DBSCAN, KMeans
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE, trustworthiness
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import Lasso, LogisticRegression
from sklearn.metrics import adjusted_rand_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
est, xp, yp, rows, cols, train = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
x = np.fromfile(xp, "<f8").reshape(rows, cols)
y = np.fromfile(yp, "<f8" if est == "lasso" else "<u4")
if est != "lasso":
    y = y.astype(np.int64)
m = {
    "svc": lambda: SVC(),
    "rf": lambda: RandomForestClassifier(n_estimators=100, n_jobs=-1, random_state=0),
    "hgb": lambda: HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0),
    "logreg": lambda: LogisticRegression(),
    "knn": lambda: KNeighborsClassifier(n_neighbors=5, n_jobs=-1),
    "lasso": lambda: Lasso(alpha=1.0),
    "kmeans": lambda: KMeans(n_clusters=10, n_init=1, random_state=0),
    "dbscan": lambda: DBSCAN(eps=4.0, min_samples=5, n_jobs=-1),
    "pca": lambda: PCA(),
    "rpca": lambda: PCA(n_components=10, svd_solver="randomized", random_state=0),
    "tsne": lambda: TSNE(random_state=0),
    "tsne20k": lambda: TSNE(random_state=0),
}.get(est, lambda: None)()
unsupervised = {
    "kmeans": lambda m: m.inertia_,
    "dbscan": lambda m: adjusted_rand_score(y, m.labels_),
    "pca": lambda m: m.explained_variance_ratio_[0],
    "rpca": lambda m: m.explained_variance_ratio_.sum(),
}
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    if est.startswith("umap"):
        import umap
        # numba compiles here, untimed; above 4096 rows umap-learn switches to pynndescent,
        # so the warm-up is that large too
        umap.UMAP().fit(x[:4200])
        t = time.perf_counter()
        embedding = umap.UMAP().fit_transform(x)
        seconds = time.perf_counter() - t
        print(json.dumps({"side": "sklearn", "seconds": seconds,
                          "score": trustworthiness(x, embedding, n_neighbors=5),
                          "version": "umap-learn " + umap.__version__}))
        sys.exit(0)
    t = time.perf_counter()
    if est.startswith("tsne"):
        embedding = m.fit_transform(x)
        seconds = time.perf_counter() - t
        print(json.dumps({"side": "sklearn", "seconds": seconds, "score": float(m.kl_divergence_),
                          "score2": trustworthiness(x, embedding, n_neighbors=5),
                          "version": sklearn.__version__}))
        sys.exit(0)
    if est in unsupervised:
        m.fit(x)
        seconds = time.perf_counter() - t
        print(json.dumps({"side": "sklearn", "seconds": seconds, "score": unsupervised[est](m),
                          "version": sklearn.__version__}))
        sys.exit(0)
    m.fit(x[:train], y[:train])
    seconds = time.perf_counter() - t
    if est == "knn":
        t = time.perf_counter()
        pred = m.predict(x[train:])
        seconds = time.perf_counter() - t
        score = float(np.mean(pred == y[train:]))
    else:
        score = m.score(x[train:], y[train:])
print(json.dumps({"side": "sklearn", "seconds": seconds, "score": score,
                  "version": sklearn.__version__}))
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", default=os.environ.get("GF_REF_PYTHON", "python3"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="", help="comma-separated case names (default: all)")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    exe = build_bench("learn")
    header = False
    with tempfile.TemporaryDirectory() as folder:
        for est, task, rows, cols, train in CASES:
            if only and est not in only:
                continue
            run([args.python, "-c", REF_SCRIPT, "make", task, str(rows), str(cols), folder])
            data = [f"{folder}/x.f64", f"{folder}/y.bin", str(rows), str(cols), str(train)]
            sides = {"ghostflow": [], "sklearn": []}
            for r in range(args.rounds):
                order = ["ghostflow", "sklearn"] if r % 2 == 0 else ["sklearn", "ghostflow"]
                for side in order:
                    if side == "ghostflow":
                        line = run([exe, est] + data)
                    else:
                        line = run([args.python, "-c", REF_SCRIPT, est] + data)
                    sides[side].append(json.loads(line.strip().splitlines()[-1]))
            g = statistics.median(s["seconds"] for s in sides["ghostflow"])
            s = statistics.median(s["seconds"] for s in sides["sklearn"])
            gi, si = sides["ghostflow"][-1], sides["sklearn"][-1]
            if not header:
                print(f"cpu: {gi['cpu']}  simd: {gi['simd']}  threads: {gi['threads']}  "
                      f"scikit-learn {si['version']}  rounds: {args.rounds}")
                header = True
            what = "predict" if est == "knn" else "fit"
            digits = 1 if est == "kmeans" else 4

            def scores(side):
                extra = f", {side['score2']:.4f}" if "score2" in side else ""
                return f"score {side['score']:.{digits}f}{extra}"
            ref = "umap-learn" if est.startswith("umap") else "scikit-learn"
            print(f"{est:7s} {what} {train}x{cols}: ghostflow {g:.3f} s ({scores(gi)})  "
                  f"{ref} {s:.3f} s ({scores(si)})  ratio {g / s:.2f}", flush=True)


if __name__ == "__main__":
    main()
