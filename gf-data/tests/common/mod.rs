//! Helpers shared by the integration tests: finding and reading the fixtures under
//! `tests/fixtures/<dir>/`, turning their JSON values into Rust ones, and comparing floats.
//! A malformed fixture is a broken test, so these panic with a message naming what was wrong.

// Each test file is its own crate and uses only some of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The path of `tests/fixtures/<dir>/<name>`.
pub fn fixture_path(dir: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
        .join(name)
}

/// The JSON file `tests/fixtures/<dir>/<name>`, parsed.
pub fn read_json(dir: &str, name: &str) -> Value {
    let path = fixture_path(dir, name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("read fixture {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse fixture {}: {e}", path.display()))
}

/// The elements of a JSON array, each read by `cell` (which names what it expected).
fn array<T>(v: &Value, what: &str, cell: impl Fn(&Value) -> Option<T>) -> Vec<T> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array of {what}, got {v}"))
        .iter()
        .map(|x| cell(x).unwrap_or_else(|| panic!("expected {what}, got {x}")))
        .collect()
}

/// A JSON array of numbers.
pub fn floats(v: &Value) -> Vec<f64> {
    array(v, "numbers", Value::as_f64)
}

/// A JSON array of non-negative integers.
pub fn usizes(v: &Value) -> Vec<usize> {
    array(v, "non-negative integers", |x| {
        x.as_u64().map(|u| u as usize)
    })
}

/// A JSON array of strings.
pub fn strings(v: &Value) -> Vec<String> {
    array(v, "strings", |x| x.as_str().map(str::to_string))
}

/// Equal to 1e-9, relative for large numbers (sums of squares reach 1e9).
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Asserts `got` and `want` have the same length and are [`close`] element by element.
#[track_caller]
pub fn assert_all_close(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(close(*g, *w), "{what}[{i}]: got {g}, scikit-learn has {w}");
    }
}
