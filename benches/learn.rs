//! The GhostFlow side of `benches/compare_learn.py`: fits one gf-learn estimator on the first
//! `train` rows of the data the runner wrote and prints one JSON line with the time of what
//! the case measures (the fit; for `knn` the predict of the held-out rows), its score and the
//! CPU and SIMD path. The score of a supervised case is held-out (accuracy; R² for `lasso`);
//! of an unsupervised one, a measure of the fit's quality on all rows (`kmeans`: inertia;
//! `dbscan`: adjusted Rand index against the blob labels; `pca`: the first component's
//! explained-variance ratio; `rpca`: the sum over the kept components; `tsne`: the final KL
//! divergence, with the trustworthiness (5 neighbours) of the embedding as `score2`; `umap`: that
//! trustworthiness).
//!
//! ```text
//! cargo bench --bench learn -- <estimator> <x.f64> <y.bin> <rows> <cols> <train>
//! ```
//!
//! `x.f64` holds `rows × cols` little-endian f64 (row-major), `y.bin` one little-endian u32
//! label per row (f64 targets for `lasso`). Estimators, with the settings of the scikit-learn
//! side: `svc` (`SVC()`), `rf` (100 trees), `hgb` (100 iterations, no early stopping),
//! `logreg` (`LogisticRegression()`), `knn` (5 neighbours), `lasso` (`alpha = 1`), `kmeans`
//! (10 clusters, `n_init = 1`), `dbscan` (`eps = 4`, `min_samples = 5`), `pca` (every
//! component, the default solver), `rpca` (10 components, randomized solver) and `tsne`
//! (scikit-learn's defaults: Barnes-Hut, PCA init, perplexity 30; `tsne20k` is the same on
//! other data), `umap` and `umap20k` (umap-learn's defaults; score: the trustworthiness).

use std::time::Instant;

use gf_core::device::simd;
use gf_core::prelude::*;
use gf_learn::cluster::{KMeans, DBSCAN};
use gf_learn::decomposition::{PcaSolver, PCA};
use gf_learn::ensemble::hist_gradient_boosting::EarlyStopping;
use gf_learn::ensemble::{HistGradientBoostingClassifier, RandomForestClassifier};
use gf_learn::linear_model::{Lasso, LogisticRegression};
use gf_learn::manifold::{trustworthiness, TSNE, UMAP};
use gf_learn::metrics::adjusted_rand_score;
use gf_learn::neighbors::KNeighborsClassifier;
use gf_learn::prelude::*;
use gf_learn::svm::SVC;

#[path = "common/mod.rs"]
mod common;
use common::cpu_model;

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// The fit time of `m` on the training rows and its score on the held-out rows.
fn time_fit<M: Classifier>(mut m: M, train: &Split, test: &Split) -> (f64, f64) {
    let t = Instant::now();
    m.fit(&train.0, &train.1).unwrap();
    let seconds = t.elapsed().as_secs_f64();
    (seconds, m.score(&test.0, &test.1).unwrap())
}

/// The time of `fit(m)` and the quality `score(m)` of the fitted model.
fn time_unsupervised<M>(
    mut m: M,
    fit: impl Fn(&mut M) -> gf_learn::Result<()>,
    score: impl Fn(&M) -> f64,
) -> (f64, f64) {
    let t = Instant::now();
    fit(&mut m).unwrap();
    let seconds = t.elapsed().as_secs_f64();
    (seconds, score(&m))
}

