//! IncrementalPCA and FactorAnalysis against scikit-learn on `fixtures/decomposition2.json`
//! (written by `fixtures/make_decomposition2_fixtures.py`). IncrementalPCA, by `fit` in batches
//! and by `partial_fit`: components (same signs, by `svd_flip`), variances, singular values,
//! mean, var, noise variance, transform and inverse transform to 1e-10. FactorAnalysis
//! (`svd_method="lapack"`, with and without rotation): noise variances, log-likelihoods,
//! iterations, covariance, precision, scores to 1e-8; components and transform to 1e-8 up to
//! the sign of each component, which scikit-learn leaves to LAPACK. LatentDirichletAllocation
//! (numpy's gamma initialisation for a seed; batch, online and partial_fit): components,
//! exp_dirichlet_component_, iteration counts, bound_, transform, score and perplexity to 1e-8.

mod common;

use common::*;
use gf_core::prelude::*;
use gf_learn::decomposition::{
    FaRotation, FactorAnalysis, IncrementalPCA, LatentDirichletAllocation, LdaLearning,
};
use gf_learn::Error;
use serde_json::Value;

fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let ok = (g - w).abs() <= tol * w.abs().max(1.0) || (g.is_nan() && w.is_nan());
        assert!(ok, "{what}[{i}]: got {g}, scikit-learn has {w}");
    }
}

/// A fixture value as a flat vector (a number, a vector or a matrix).
fn flat(v: &Value) -> Vec<f64> {
    match v {
        v if v
            .as_array()
            .is_some_and(|a| a.first().is_some_and(|r| r.is_array())) =>
        {
            matrix(v).1
        }
        v if v.is_array() => floats(v),
        Value::Null => vec![f64::NAN],
        v => vec![v.as_f64().unwrap()],
    }
}

fn data() -> (Value, X, X) {
    let fx = read_json("decomposition2.json");
    let (rows, x) = matrix(&fx["x"]);
    let (new_rows, new) = matrix(&fx["new"]);
    (fx, tensor2(x, rows), tensor2(new, new_rows))
}

fn rows_of(x: &X, a: usize, b: usize) -> X {
    let d = x.shape().1;
    tensor2(x.to_vec()[a * d..b * d].to_vec(), b - a)
}

#[test]
fn incremental_pca_matches_scikit_learn_by_fit_and_partial_fit() {
    let (fx, x, new) = data();
    for case in fx["ipca"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let mut m = IncrementalPCA::new().whiten(case["whiten"].as_bool().unwrap());
        if let Some(k) = case["n_components"].as_u64() {
            m = m.n_components(k as usize);
        }
        if let Some(b) = case["batch_size"].as_u64() {
            m = m.batch_size(b as usize);
        }
        match case["partial"].as_array() {
            None => {
                m.fit(&x).unwrap();
            }
            Some(parts) => {
                let mut start = 0;
                for b in parts {
                    let end = start + b.as_u64().unwrap() as usize;
                    m.partial_fit(&rows_of(&x, start, end)).unwrap();
                    start = end;
                }
            }
        }
        let check = |what: &str, got: &[f64]| {
            assert_close(&format!("{name} {what}"), got, &flat(&case[what]), 1e-10)
        };
        check("components", m.components_().unwrap());
        check("explained_variance", m.explained_variance_().unwrap());
        check(
            "explained_variance_ratio",
            m.explained_variance_ratio_().unwrap(),
        );
        check("singular_values", m.singular_values_().unwrap());
        check("mean", m.mean_().unwrap());
        check("var", m.var_().unwrap());
        check("noise_variance", &[m.noise_variance_().unwrap()]);
        assert_eq!(
            m.n_samples_seen_().unwrap() as u64,
            case["n_samples_seen"].as_u64().unwrap(),
            "{name} n_samples_seen"
        );
        let z = m.transform(&new).unwrap();
        check("transform", &z.to_vec());
        check(
            "inverse_transform",
            &m.inverse_transform(&z).unwrap().to_vec(),
        );
    }
}

