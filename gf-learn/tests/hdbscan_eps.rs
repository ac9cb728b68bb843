//! HDBSCAN's `cluster_selection_epsilon` and its labels for non-finite rows against
//! scikit-learn 1.9.1 on `fixtures/hdbscan_eps.json` (written by
//! `fixtures/make_hdbscan_eps_fixtures.py`): pairs of nearby blobs that an epsilon merges,
//! with excess of mass and leaf selection, with and without `allow_single_cluster`, and rows
//! holding infinities (label -2) and NaN (label -3). Labels are equal; probabilities agree
//! to 1e-12 (NaN where scikit-learn has NaN). Where scikit-learn's own epsilon search fails
//! under numpy 2.4, the fixture holds its `_tree.pyx` written out in Python (see the script).

mod common;

use common::*;
use gf_core::prelude::*;
use gf_learn::cluster::{ClusterSelection, HDBSCAN};
use gf_learn::prelude::*;
use serde_json::Value;

/// A data matrix whose non-finite entries are the strings "nan", "inf" and "-inf".
fn data(v: &Value) -> X {
    let rows = v.as_array().unwrap();
    let flat: Vec<f64> = rows
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter())
        .map(|x| match x.as_str() {
            Some("nan") => f64::NAN,
            Some("inf") => f64::INFINITY,
            Some("-inf") => f64::NEG_INFINITY,
            _ => x.as_f64().unwrap(),
        })
        .collect();
    tensor2(flat, rows.len())
}

fn hdbscan_for(params: &Value) -> HDBSCAN {
    let get = |k: &str| params.get(k);
    let mut est = HDBSCAN::new()
        .min_cluster_size(get("min_cluster_size").unwrap().as_u64().unwrap() as usize);
    if let Some(m) = get("min_samples") {
        est = est.min_samples(Some(m.as_u64().unwrap() as usize));
    }
    if let Some(m) = get("max_cluster_size") {
        est = est.max_cluster_size(Some(m.as_u64().unwrap() as usize));
    }
    if let Some(e) = get("cluster_selection_epsilon") {
        est = est.cluster_selection_epsilon(e.as_f64().unwrap());
    }
    if get("cluster_selection_method").and_then(Value::as_str) == Some("leaf") {
        est = est.cluster_selection_method(ClusterSelection::Leaf);
    }
    if let Some(a) = get("allow_single_cluster") {
        est = est.allow_single_cluster(a.as_bool().unwrap());
    }
    est
}

#[test]
fn epsilon_and_outlier_labels_match_scikit_learn() {
    let fx = read_json("hdbscan_eps.json");
    let mut mattered = 0;
    let mut worst = 0.0f64;
    for case in fx["hdbscan"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let x = data(&fx["data"][case["data"].as_str().unwrap()]);
        let mut est = hdbscan_for(&case["params"]);
        let labels = est.fit_predict(&x).unwrap();
        let want: Vec<i64> = case["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        assert_eq!(labels, want, "{name}: labels");
        let probabilities = est.probabilities_().unwrap();
        for (i, (g, w)) in probabilities
            .iter()
            .zip(case["probabilities"].as_array().unwrap())
            .enumerate()
        {
            match w.as_f64() {
                None => assert!(g.is_nan(), "{name}: probability {i} is {g}, not NaN"),
                Some(w) => {
                    worst = worst.max((g - w).abs());
                    assert!(
                        (g - w).abs() <= 1e-12,
                        "{name}: probability {i}: {g} vs {w}"
                    );
                }
            }
        }
        mattered += usize::from(case["epsilon_matters"].as_bool().unwrap());
    }
    assert!(
        mattered >= 10,
        "only {mattered} cases where the epsilon changes the labels"
    );
    eprintln!("largest probability difference {worst:e}");
}

#[test]
fn epsilon_zero_is_the_default_and_bad_epsilons_are_errors() {
    let fx = read_json("hdbscan_eps.json");
    let x = data(&fx["data"]["x1"]);
    let plain = HDBSCAN::new().min_cluster_size(6).fit_predict(&x).unwrap();
    let zero = HDBSCAN::new()
        .min_cluster_size(6)
        .cluster_selection_epsilon(0.0)
        .fit_predict(&x)
        .unwrap();
    assert_eq!(plain, zero);
    for bad in [-0.1, f64::NAN, f64::INFINITY] {
        let err = HDBSCAN::new()
            .cluster_selection_epsilon(bad)
            .fit(&x)
            .unwrap_err();
        assert!(
            err.to_string().contains("cluster_selection_epsilon"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn rows_without_a_finite_sum_are_outliers_and_all_non_finite_is_an_error() {
    let dev = Cpu::default();
    let x = dev.tensor_from_vec(vec![f64::NAN, 1.0, f64::INFINITY, 0.0], (2, 2));
    assert!(HDBSCAN::new().fit(&x).is_err());
    // One finite row is too few (scikit-learn: n_samples=1).
    let x = dev.tensor_from_vec(vec![f64::NAN, 1.0, 0.0, 0.0], (2, 2));
    assert!(HDBSCAN::new().min_cluster_size(2).fit(&x).is_err());
}
