//! Birch against scikit-learn on `fixtures/birch.json` (written by
//! `fixtures/make_birch_fixtures.py`): 2-D and 5-D blobs of 300 samples, thresholds 0.5, 1.0
//! and 1.5, branching factors 50 and 5 (so that nodes split), `n_clusters` None and 3. The
//! subcluster centres (in scikit-learn's leaf order) agree to 1e-9, the subcluster labels, the
//! training labels and the labels predicted for new points exactly, the distances of `transform`
//! to 1e-9; `partial_fit` in two batches gives scikit-learn's tree. Bad input is an `Err`.

mod common;

use common::*;
use gf_learn::cluster::Birch;
use gf_learn::prelude::*;
use gf_learn::Error;
use serde_json::Value;

const TOL: f64 = 1e-9;

fn ints(v: &Value) -> Vec<i64> {
    floats(v).into_iter().map(|x| x as i64).collect()
}

fn data(fx: &Value, d: &Value) -> (X, X) {
    let set = &fx["datasets"][d.as_u64().unwrap() as usize];
    let (rows, x) = matrix(&set["x"]);
    let (new_rows, new) = matrix(&set["new"]);
    (tensor2(x, rows), tensor2(new, new_rows))
}

fn birch(case: &Value) -> Birch {
    Birch::new()
        .threshold(case["threshold"].as_f64().unwrap())
        .branching_factor(case["branching_factor"].as_u64().unwrap() as usize)
}

/// The largest absolute difference, for the report of each test.
fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn fit_matches_scikit_learn() {
    let fx = read_json("birch.json");
    let (mut worst_centers, mut worst_transform) = (0.0f64, 0.0f64);
    for case in fx["cases"].as_array().unwrap() {
        let what = format!(
            "data {} threshold {} branching_factor {}",
            case["data"], case["threshold"], case["branching_factor"]
        );
        let (x, new) = data(&fx, &case["data"]);
        let (_, centers) = matrix(&case["centers"]);
        for (key, n_clusters) in [("none", None), ("three", Some(3))] {
            let want = &case[key];
            let mut b = birch(case).n_clusters(n_clusters);
            b.fit(&x).unwrap();
            let got = b.subcluster_centers_().unwrap();
            assert_close(&format!("{what}: centers"), got, &centers, TOL);
            worst_centers = worst_centers.max(max_diff(got, &centers));
            assert_eq!(
                b.subcluster_labels_()
                    .unwrap()
                    .iter()
                    .map(|&l| l as i64)
                    .collect::<Vec<_>>(),
                ints(&want["subcluster_labels"]),
                "{what} {key}: subcluster_labels_"
            );
            assert_eq!(
                b.labels_().unwrap(),
                ints(&want["labels"]).as_slice(),
                "{what} {key}: labels_"
            );
            assert_eq!(
                b.predict(&new)
                    .unwrap()
                    .to_vec()
                    .into_iter()
                    .map(|l| l as i64)
                    .collect::<Vec<_>>(),
                ints(&want["predict"]),
                "{what} {key}: predict"
            );
            assert_eq!(b.too_few_subclusters_(), Some(false));
            if key == "three" {
                let (_, want_t) = matrix(&case["transform"]);
                let t = b.transform(&head(&new, 1)).unwrap();
                assert_eq!(t.dims(), [1, centers.len() / x.dims()[1]]);
                assert_close(&format!("{what}: transform"), &t.to_vec(), &want_t, TOL);
                worst_transform = worst_transform.max(max_diff(&t.to_vec(), &want_t));
            }
        }
    }
    eprintln!(
        "Birch fit: max |centers - sklearn| = {worst_centers:e}, max |transform - sklearn| = {worst_transform:e}"
    );
}

#[test]
fn partial_fit_in_two_batches_matches_scikit_learn() {
    let fx = read_json("birch.json");
    for case in fx["partial"].as_array().unwrap() {
        let what = format!(
            "data {} threshold {} branching_factor {}",
            case["data"], case["threshold"], case["branching_factor"]
        );
        let (x, _) = data(&fx, &case["data"]);
        let n = x.dims()[0];
        let first: Vec<usize> = (0..120).collect();
        let rest: Vec<usize> = (120..n).collect();
        let mut b = birch(case);
        b.partial_fit(&rows(&x, &first)).unwrap();
        let (_, want_first) = matrix(&case["centers_first"]);
        assert_close(
            &format!("{what}: first batch centers"),
            b.subcluster_centers_().unwrap(),
            &want_first,
            TOL,
        );
        b.partial_fit(&rows(&x, &rest)).unwrap();
        let (_, want) = matrix(&case["centers"]);
        assert_close(
            &format!("{what}: centers"),
            b.subcluster_centers_().unwrap(),
            &want,
            TOL,
        );
        assert_eq!(
            b.subcluster_labels_()
                .unwrap()
                .iter()
                .map(|&l| l as i64)
                .collect::<Vec<_>>(),
            ints(&case["subcluster_labels"]),
            "{what}: subcluster_labels_"
        );
        // labels_ are those of the last batch, as in scikit-learn.
        assert_eq!(
            b.labels_().unwrap(),
            ints(&case["labels"]).as_slice(),
            "{what}: labels_"
        );
        assert_eq!(b.n_features_in_(), Some(x.dims()[1]));
        assert_eq!(
            b.subcluster_n_samples_().unwrap().iter().sum::<usize>(),
            n,
            "{what}: every sample is in one subcluster"
        );
    }
}

