//! k-nearest neighbours against scikit-learn (`fixtures/neighbors.json`): every metric and
//! weighting on standardised wine (train on the even rows, query the odd ones, so there are no
//! ties), probabilities to 1e-12, predictions exactly; the regressor on diabetes to 1e-10.

mod common;

use common::*;
use gf_core::prelude::*;
use gf_learn::neighbors::{KNeighborsClassifier, KNeighborsRegressor, Metric, Weights};
use gf_learn::prelude::*;

/// The even and odd rows of `x`.
fn split<E: Unit>(data: Vec<E>, cols: usize) -> (Vec<E>, Vec<E>) {
    let (mut even, mut odd) = (Vec::new(), Vec::new());
    for (i, row) in data.chunks(cols).enumerate() {
        if i % 2 == 0 { &mut even } else { &mut odd }.extend_from_slice(row);
    }
    (even, odd)
}

#[test]
fn k_neighbors_classifier_matches_scikit_learn_for_every_metric_and_weighting() {
    let fx = read_json("neighbors.json");
    let (x, y) = standardized("wine");
    let cols = x.dims()[1];
    let (xtr, xte) = split(x.to_vec(), cols);
    let (ytr, _) = split(y.to_vec(), 1);
    let (ntr, nte) = (xtr.len() / cols, xte.len() / cols);
    let (xtr, xte, ytr) = (tensor2(xtr, ntr), tensor2(xte, nte), tensor1(ytr));
    for (mname, metric) in [
        ("euclidean", Metric::Euclidean),
        ("manhattan", Metric::Manhattan),
        ("minkowski", Metric::Minkowski),
        ("cosine", Metric::Cosine),
    ] {
        for (wname, weights) in [
            ("uniform", Weights::Uniform),
            ("distance", Weights::Distance),
        ] {
            let key = format!("classifier_{mname}_{wname}");
            let want = &fx[&key];
            let p = if mname == "minkowski" { 3.0 } else { 2.0 };
            let mut knn = KNeighborsClassifier::new()
                .metric(metric)
                .weights(weights)
                .p(p);
            knn.fit(&xtr, &ytr).unwrap();
            let proba = knn.predict_proba(&xte).unwrap().to_vec();
            assert_close(&key, &proba, &matrix(&want["proba"]).1, 1e-12);
            assert_eq!(
                knn.predict(&xte).unwrap().to_vec(),
                usizes(&want["predict"]),
                "{key}"
            );
        }
    }
}

#[test]
fn k_neighbors_regressor_matches_scikit_learn_on_diabetes() {
    let fx = read_json("neighbors.json");
    let (x, y) = diabetes();
    let cols = x.dims()[1];
    let (xtr, xte) = split(x.to_vec(), cols);
    let (ytr, _) = split(y.to_vec(), 1);
    let (ntr, nte) = (xtr.len() / cols, xte.len() / cols);
    let (xtr, xte, ytr) = (tensor2(xtr, ntr), tensor2(xte, nte), tensor1(ytr));
    for (wname, weights) in [
        ("uniform", Weights::Uniform),
        ("distance", Weights::Distance),
    ] {
        let mut knr = KNeighborsRegressor::new().n_neighbors(7).weights(weights);
        let pred = knr.fit(&xtr, &ytr).unwrap().predict(&xte).unwrap().to_vec();
        let want = floats(&fx[format!("regressor_{wname}")]["predict"]);
        assert_close(wname, &pred, &want, 1e-10);
    }
}

#[test]
fn distance_weights_give_exact_matches_all_the_weight() {
    let x = tensor2(vec![0.0, 1.0, 2.0, 3.0], 4);
    let y = tensor1(vec![0usize, 1, 1, 1]);
    let mut knn = KNeighborsClassifier::new()
        .n_neighbors(3)
        .weights(Weights::Distance);
    let q = tensor2(vec![0.0], 1);
    let proba = knn.fit(&x, &y).unwrap().predict_proba(&q).unwrap().to_vec();
    assert_eq!(proba, vec![1.0, 0.0]);
    let (dist, idx) = knn.kneighbors(&q).unwrap();
    assert_eq!(
        (dist[0].clone(), idx[0].clone()),
        (vec![0.0, 1.0, 2.0], vec![0, 1, 2])
    );
}

#[test]
fn more_neighbours_than_samples_is_an_error() {
    let x = tensor2(vec![0.0, 1.0], 2);
    let err = KNeighborsClassifier::new()
        .fit(&x, &tensor1(vec![0usize, 1]))
        .unwrap_err();
    assert!(err.to_string().contains("n_neighbors"), "{err}");
}
