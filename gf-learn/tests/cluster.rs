//! KMeans and DBSCAN against scikit-learn on `fixtures/kmeans.json` and `fixtures/dbscan.json`
//! (written by `fixtures/make_cluster_fixtures.py`): from given centres, labels, centres,
//! inertia and iteration count equal scikit-learn's for both algorithms, also when a repeated
//! centre leaves a cluster empty; k-means++ (whose
//! random draws differ from numpy's) reaches an inertia within 1% of scikit-learn's best.

mod common;

use common::*;
use gf_learn::cluster::{KMeans, KMeansAlgorithm, KMeansInit, DBSCAN};
use gf_learn::prelude::*;

fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * w.abs().max(1.0),
            "{what}[{i}]: got {g}, scikit-learn has {w}"
        );
    }
}

#[test]
fn kmeans_from_given_centres_matches_scikit_learn() {
    let fx = read_json("kmeans.json");
    let (rows, data) = matrix(&fx["x"]);
    let x = tensor2(data, rows);
    let (k, init) = matrix(&fx["init"]);
    for (name, algorithm) in [
        ("lloyd", KMeansAlgorithm::Lloyd),
        ("elkan", KMeansAlgorithm::Elkan),
    ] {
        let want = &fx["given_init"][name];
        let mut km = KMeans::new()
            .n_clusters(k)
            .init(KMeansInit::Centers(init.clone()))
            .algorithm(algorithm);
        let labels = km.fit_predict(&x).unwrap();
        let want_labels: Vec<i64> = usizes(&want["labels"]).iter().map(|&l| l as i64).collect();
        assert_eq!(labels, want_labels, "{name} labels");
        assert_eq!(km.labels_().unwrap(), want_labels.as_slice());
        let (_, centers) = matrix(&want["centers"]);
        assert_close(name, km.cluster_centers_().unwrap(), &centers, 1e-12);
        let inertia = want["inertia"].as_f64().unwrap();
        assert_close(name, &[km.inertia_().unwrap()], &[inertia], 1e-12);
        assert_eq!(
            km.n_iter_(),
            Some(want["n_iter"].as_u64().unwrap() as usize),
            "{name} n_iter"
        );
        let first = tensor2(x.to_vec()[..5 * x.dims()[1]].to_vec(), 5);
        let (_, dist) = matrix(&want["transform"]);
        assert_close(name, &km.transform(&first).unwrap().to_vec(), &dist, 1e-10);
        let pred: Vec<i64> = km
            .predict(&x)
            .unwrap()
            .to_vec()
            .iter()
            .map(|&l| l as i64)
            .collect();
        assert_eq!(pred, want_labels, "{name} predict");
        assert_close(name, &[km.score(&x).unwrap()], &[-inertia], 1e-12);
    }
}

#[test]
fn kmeans_moves_an_empty_cluster_as_scikit_learn_does() {
    let fx = read_json("kmeans.json");
    let (rows, data) = matrix(&fx["x"]);
    let x = tensor2(data, rows);
    let case = &fx["repeated_init"];
    let (k, init) = matrix(&case["init"]);
    for (name, algorithm) in [
        ("lloyd", KMeansAlgorithm::Lloyd),
        ("elkan", KMeansAlgorithm::Elkan),
    ] {
        let want = &case[name];
        let mut km = KMeans::new()
            .n_clusters(k)
            .init(KMeansInit::Centers(init.clone()))
            .algorithm(algorithm);
        let labels = km.fit_predict(&x).unwrap();
        let want_labels: Vec<i64> = usizes(&want["labels"]).iter().map(|&l| l as i64).collect();
        assert_eq!(labels, want_labels, "{name} labels");
        let (_, centers) = matrix(&want["centers"]);
        assert_close(name, km.cluster_centers_().unwrap(), &centers, 1e-12);
        let inertia = want["inertia"].as_f64().unwrap();
        assert_close(name, &[km.inertia_().unwrap()], &[inertia], 1e-12);
        assert_eq!(
            km.n_iter_(),
            Some(want["n_iter"].as_u64().unwrap() as usize),
            "{name} n_iter"
        );
    }
}

#[test]
fn kmeans_plus_plus_inertia_is_within_one_percent_of_scikit_learn() {
    let fx = read_json("kmeans.json");
    let (rows, data) = matrix(&fx["x"]);
    let x = tensor2(data, rows);
    for case in ["kmeanspp_k5_n_init10", "kmeanspp_k8_n_init10"] {
        let c = &fx[case];
        let best = floats(&c["inertias"])
            .into_iter()
            .fold(f64::INFINITY, f64::min);
        for algorithm in [KMeansAlgorithm::Lloyd, KMeansAlgorithm::Elkan] {
            let mut km = KMeans::new()
                .n_clusters(c["n_clusters"].as_u64().unwrap() as usize)
                .n_init(c["n_init"].as_u64().unwrap() as usize)
                .algorithm(algorithm)
                .random_state(0);
            km.fit(&x).unwrap();
            let got = km.inertia_().unwrap();
            assert!(
                got <= best * 1.01,
                "{case} {algorithm:?}: inertia {got}, scikit-learn's best is {best}"
            );
        }
    }
}