#[test]
fn incremental_pca_rejects_bad_input() {
    let (_, x, _) = data();
    let named = |e: Error, p: &str| assert!(e.to_string().contains(p), "{e}");
    named(
        IncrementalPCA::new().n_components(7).fit(&x).unwrap_err(),
        "n_components",
    );
    named(
        IncrementalPCA::new()
            .n_components(4)
            .partial_fit(&rows_of(&x, 0, 3))
            .unwrap_err(),
        "n_components",
    );
    let mut nan = x.to_vec();
    nan[5] = f64::NAN;
    assert!(IncrementalPCA::new().fit(&tensor2(nan, 45)).is_err());
    assert!(IncrementalPCA::new().fit(&tensor2(vec![], 0)).is_err());
    assert!(IncrementalPCA::new().transform(&x).is_err());
    let mut m = IncrementalPCA::new().n_components(2);
    m.fit(&x).unwrap();
    assert!(m.transform(&tensor2(vec![1.0; 10], 2)).is_err());
}

/// `got` (`rows` rows) with each row's sign chosen to match `want`'s by the largest entry.
fn align_rows(got: &[f64], want: &[f64], rows: usize) -> Vec<f64> {
    let d = got.len() / rows;
    let mut out = got.to_vec();
    for r in 0..rows {
        let row = r * d..(r + 1) * d;
        let dot: f64 = got[row.clone()]
            .iter()
            .zip(&want[row.clone()])
            .map(|(a, b)| a * b)
            .sum();
        if dot < 0.0 {
            out[row].iter_mut().for_each(|v| *v = -*v);
        }
    }
    out
}

#[test]
fn factor_analysis_matches_scikit_learn() {
    let (fx, x, new) = data();
    for case in fx["fa"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let k = case["n_components"].as_u64().unwrap() as usize;
        let rotation = match case["rotation"].as_str() {
            Some("varimax") => FaRotation::Varimax,
            Some("quartimax") => FaRotation::Quartimax,
            _ => FaRotation::None,
        };
        let mut m = FactorAnalysis::new()
            .n_components(k)
            .rotation(rotation)
            .tol(case["tol"].as_f64().unwrap())
            .max_iter(case["max_iter"].as_u64().unwrap() as usize);
        if case["noise_variance_init"].is_array() {
            m = m.noise_variance_init(floats(&case["noise_variance_init"]));
        }
        m.fit(&x).unwrap();
        let check = |what: &str, got: &[f64]| {
            assert_close(&format!("{name} {what}"), got, &flat(&case[what]), 1e-8)
        };
        assert_eq!(
            m.n_iter_().unwrap() as u64,
            case["n_iter"].as_u64().unwrap(),
            "{name} n_iter"
        );
        check("noise_variance", m.noise_variance_().unwrap());
        check("loglike", m.loglike_().unwrap());
        check("mean", m.mean_().unwrap());
        let want = flat(&case["components"]);
        let got = m.components_().unwrap();
        check("components", &align_rows(got, &want, k));
        // The sign of column j of transform is the sign of component j.
        let z = m.transform(&new).unwrap().to_vec();
        let signs: Vec<f64> = (0..k)
            .map(|r| {
                let d = got.len() / k;
                let dot: f64 = (0..d).map(|j| got[r * d + j] * want[r * d + j]).sum();
                dot.signum()
            })
            .collect();
        let z: Vec<f64> = z
            .iter()
            .enumerate()
            .map(|(i, v)| v * signs[i % k])
            .collect();
        check("transform", &z);
        check("covariance", &m.get_covariance().unwrap());
        check("precision", &m.get_precision().unwrap());
        check("score_samples", &m.score_samples(&new).unwrap().to_vec());
        check("score", &[m.score(&new).unwrap()]);
    }
}

#[test]
fn factor_analysis_rejects_bad_input() {
    let (_, x, _) = data();
    let named = |e: Error, p: &str| assert!(e.to_string().contains(p), "{e}");
    named(
        FactorAnalysis::new().n_components(7).fit(&x).unwrap_err(),
        "n_components",
    );
    named(
        FactorAnalysis::new()
            .noise_variance_init(vec![1.0; 3])
            .fit(&x)
            .unwrap_err(),
        "noise_variance_init",
    );
    named(FactorAnalysis::new().tol(-1.0).fit(&x).unwrap_err(), "tol");
    let mut nan = x.to_vec();
    nan[5] = f64::NAN;
    assert!(FactorAnalysis::new().fit(&tensor2(nan, 45)).is_err());
    assert!(FactorAnalysis::new().fit(&tensor2(vec![], 0)).is_err());
    assert!(FactorAnalysis::new().get_precision().is_err());
}

