//! MiniBatchKMeans and MeanShift against scikit-learn on `fixtures/minibatch_meanshift.json`
//! (written by `fixtures/make_minibatch_meanshift_fixtures.py`). MiniBatchKMeans draws its
//! batches and initialisations with numpy's RandomState, so for a seed its centres, labels,
//! inertia and step counts equal scikit-learn's, from given centres, k-means++ and random
//! inits, in `fit` and `partial_fit`. MeanShift, estimate_bandwidth and get_bin_seeds are
//! deterministic and match too. Error paths name the parameter.

mod common;

use common::*;
use gf_learn::cluster::{
    estimate_bandwidth, get_bin_seeds, KMeansInit, MeanShift, MiniBatchKMeans,
};
use gf_learn::prelude::*;
use serde_json::Value;

fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * w.abs().max(1.0),
            "{what}[{i}]: got {g}, scikit-learn has {w}"
        );
    }
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
fn minibatch_kmeans_fit_matches_scikit_learn() {
    let fx = read_json("minibatch_meanshift.json");
    let fx = &fx["minibatch"];
    let (rows, data) = matrix(&fx["x"]);
    let x = tensor2(data.clone(), rows);
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let mut km = MiniBatchKMeans::new()
            .n_clusters(as_usize(&case["n_clusters"]))
            .init(init_of(&case["init"]))
            .batch_size(as_usize(&case["batch_size"]))
            .tol(case["tol"].as_f64().unwrap())
            .max_iter(as_usize(&case["max_iter"]))
            .max_no_improvement(case["max_no_improvement"].as_u64().map(|m| m as usize))
            .random_state(case["random_state"].as_u64().unwrap() as u32);
        if let Some(s) = case["init_size"].as_u64() {
            km = km.init_size(s as usize);
        }
        if let Some(n) = case["n_init"].as_u64() {
            km = km.n_init(n as usize);
        }
        let labels = km.fit_predict(&x).unwrap();
        assert_eq!(
            (km.n_steps_(), km.n_iter_()),
            (
                Some(as_usize(&case["n_steps"])),
                Some(as_usize(&case["n_iter"]))
            ),
            "{name}: (n_steps, n_iter)"
        );
        assert_close(
            name,
            km.cluster_centers_().unwrap(),
            &matrix(&case["centers"]).1,
            1e-10,
        );
        assert_eq!(labels, ints(&case["labels"]), "{name}: labels");
        let inertia = case["inertia"].as_f64().unwrap();
        assert_close(name, &[km.inertia_().unwrap()], &[inertia], 1e-10);
        let first = tensor2(data[..10].to_vec(), 5);
        let dist = km.transform(&first).unwrap().to_vec();
        assert_close(name, &dist, &matrix(&case["transform"]).1, 1e-10);
        let pred: Vec<i64> = km
            .predict(&x)
            .unwrap()
            .to_vec()
            .iter()
            .map(|&l| l as i64)
            .collect();
        assert_eq!(pred, labels, "{name}: predict");
    }
}

#[test]
fn minibatch_kmeans_partial_fit_matches_scikit_learn() {
    let fx = read_json("minibatch_meanshift.json");
    let fx = &fx["minibatch"];
    let (_, data) = matrix(&fx["x"]);
    for case in fx["partial"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let mut km = MiniBatchKMeans::new()
            .n_clusters(4)
            .init(init_of(&case["init"]))
            .batch_size(100)
            .random_state(9);
        for (c, step) in case["steps"].as_array().unwrap().iter().enumerate() {
            let chunk = tensor2(data[c * 200..(c + 1) * 200].to_vec(), 100);
            km.partial_fit(&chunk).unwrap();
            let what = format!("{name} step {c}");
            assert_close(
                &what,
                km.cluster_centers_().unwrap(),
                &matrix(&step["centers"]).1,
                1e-10,
            );
            assert_eq!(
                km.labels_().unwrap(),
                ints(&step["labels"]).as_slice(),
                "{what}: labels"
            );
            assert_close(
                &what,
                &[km.inertia_().unwrap()],
                &[step["inertia"].as_f64().unwrap()],
                1e-10,
            );
            assert_eq!(
                km.n_steps_(),
                Some(as_usize(&step["n_steps"])),
                "{what}: n_steps"
            );
            assert_eq!(km.n_iter_(), None, "{what}: n_iter_ is fit's alone");
        }
    }
}

#[test]
fn mean_shift_matches_scikit_learn() {
    let fx = read_json("minibatch_meanshift.json");
    let fx = &fx["mean_shift"];
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (rows, data) = matrix(&fx[case["x"].as_str().unwrap()]);
        let x = tensor2(data.clone(), rows);
        let mut ms = MeanShift::new();
        if let Some(b) = case["bandwidth"].as_f64() {
            ms = ms.bandwidth(b);
        }
        if let Some(b) = case["bin_seeding"].as_bool() {
            ms = ms.bin_seeding(b);
        }
        if let Some(m) = case["min_bin_freq"].as_u64() {
            ms = ms.min_bin_freq(m as usize);
        }
        if let Some(c) = case["cluster_all"].as_bool() {
            ms = ms.cluster_all(c);
        }
        if let Some(m) = case["max_iter"].as_u64() {
            ms = ms.max_iter(m as usize);
        }
        if !case["seeds"].is_null() {
            ms = ms.seeds(matrix(&case["seeds"]).1);
        }
        let labels = ms.fit_predict(&x).unwrap();
        assert_close(
            name,
            ms.cluster_centers_().unwrap(),
            &matrix(&case["centers"]).1,
            1e-10,
        );
        assert_eq!(labels, ints(&case["labels"]), "{name}: labels");
        assert_eq!(
            ms.n_iter_(),
            Some(as_usize(&case["n_iter"])),
            "{name}: n_iter"
        );
        let cols = data.len() / rows;
        let scaled: Vec<f64> = data[..20 * cols].iter().map(|v| v * 1.1).collect();
        let pred: Vec<i64> = ms
            .predict(&tensor2(scaled, 20))
            .unwrap()
            .to_vec()
            .iter()
            .map(|&l| l as i64)
            .collect();
        assert_eq!(pred, ints(&case["predict"]), "{name}: predict");
    }
}