#[test]
fn kmeans_random_init_and_seeds_are_reproducible() {
    let fx = read_json("kmeans.json");
    let (rows, data) = matrix(&fx["x"]);
    let x = tensor2(data, rows);
    let fit = |seed| {
        let mut km = KMeans::new()
            .n_clusters(5)
            .init(KMeansInit::Random)
            .random_state(seed);
        km.fit(&x).unwrap();
        (km.labels_().unwrap().to_vec(), km.inertia_().unwrap())
    };
    assert_eq!(fit(3), fit(3));
    let best = floats(&fx["kmeanspp_k5_n_init10"]["inertias"])
        .into_iter()
        .fold(f64::INFINITY, f64::min);
    assert!(
        fit(3).1 <= best * 1.01,
        "random init with 10 runs: {}",
        fit(3).1
    );
}

#[test]
fn kmeans_rejects_bad_input_naming_the_parameter() {
    let x = tensor2(vec![0.0, 0.0, 1.0, 1.0, 5.0, 5.0], 3);
    let err = KMeans::new().fit(&x).unwrap_err();
    assert!(err.to_string().contains("n_clusters=8"), "{err}");
    let err = KMeans::new().n_clusters(0).fit(&x).unwrap_err();
    assert!(err.to_string().contains("'n_clusters'"), "{err}");
    let err = KMeans::new().n_clusters(2).tol(-1.0).fit(&x).unwrap_err();
    assert!(err.to_string().contains("'tol'"), "{err}");
    let err = KMeans::new()
        .n_clusters(2)
        .init(KMeansInit::Centers(vec![0.0; 3]))
        .fit(&x)
        .unwrap_err();
    assert!(err.to_string().contains("'init'"), "{err}");
    let nan = tensor2(vec![0.0, 0.0, 1.0, f64::NAN, 5.0, 5.0], 3);
    let err = KMeans::new().n_clusters(2).fit(&nan).unwrap_err();
    assert!(err.to_string().contains("row 1, column 1"), "{err}");
    let empty = tensor2(vec![], 0);
    let err = KMeans::new().n_clusters(2).fit(&empty).unwrap_err();
    assert!(err.to_string().contains("0 samples"), "{err}");
    let err = KMeans::new().predict(&x).unwrap_err();
    assert!(err.to_string().contains("not fitted"), "{err}");
    let mut km = KMeans::new().n_clusters(2);
    km.fit(&x).unwrap();
    let wide = tensor2(vec![0.0; 3], 1);
    let err = km.predict(&wide).unwrap_err();
    assert!(err.to_string().contains("3 features"), "{err}");
}

#[test]
fn dbscan_labels_and_core_samples_match_scikit_learn() {
    for case in read_json("dbscan.json").as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (rows, data) = matrix(&case["x"]);
        let x = tensor2(data, rows);
        let mut db = DBSCAN::new()
            .eps(case["eps"].as_f64().unwrap())
            .min_samples(case["min_samples"].as_u64().unwrap() as usize);
        let labels = db.fit_predict(&x).unwrap();
        let want: Vec<i64> = case["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        assert_eq!(labels, want, "{name} labels");
        let core = usizes(&case["core_sample_indices"]);
        assert_eq!(
            db.core_sample_indices_().unwrap(),
            core.as_slice(),
            "{name} core samples"
        );
        let cols = x.dims()[1];
        let all = x.to_vec();
        let components: Vec<f64> = core
            .iter()
            .flat_map(|&i| all[i * cols..(i + 1) * cols].to_vec())
            .collect();
        assert_eq!(
            db.components_().unwrap(),
            components.as_slice(),
            "{name} components"
        );
    }
}

#[test]
fn dbscan_rejects_bad_input_naming_the_parameter() {
    let x = tensor2(vec![0.0, 0.0, 1.0, 1.0, 5.0, 5.0], 3);
    let err = DBSCAN::new().eps(0.0).fit(&x).unwrap_err();
    assert!(err.to_string().contains("'eps'"), "{err}");
    let err = DBSCAN::new().min_samples(0).fit(&x).unwrap_err();
    assert!(err.to_string().contains("'min_samples'"), "{err}");
    let nan = tensor2(vec![0.0, 0.0, 1.0, 1.0, f64::NAN, 5.0], 3);
    let err = DBSCAN::new().fit(&nan).unwrap_err();
    assert!(err.to_string().contains("row 2, column 0"), "{err}");
    let empty = tensor2(vec![], 0);
    assert!(DBSCAN::new().fit(&empty).is_err());
    assert!(DBSCAN::new().labels_().is_none());
}
