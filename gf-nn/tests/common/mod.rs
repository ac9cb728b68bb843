//! Reading the PyTorch fixtures that `fixtures/make_fixtures.py` writes.
#![allow(dead_code)]

use gf_core::prelude::*;
use gf_nn::{StateDict, StateEntry, TensorKind};
use serde_json::Value;

/// The fixture file `name`, parsed.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The values of a `{shape, data}` fixture tensor.
pub fn values(v: &Value) -> Vec<f64> {
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// The shape of a `{shape, data}` fixture tensor.
pub fn shape(v: &Value) -> Vec<usize> {
    v["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

/// A fixture tensor as a tensor of shape type `S`.
pub fn tensor<S: Shape, E: Dtype>(v: &Value) -> Tensor<S, E, Cpu> {
    let s = S::from_concrete(&shape(v)).expect("fixture shape fits the type");
    let data = values(v).into_iter().map(E::from_f64).collect();
    Cpu::default().tensor_from_vec(data, s)
}

/// A fixture state dict (`{name: {shape, data}}`).
pub fn state_dict(v: &Value) -> StateDict {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, t)| {
            let entry = StateEntry {
                kind: TensorKind::Param,
                dtype: "f64",
                shape: shape(t),
                values: values(t),
            };
            (k.clone(), entry)
        })
        .collect()
}

/// Asserts `|got − want| ≤ tol·max(1, |want|)` elementwise, naming the case and the element.
#[track_caller]
pub fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * w.abs().max(1.0),
            "{what}[{i}]: got {g:e}, PyTorch gives {w:e}"
        );
    }
}

/// f64 parity tolerance.
pub const F64_TOL: f64 = 1e-10;
/// f32 parity tolerance (relative).
pub const F32_TOL: f64 = 1e-5;
