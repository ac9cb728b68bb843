//! The GhostFlow side of `benches/compare_learn.py`: fits one gf-learn estimator on the first
//! `train` rows of the data the runner wrote and prints one JSON line with the time of what
//! the case measures (the fit; for `knn` the predict of the held-out rows), the held-out score
//! (accuracy; R² for `lasso`) and the CPU and SIMD path.
//!
//! ```text
//! cargo bench --bench learn -- <estimator> <x.f64> <y.bin> <rows> <cols> <train>
//! ```
//!
//! `x.f64` holds `rows × cols` little-endian f64 (row-major), `y.bin` one little-endian u32
//! label per row (f64 targets for `lasso`). Estimators, with the settings of the scikit-learn
//! side: `svc` (`SVC()`), `rf` (100 trees), `hgb` (100 iterations, no early stopping),
//! `logreg` (`LogisticRegression()`), `knn` (5 neighbours), `lasso` (`alpha = 1`).

use std::time::Instant;

use gf_core::device::simd;
use gf_core::prelude::*;
use gf_learn::ensemble::hist_gradient_boosting::EarlyStopping;
use gf_learn::ensemble::{HistGradientBoostingClassifier, RandomForestClassifier};
use gf_learn::linear_model::{Lasso, LogisticRegression};
use gf_learn::neighbors::KNeighborsClassifier;
use gf_learn::prelude::*;
use gf_learn::svm::SVC;

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// The fit time of `m` on the training rows and its score on the held-out rows.
fn time_fit<M: Classifier>(mut m: M, train: &Split, test: &Split) -> (f64, f64) {
    let t = Instant::now();
    m.fit(&train.0, &train.1).unwrap();
    let seconds = t.elapsed().as_secs_f64();
    (seconds, m.score(&test.0, &test.1).unwrap())
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
    let (seconds, score) = if estimator == "lasso" {
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
        let y: Vec<usize> = read(y_path)
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes(b.try_into().unwrap()) as usize)
            .collect();
        assert_eq!(y.len(), rows, "y size");
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
    println!(
        "{{\"side\": \"ghostflow\", \"seconds\": {seconds}, \"score\": {score}, \"threads\": {}, \"cpu\": \"{}\", \"simd\": \"{}\"}}",
        std::thread::available_parallelism().map_or(1, usize::from),
        cpu_model(),
        simd::path().name()
    );
}