/// Features and labels.
type Split = (
    Tensor<(usize, usize), f64, Cpu>,
    Tensor<(usize,), usize, Cpu>,
);

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [estimator, x_path, y_path, rows, cols, train] = args.as_slice() else {
        eprintln!("usage: learn <estimator> <x.f64> <y.bin> <rows> <cols> <train>");
        std::process::exit(2);
    };
    let [rows, cols, train]: [usize; 3] = [rows, cols, train].map(|v| v.parse().expect("a count"));
    let x: Vec<f64> = read(x_path)
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    assert_eq!(x.len(), rows * cols, "x size");
    let dev = Cpu::default();
    let rows_of = |from: usize, to: usize| {
        dev.tensor_from_vec(x[from * cols..to * cols].to_vec(), (to - from, cols))
    };
    let (x_train, x_test) = (rows_of(0, train), rows_of(train, rows));
    let labels = || -> Vec<usize> {
        let y: Vec<usize> = read(y_path)
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes(b.try_into().unwrap()) as usize)
            .collect();
        assert_eq!(y.len(), rows, "y size");
        y
    };
    let mut score2 = None;
    let (seconds, score) = if estimator.starts_with("tsne") {
        let mut m = TSNE::new();
        let t = Instant::now();
        let embedding = m.fit_transform(&x_train).unwrap();
        let seconds = t.elapsed().as_secs_f64();
        score2 = Some(trustworthiness(&x_train, &embedding, 5).unwrap());
        (seconds, m.kl_divergence_().unwrap())
    } else if estimator.starts_with("umap") {
        let t = Instant::now();
        let embedding = UMAP::new().fit_transform(&x_train).unwrap();
        let seconds = t.elapsed().as_secs_f64();
        (seconds, trustworthiness(&x_train, &embedding, 5).unwrap())
    } else if ["kmeans", "dbscan", "pca", "rpca"].contains(&estimator.as_str()) {
        let x = &x_train;
        match estimator.as_str() {
            "kmeans" => time_unsupervised(
                KMeans::new().n_clusters(10).n_init(1),
                |m| m.fit(x).map(drop),
                |m| m.inertia_().unwrap(),
            ),
            "dbscan" => time_unsupervised(
                DBSCAN::new().eps(4.0).min_samples(5),
                |m| m.fit(x).map(drop),
                |m| adjusted_rand_score(&labels()[..], m.labels_().unwrap()).unwrap(),
            ),
            "pca" => time_unsupervised(
                PCA::new(),
                |m| m.fit(x).map(drop),
                |m| m.explained_variance_ratio_().unwrap()[0],
            ),
            _ => time_unsupervised(
                PCA::new()
                    .n_components(10)
                    .svd_solver(PcaSolver::Randomized),
                |m| m.fit(x).map(drop),
                |m| m.explained_variance_ratio_().unwrap().iter().sum(),
            ),
        }
    } else if estimator == "lasso" {
        let y: Vec<f64> = read(y_path)
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
            .collect();
        let (y_train, y_test) = (
            dev.tensor_from_vec(y[..train].to_vec(), (train,)),
            dev.tensor_from_vec(y[train..].to_vec(), (rows - train,)),
        );
        let mut m = Lasso::new().alpha(1.0);
        let t = Instant::now();
        m.fit(&x_train, &y_train).unwrap();
        let seconds = t.elapsed().as_secs_f64();
        (seconds, m.score(&x_test, &y_test).unwrap())
    } else {
        let y = labels();
        let train_split = (x_train, dev.tensor_from_vec(y[..train].to_vec(), (train,)));
        let test_split = (
            x_test,
            dev.tensor_from_vec(y[train..].to_vec(), (rows - train,)),
        );
        let (tr, te) = (&train_split, &test_split);
        match estimator.as_str() {
            "svc" => time_fit(SVC::new(), tr, te),
            "rf" => time_fit(RandomForestClassifier::new().n_estimators(100), tr, te),
            "hgb" => time_fit(
                HistGradientBoostingClassifier::new()
                    .max_iter(100)
                    .early_stopping(EarlyStopping::Off),
                tr,
                te,
            ),
            "logreg" => time_fit(LogisticRegression::new(), tr, te),
            "knn" => {
                let mut m = KNeighborsClassifier::new().n_neighbors(5);
                m.fit(&tr.0, &tr.1).unwrap();
                let t = Instant::now();
                let pred = m.predict(&te.0).unwrap();
                let seconds = t.elapsed().as_secs_f64();
                let (pred, truth) = (pred.to_vec(), te.1.to_vec());
                let hits = pred.iter().zip(&truth).filter(|(p, t)| p == t).count();
                (seconds, hits as f64 / truth.len() as f64)
            }
            other => panic!("unknown estimator {other}"),
        }
    };
    let score2 = score2.map_or(String::new(), |s| format!(", \"score2\": {s}"));
    println!(
        "{{\"side\": \"ghostflow\", \"seconds\": {seconds}, \"score\": {score}{score2}, \"threads\": {}, \"cpu\": \"{}\", \"simd\": \"{}\"}}",
        std::thread::available_parallelism().map_or(1, usize::from),
        cpu_model(),
        simd::path().name()
    );
}
