//! Helpers shared by the integration tests: reading the fixtures under `tests/fixtures/`,
//! building tensors from them and from the bundled datasets, and comparing floats with the
//! tolerance each test states. A malformed fixture is a broken test, so these panic.

// Each test file is its own crate and uses only some of these helpers.
#![allow(dead_code)]

use std::path::Path;

use gf_core::prelude::*;
use gf_learn::preprocessing::StandardScaler;
use serde_json::Value;

/// A feature matrix of run-time width.
pub type X = Tensor<(usize, usize), f64, Cpu>;
/// Class labels.
pub type Labels = Tensor<(usize,), usize, Cpu>;

/// The JSON file `tests/fixtures/<name>`, parsed.
pub fn read_json(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("read fixture {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse fixture {}: {e}", path.display()))
}

/// A JSON array of numbers.
pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array, got {v}"))
        .iter()
        .map(|x| {
            x.as_f64()
                .unwrap_or_else(|| panic!("expected a number, got {x}"))
        })
        .collect()
}

/// A JSON array of arrays of numbers, flattened row-major, with the row count.
pub fn matrix(v: &Value) -> (usize, Vec<f64>) {
    let rows = v
        .as_array()
        .unwrap_or_else(|| panic!("expected rows, got {v}"));
    (rows.len(), rows.iter().flat_map(floats).collect())
}

/// A JSON array of non-negative integers.
pub fn usizes(v: &Value) -> Vec<usize> {
    floats(v).into_iter().map(|x| x as usize).collect()
}

/// A `(rows, cols)` tensor from row-major data.
pub fn tensor2(data: Vec<f64>, rows: usize) -> Tensor<(usize, usize), f64, Cpu> {
    let cols = data.len().checked_div(rows).unwrap_or(0);
    Cpu::default().tensor_from_vec(data, (rows, cols))
}

/// A 1-D tensor.
pub fn tensor1<E: Unit>(data: Vec<E>) -> Tensor<(usize,), E, Cpu> {
    let n = data.len();
    Cpu::default().tensor_from_vec(data, (n,))
}

/// A bundled classification dataset by scikit-learn's name: `(X, y)`.
pub fn classification(name: &str) -> (X, Labels) {
    let bunch = match name {
        "iris" => gf_data::datasets::load_iris(),
        "wine" => gf_data::datasets::load_wine(),
        "breast_cancer" => gf_data::datasets::load_breast_cancer(),
        "digits" => gf_data::datasets::load_digits(),
        other => panic!("no classification dataset {other}"),
    }
    .unwrap();
    bunch.into_xy()
}

/// [`classification`] with the features standardised by `StandardScaler`.
pub fn standardized(name: &str) -> (X, Labels) {
    let (x, y) = classification(name);
    (StandardScaler::new().fit_transform(&x).unwrap(), y)
}

/// The diabetes regression dataset (scaled as scikit-learn's `load_diabetes`): `(X, y)`.
pub fn diabetes() -> (X, Tensor<(usize,), f64, Cpu>) {
    gf_data::datasets::load_diabetes().unwrap().into_xy()
}

/// The first `n` rows of `x`.
pub fn head(x: &Tensor<(usize, usize), f64, Cpu>, n: usize) -> Tensor<(usize, usize), f64, Cpu> {
    let cols = x.dims()[1];
    tensor2(x.to_vec()[..n * cols].to_vec(), n)
}

/// Asserts `got` and `want` have the same length and agree to `tol`, relative to the larger
/// magnitude when it exceeds 1; the message names the first element that differs.
#[track_caller]
pub fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let scale = g.abs().max(w.abs()).max(1.0);
        assert!(
            (g - w).abs() <= tol * scale,
            "{what}[{i}]: got {g}, scikit-learn has {w} (difference {:e}, tolerance {tol:e})",
            (g - w).abs()
        );
    }
}

/// The rows `idx` of `x` (a train or test split).
pub fn rows(x: &X, idx: &[usize]) -> X {
    let (data, cols) = (x.to_vec(), x.dims()[1]);
    let out = idx
        .iter()
        .flat_map(|&i| data[i * cols..(i + 1) * cols].to_vec())
        .collect();
    tensor2(out, idx.len())
}

/// The entries `idx` of `y`.
pub fn pick<T: Unit>(y: &Tensor<(usize,), T, Cpu>, idx: &[usize]) -> Tensor<(usize,), T, Cpu> {
    let v = y.to_vec();
    tensor1(idx.iter().map(|&i| v[i]).collect())
}

/// `f` run on a rayon pool of `threads` threads (to show a result does not depend on them).
pub fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}
