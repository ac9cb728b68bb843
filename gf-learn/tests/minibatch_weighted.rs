//! MiniBatchKMeans with `sample_weight` against scikit-learn 1.9.1 on
//! `fixtures/minibatch_weighted.json` (written by `fixtures/make_minibatch_weighted_fixtures.py`):
//! `fit_weighted` from given centres (one of them with `batch_size = n_samples`), k-means++
//! and random inits, with and without an init subsample, and `partial_fit_weighted` on four
//! weighted chunks. Centres and inertias agree to 1e-10 (relative), labels are equal.

mod common;

use common::*;
use gf_learn::cluster::{KMeansInit, MiniBatchKMeans};
use gf_learn::prelude::*;
use serde_json::Value;

fn worst(got: &[f64], want: &[f64]) -> f64 {
    assert_eq!(got.len(), want.len());
    got.iter()
        .zip(want)
        .map(|(g, w)| (g - w).abs() / w.abs().max(1.0))
        .fold(0.0, f64::max)
}

fn ints(v: &Value) -> Vec<i64> {
    floats(v).into_iter().map(|x| x as i64).collect()
}

fn init_of(v: &Value) -> KMeansInit {
    match v.as_str() {
        Some("k-means++") => KMeansInit::KMeansPlusPlus,
        Some("random") => KMeansInit::Random,
        Some(other) => panic!("unknown init {other}"),
        None => KMeansInit::Centers(matrix(v).1),
    }
}

fn as_usize(v: &Value) -> usize {
    v.as_u64().unwrap() as usize
}

#[test]
fn fit_weighted_matches_scikit_learn() {
    let fx = read_json("minibatch_weighted.json");
    let (rows, data) = matrix(&fx["x"]);
    let x = tensor2(data, rows);
    let w = tensor1(floats(&fx["w"]));
    let mut max_diff = 0.0f64;
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let mut km = MiniBatchKMeans::new()
            .n_clusters(as_usize(&case["n_clusters"]))
            .init(init_of(&case["init"]))
            .batch_size(as_usize(&case["batch_size"]))
            .max_iter(as_usize(&case["max_iter"]))
            .max_no_improvement(case["max_no_improvement"].as_u64().map(|m| m as usize))
            .random_state(case["random_state"].as_u64().unwrap() as u32);
        if let Some(s) = case["init_size"].as_u64() {
            km = km.init_size(s as usize);
        }
        if let Some(n) = case["n_init"].as_u64() {
            km = km.n_init(n as usize);
        }
        km.fit_weighted(&x, &w).unwrap();
        assert_eq!(
            km.n_steps_(),
            Some(as_usize(&case["n_steps"])),
            "{name}: n_steps"
        );
        let d = worst(
            km.cluster_centers_().unwrap(),
            &floats_flat(&case["centers"]),
        );
        assert!(d <= 1e-10, "{name}: centres differ by {d:e}");
        let di = worst(
            &[km.inertia_().unwrap()],
            &[case["inertia"].as_f64().unwrap()],
        );
        assert!(di <= 1e-10, "{name}: inertia differs by {di:e}");
        assert_eq!(
            km.labels_().unwrap(),
            ints(&case["labels"]).as_slice(),
            "{name}: labels"
        );
        max_diff = max_diff.max(d).max(di);
    }
    eprintln!("fit_weighted: largest relative difference {max_diff:e}");
}

fn floats_flat(v: &Value) -> Vec<f64> {
    matrix(v).1
}

#[test]
fn partial_fit_weighted_matches_scikit_learn() {
    let fx = read_json("minibatch_weighted.json");
    let (_, data) = matrix(&fx["x"]);
    let w = floats(&fx["w"]);
    let mut max_diff = 0.0f64;
    for case in fx["partial"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let mut km = MiniBatchKMeans::new()
            .n_clusters(4)
            .init(init_of(&case["init"]))
            .batch_size(50)
            .random_state(9);
        for (c, step) in case["steps"].as_array().unwrap().iter().enumerate() {
            let chunk = tensor2(data[c * 100..(c + 1) * 100].to_vec(), 50);
            let wc = tensor1(w[c * 50..(c + 1) * 50].to_vec());
            km.partial_fit_weighted(&chunk, &wc).unwrap();
            let d = worst(
                km.cluster_centers_().unwrap(),
                &floats_flat(&step["centers"]),
            );
            assert!(d <= 1e-10, "{name} step {c}: centres differ by {d:e}");
            let di = worst(
                &[km.inertia_().unwrap()],
                &[step["inertia"].as_f64().unwrap()],
            );
            assert!(di <= 1e-10, "{name} step {c}: inertia differs by {di:e}");
            assert_eq!(
                km.labels_().unwrap(),
                ints(&step["labels"]).as_slice(),
                "{name} step {c}: labels"
            );
            max_diff = max_diff.max(d).max(di);
        }
    }
    eprintln!("partial_fit_weighted: largest relative difference {max_diff:e}");
}

#[test]
fn bad_weights_are_errors_naming_them() {
    let x = tensor2((0..20).map(f64::from).collect(), 10);
    for w in [vec![1.0; 9], {
        let mut w = vec![1.0; 10];
        w[2] = -1.0;
        w
    }] {
        let err = MiniBatchKMeans::new()
            .n_clusters(2)
            .fit_weighted(&x, &tensor1(w.clone()))
            .unwrap_err();
        assert!(err.to_string().contains("sample_weight"), "{err}");
        let err = MiniBatchKMeans::new()
            .n_clusters(2)
            .partial_fit_weighted(&x, &tensor1(w))
            .unwrap_err();
        assert!(err.to_string().contains("sample_weight"), "{err}");
    }
    // A bad batch after a good one keeps the fitted state.
    let mut km = MiniBatchKMeans::new().n_clusters(2);
    km.partial_fit_weighted(&x, &tensor1(vec![1.0; 10]))
        .unwrap();
    let before = km.cluster_centers_().unwrap().to_vec();
    assert!(km.partial_fit_weighted(&x, &tensor1(vec![1.0; 3])).is_err());
    assert_eq!(km.cluster_centers_().unwrap(), before.as_slice());
}