#[test]
fn estimate_bandwidth_and_bin_seeds_match_scikit_learn() {
    let fx = read_json("minibatch_meanshift.json");
    let fx = &fx["mean_shift"];
    let (rows, data) = matrix(&fx["x"]);
    let x = tensor2(data, rows);
    for case in fx["bandwidths"].as_array().unwrap() {
        let q = case["quantile"].as_f64().unwrap();
        let n = case["n_samples"].as_u64().map(|n| n as usize);
        let seed = case["random_state"].as_u64().unwrap() as u32;
        let got = estimate_bandwidth(&x, q, n, seed).unwrap();
        let want = case["bandwidth"].as_f64().unwrap();
        assert_close(&format!("bandwidth q={q} n={n:?}"), &[got], &[want], 1e-12);
    }
    for case in fx["bins"].as_array().unwrap() {
        let size = case["bin_size"].as_f64().unwrap();
        let freq = as_usize(&case["min_bin_freq"]);
        let got = get_bin_seeds(&x, size, freq).unwrap().to_vec();
        assert_close(
            &format!("bin seeds {size} {freq}"),
            &got,
            &matrix(&case["seeds"]).1,
            0.0,
        );
    }
}

fn expect_err(what: &str, result: Result<(), gf_learn::Error>, names: &str) {
    let message = result
        .err()
        .unwrap_or_else(|| panic!("{what}: expected an error"))
        .to_string();
    assert!(
        message.contains(names),
        "{what}: the error {message:?} should name {names}"
    );
}

#[test]
fn bad_input_and_parameters_are_errors_naming_them() {
    let x = tensor2(vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0], 3);
    let fit = |km: MiniBatchKMeans, x: &X| km.clone().fit(x).map(|_| ());
    expect_err(
        "k > n",
        fit(MiniBatchKMeans::new().n_clusters(4), &x),
        "n_clusters",
    );
    expect_err(
        "batch 0",
        fit(MiniBatchKMeans::new().n_clusters(2).batch_size(0), &x),
        "batch_size",
    );
    expect_err(
        "ratio",
        fit(
            MiniBatchKMeans::new()
                .n_clusters(2)
                .reassignment_ratio(-1.0),
            &x,
        ),
        "reassignment_ratio",
    );
    expect_err(
        "init shape",
        fit(
            MiniBatchKMeans::new()
                .n_clusters(2)
                .init(KMeansInit::Centers(vec![1.0])),
            &x,
        ),
        "init",
    );
    let nan = tensor2(vec![0.0, f64::NAN, 2.0, 3.0], 2);
    assert!(
        MiniBatchKMeans::new().n_clusters(1).fit(&nan).is_err(),
        "NaN is an error"
    );
    assert!(
        MiniBatchKMeans::new().n_clusters(1).predict(&x).is_err(),
        "predict before fit"
    );
    let empty = tensor2(vec![], 0);
    assert!(
        MiniBatchKMeans::new().n_clusters(1).fit(&empty).is_err(),
        "empty data is an error"
    );
    let mut km = MiniBatchKMeans::new().n_clusters(2);
    km.partial_fit(&x).unwrap();
    assert!(
        km.partial_fit(&tensor2(vec![1.0; 3], 1)).is_err(),
        "wrong width"
    );
    assert!(
        km.cluster_centers_().is_some(),
        "a failed partial_fit keeps the fit"
    );

    let ms = |m: MeanShift, x: &X| m.clone().fit(x).map(|_| ());
    expect_err(
        "bandwidth 0",
        ms(MeanShift::new().bandwidth(0.0), &x),
        "bandwidth",
    );
    expect_err(
        "bandwidth < 0",
        ms(MeanShift::new().bandwidth(-1.0), &x),
        "bandwidth",
    );
    expect_err(
        "min_bin_freq",
        ms(MeanShift::new().bandwidth(1.0).min_bin_freq(0), &x),
        "min_bin_freq",
    );
    expect_err(
        "seeds",
        ms(MeanShift::new().bandwidth(1.0).seeds(vec![1.0]), &x),
        "seeds",
    );
    let same = tensor2(vec![1.0; 6], 3);
    expect_err(
        "estimated bandwidth 0",
        ms(MeanShift::new(), &same),
        "bandwidth",
    );
    assert!(
        MeanShift::new().bandwidth(1.0).fit(&nan).is_err(),
        "NaN is an error"
    );
    assert!(
        MeanShift::new().bandwidth(1.0).fit(&empty).is_err(),
        "empty data is an error"
    );
    assert!(MeanShift::new().predict(&x).is_err(), "predict before fit");
    expect_err(
        "quantile",
        estimate_bandwidth(&x, 1.5, None, 0).map(|_| ()),
        "quantile",
    );
}