#[test]
fn fewer_subclusters_than_n_clusters_are_the_clusters() {
    let fx = read_json("birch.json");
    let case = &fx["few"][0];
    assert!(case["warned"].as_bool().unwrap());
    let (x, _) = data(&fx, &case["data"]);
    let mut b = Birch::new()
        .threshold(case["threshold"].as_f64().unwrap())
        .n_clusters(Some(case["n_clusters"].as_u64().unwrap() as usize));
    b.fit(&x).unwrap();
    let (_, want) = matrix(&case["centers"]);
    assert_close("centers", b.subcluster_centers_().unwrap(), &want, TOL);
    assert_eq!(b.too_few_subclusters_(), Some(true));
    assert_eq!(
        b.subcluster_labels_()
            .unwrap()
            .iter()
            .map(|&l| l as i64)
            .collect::<Vec<_>>(),
        ints(&case["subcluster_labels"])
    );
    assert_eq!(b.labels_().unwrap(), ints(&case["labels"]).as_slice());
}

#[test]
fn fit_predict_and_global_clustering_agree_with_fit() {
    let fx = read_json("birch.json");
    let case = &fx["cases"][2];
    let (x, _) = data(&fx, &case["data"]);
    let mut a = birch(case).n_clusters(None);
    let labels = a.fit_predict(&x).unwrap();
    assert_eq!(labels, ints(&case["none"]["labels"]));
    // Re-running only the global step with n_clusters = 3 gives the fit with 3.
    a = a.n_clusters(Some(3));
    a.global_clustering().unwrap();
    assert_eq!(
        a.subcluster_labels_()
            .unwrap()
            .iter()
            .map(|&l| l as i64)
            .collect::<Vec<_>>(),
        ints(&case["three"]["subcluster_labels"])
    );
    assert_eq!(a.n_leaves_(), Some(1));
}

#[test]
fn bad_input_is_an_error() {
    let fx = read_json("birch.json");
    let (x, _) = data(&fx, &fx["cases"][0]["data"]);
    let empty = tensor2(Vec::new(), 0);
    assert!(matches!(
        Birch::new().fit(&empty),
        Err(Error::InvalidInput { .. })
    ));
    let mut nan = x.to_vec();
    nan[2 * 7 + 1] = f64::NAN;
    match Birch::new().fit(&tensor2(nan, x.dims()[0])) {
        Err(Error::NonFinite { row, col, .. }) => assert_eq!((row, col), (7, 1)),
        other => panic!("expected NonFinite, got {:?}", other.err()),
    }
    for t in [0.0, -1.0, f64::NAN] {
        match Birch::new().threshold(t).fit(&x) {
            Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "threshold"),
            other => panic!(
                "threshold {t}: expected InvalidParameter, got {:?}",
                other.err()
            ),
        }
    }
    for bf in [0, 1] {
        match Birch::new().branching_factor(bf).fit(&x) {
            Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "branching_factor"),
            other => panic!(
                "branching_factor {bf}: expected InvalidParameter, got {:?}",
                other.err()
            ),
        }
    }
    match Birch::new().n_clusters(Some(0)).fit(&x) {
        Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "n_clusters"),
        other => panic!("expected InvalidParameter, got {:?}", other.err()),
    }
    let wide = tensor2(vec![0.0; 9], 3);
    assert!(matches!(
        Birch::new().predict(&x),
        Err(Error::NotFitted { .. })
    ));
    let mut b = Birch::new();
    b.fit(&x).unwrap();
    let before = b.subcluster_centers_().unwrap().to_vec();
    assert!(matches!(b.predict(&wide), Err(Error::InvalidInput { .. })));
    assert!(matches!(
        b.transform(&wide),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        b.partial_fit(&wide),
        Err(Error::InvalidInput { .. })
    ));
    // The rejected batch left the fitted tree as it was.
    assert_eq!(b.subcluster_centers_().unwrap(), before.as_slice());
}