fn lda_data(fx: &Value) -> (X, X) {
    let (rows, c) = matrix(&fx["lda_counts"]);
    let (new_rows, n) = matrix(&fx["lda_new"]);
    (tensor2(c, rows), tensor2(n, new_rows))
}

#[test]
fn lda_matches_scikit_learn_batch_online_and_partial_fit() {
    let fx = read_json("decomposition2.json");
    let (x, new) = lda_data(&fx);
    for case in fx["lda"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let p = &case["params"];
        let mut m = LatentDirichletAllocation::new()
            .n_components(p["n_components"].as_u64().unwrap() as usize)
            .random_state(p["random_state"].as_u64().unwrap() as u32);
        if let Some(v) = p["doc_topic_prior"].as_f64() {
            m = m.doc_topic_prior(v);
        }
        if let Some(v) = p["topic_word_prior"].as_f64() {
            m = m.topic_word_prior(v);
        }
        if let Some(v) = p["max_iter"].as_u64() {
            m = m.max_iter(v as usize);
        }
        if let Some(v) = p["evaluate_every"].as_i64() {
            m = m.evaluate_every(v);
        }
        if let Some(v) = p["batch_size"].as_u64() {
            m = m.batch_size(v as usize);
        }
        if p["learning_method"].as_str() == Some("online") {
            m = m.learning_method(LdaLearning::Online);
        }
        m.fit(&x).unwrap();
        let check = |what: &str, got: &[f64]| {
            assert_close(&format!("{name} {what}"), got, &flat(&case[what]), 1e-8)
        };
        check("components", m.components_().unwrap());
        check(
            "exp_dirichlet_component",
            m.exp_dirichlet_component_().unwrap(),
        );
        assert_eq!(
            m.n_iter_().unwrap() as u64,
            case["n_iter"].as_u64().unwrap()
        );
        assert_eq!(
            m.n_batch_iter_().unwrap() as u64,
            case["n_batch_iter"].as_u64().unwrap()
        );
        check("bound", &[m.bound_().unwrap()]);
        check("transform", &m.transform(&new).unwrap().to_vec());
        check("score", &[m.score(&new).unwrap()]);
        check("perplexity", &[m.perplexity(&new).unwrap()]);
    }
    let pf = &fx["lda_partial"];
    let mut m = LatentDirichletAllocation::new()
        .n_components(3)
        .random_state(5)
        .batch_size(8)
        .total_samples(100.0);
    let d = x.shape().1;
    let all = x.to_vec();
    m.partial_fit(&tensor2(all[..16 * d].to_vec(), 16)).unwrap();
    m.partial_fit(&tensor2(all[16 * d..].to_vec(), 14)).unwrap();
    assert_close(
        "partial components",
        m.components_().unwrap(),
        &flat(&pf["components"]),
        1e-8,
    );
    assert_eq!(
        m.n_batch_iter_().unwrap() as u64,
        pf["n_batch_iter"].as_u64().unwrap()
    );
    assert_close(
        "partial transform",
        &m.transform(&new).unwrap().to_vec(),
        &flat(&pf["transform"]),
        1e-8,
    );
}

#[test]
fn lda_rejects_bad_input() {
    let fx = read_json("decomposition2.json");
    let (x, _) = lda_data(&fx);
    let named = |e: Error, p: &str| assert!(e.to_string().contains(p), "{e}");
    let mut neg = x.to_vec();
    neg[3] = -1.0;
    named(
        LatentDirichletAllocation::new()
            .fit(&tensor2(neg, 30))
            .unwrap_err(),
        "negative",
    );
    named(
        LatentDirichletAllocation::new()
            .n_components(0)
            .fit(&x)
            .unwrap_err(),
        "n_components",
    );
    named(
        LatentDirichletAllocation::new()
            .learning_decay(2.0)
            .fit(&x)
            .unwrap_err(),
        "learning_decay",
    );
    let mut nan = x.to_vec();
    nan[0] = f64::NAN;
    assert!(LatentDirichletAllocation::new()
        .fit(&tensor2(nan, 30))
        .is_err());
    assert!(LatentDirichletAllocation::new()
        .fit(&tensor2(vec![], 0))
        .is_err());
    assert!(LatentDirichletAllocation::new().transform(&x).is_err());
}
