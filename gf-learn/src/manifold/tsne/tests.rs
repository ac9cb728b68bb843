//! Parity of t-SNE's internals with scikit-learn's private functions (`_joint_probabilities`,
//! `_joint_probabilities_nn`, `_kl_divergence`, `_kl_divergence_bh`), on the fixture written
//! by `tests/fixtures/make_tsne_fixtures.py`. The public behaviour is tested in `tests/tsne.rs`.

use serde_json::Value;

use super::affinity::{joint_probabilities, joint_probabilities_nn};
use super::gradient::{kl_divergence_bh, kl_divergence_exact, BhWorkspace, ExactWorkspace};
use crate::validation::Matrix;

fn fixture() -> Value {
    serde_json::from_str(include_str!("../../../tests/fixtures/tsne.json")).expect("tsne.json")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .flat_map(|x| match x {
            Value::Array(_) => floats(x),
            _ => vec![x.as_f64().expect("a number")],
        })
        .collect()
}

fn data() -> (Value, Matrix) {
    let f = fixture();
    let a = f["affinity"].clone();
    let rows = a["x"].as_array().expect("rows").len();
    let data = floats(&a["x"]);
    let x = Matrix {
        rows,
        cols: data.len() / rows,
        data,
    };
    (a, x)
}

#[track_caller]
fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol,
            "{what}[{i}]: got {g}, scikit-learn has {w} (difference {:e}, tolerance {tol:e})",
            (g - w).abs()
        );
    }
}

/// The condensed pairs `i < j` of a square matrix, in scipy's `squareform` order.
fn condensed(m: &[f64], n: usize) -> Vec<f64> {
    (0..n)
        .flat_map(|i| (i + 1..n).map(move |j| m[i * n + j]))
        .collect()
}

/// P of every pair and of the nearest neighbours match scikit-learn's to 1e-10.
#[test]
fn joint_probabilities_match_scikit_learn() {
    let (a, x) = data();
    let n = x.rows;
    for case in a["cases"].as_array().expect("cases") {
        let perplexity = case["perplexity"].as_f64().expect("perplexity");
        let p = joint_probabilities(&x, perplexity);
        assert_close(
            "P exact",
            &condensed(&p, n),
            &floats(&case["p_exact"]),
            1e-10,
        );
        let k = (n - 1).min((3.0 * perplexity + 1.0) as usize);
        let csr = joint_probabilities_nn(&x, k, perplexity);
        let mut dense = vec![0.0; n * n];
        for i in 0..n {
            for t in csr.indptr[i]..csr.indptr[i + 1] {
                dense[i * n + csr.indices[t]] = csr.data[t];
            }
        }
        assert_close("P nn", &dense, &floats(&case["p_nn"]), 1e-10);
    }
}

/// The exact KL divergence and gradient match `_kl_divergence` to 1e-10; Barnes-Hut's, in
/// float32 as scikit-learn's, match `_kl_divergence_bh` to 1e-8 (the gradient) and 1e-5
/// relative (the error, a float32 sum there), in 2-D and 3-D.
#[test]
fn kl_gradients_match_scikit_learn() {
    let (a, x) = data();
    let n = x.rows;
    for case in a["cases"].as_array().expect("cases") {
        let perplexity = case["perplexity"].as_f64().expect("perplexity");
        let p = joint_probabilities(&x, perplexity);
        let k = (n - 1).min((3.0 * perplexity + 1.0) as usize);
        let csr = joint_probabilities_nn(&x, k, perplexity);
        let val: Vec<f32> = csr.data.iter().map(|&v| v as f32).collect();
        for g in case["gradients"].as_array().expect("gradients") {
            let d = g["n_components"].as_u64().expect("n_components") as usize;
            let dof = (d - 1).max(1) as f64;
            let y = floats(&g["params"]);
            let mut grad = vec![0.0; n * d];
            let kl = kl_divergence_exact(
                &y,
                &p,
                dof,
                d,
                true,
                &mut grad,
                &mut ExactWorkspace::default(),
            );
            let want = g["kl_exact"].as_f64().expect("kl");
            assert!(
                (kl - want).abs() <= 1e-10 * want.abs().max(1.0),
                "KL exact {d}-D: {kl} vs {want}"
            );
            assert_close("grad exact", &grad, &floats(&g["grad_exact"]), 1e-10);
            let kl_bh = match d {
                2 => kl_divergence_bh::<2>(
                    &y,
                    &csr,
                    &val,
                    dof,
                    0.5,
                    true,
                    &mut grad,
                    &mut BhWorkspace::default(),
                ),
                _ => kl_divergence_bh::<3>(
                    &y,
                    &csr,
                    &val,
                    dof,
                    0.5,
                    true,
                    &mut grad,
                    &mut BhWorkspace::default(),
                ),
            };
            let want = g["kl_bh"].as_f64().expect("kl bh");
            assert!(
                (kl_bh - want).abs() <= 1e-5 * want.abs(),
                "KL bh {d}-D: {kl_bh} vs {want}"
            );
            assert_close("grad bh", &grad, &floats(&g["grad_bh"]), 1e-8);
        }
    }
}

/// The random start is numpy's `RandomState(seed).standard_normal` times 1e-4, in float32.
#[test]
fn random_init_draws_numpys_gaussians() {
    let x = Matrix {
        rows: 3,
        cols: 1,
        data: vec![0.0, 1.0, 2.0],
    };
    let y = super::TSNE::new()
        .init(super::TsneInit::Random)
        .random_state(0)
        .initial_embedding(&x)
        .expect("init");
    // np.random.RandomState(0).standard_normal(6).astype(np.float32) * 1e-4
    let want = [
        0.00017640522855799645,
        4.001571869594045e-05,
        9.787379531189799e-05,
        0.00022408930817618966,
        0.0001867558021331206,
        -9.772778139449656e-05,
    ];
    for (g, w) in y.iter().zip(want) {
        assert!((g - w).abs() < 1e-18, "{g} vs {w}");
    }
}
