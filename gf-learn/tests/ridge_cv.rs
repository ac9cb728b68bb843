//! `RidgeCV` against scikit-learn: the chosen alpha, its score, the coefficients, intercept,
//! predictions and every stored leave-one-out error, from `fixtures/ridge_cv.json` (written by
//! `fixtures/make_ridge_cv_fixtures.py`), for the covariance, Gram and SVD forms of the
//! closed-form leave-one-out and for k-fold search. All agree to 1e-9.

mod common;

use common::*;
use gf_core::prelude::*;
use gf_learn::linear_model::{GcvMode, RidgeCV};
use gf_learn::model_selection::Cv;
use gf_learn::prelude::*;
use gf_learn::Error;
use serde_json::Value;

fn fixture() -> Value {
    read_json("ridge_cv.json")
}

/// The data set `name` of the fixture.
fn data(all: &Value, name: &str) -> (X, Tensor<(usize,), f64, Cpu>) {
    let d = &all["data"][name];
    let (rows, x) = matrix(&d["x"]);
    (tensor2(x, rows), tensor1(floats(&d["y"])))
}

/// Fits the fixture's case `key` and compares everything scikit-learn reported.
fn check(key: &str) {
    let all = fixture();
    let want = &all["cases"][key];
    let (x, y) = data(&all, want["data"].as_str().unwrap());
    let mut m = RidgeCV::new()
        .alphas(floats(&want["alphas"]))
        .fit_intercept(want["fit_intercept"].as_bool().unwrap());
    if want["gcv_mode"] == "svd" {
        m = m.gcv_mode(GcvMode::Svd);
    }
    if let Some(folds) = want.get("folds") {
        let folds = folds
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (usizes(&f[0]), usizes(&f[1])))
            .collect();
        m = m.cv(Cv::Folds(folds));
    } else {
        m = m.store_cv_results(true);
    }
    m.fit(&x, &y).unwrap();
    let tol = 1e-9;
    assert_eq!(
        m.alpha_().unwrap(),
        want["alpha"].as_f64().unwrap(),
        "{key} alpha_"
    );
    assert_close(
        &format!("{key} best_score_"),
        &[m.best_score_().unwrap()],
        &[want["best_score"].as_f64().unwrap()],
        tol,
    );
    assert_close(
        &format!("{key} coef_"),
        m.coef_().unwrap(),
        &floats(&want["coef"]),
        tol,
    );
    assert_close(
        &format!("{key} intercept_"),
        &[m.intercept_().unwrap()],
        &[want["intercept"].as_f64().unwrap()],
        tol,
    );
    let predict = m.predict(&head(&x, 5)).unwrap().to_vec();
    assert_close(
        &format!("{key} predict"),
        &predict,
        &floats(&want["predict"]),
        tol,
    );
    if let Some(cv) = want.get("cv_results") {
        let (_, cv) = matrix(cv);
        assert_close(
            &format!("{key} cv_results_"),
            m.cv_results_().unwrap(),
            &cv,
            tol,
        );
    }
}

#[test]
fn covariance_leave_one_out_matches_scikit_learn() {
    check("long_auto");
    check("long_no_intercept");
    check("defaults");
}

#[test]
fn gram_leave_one_out_matches_scikit_learn() {
    check("wide_auto");
}

#[test]
fn svd_leave_one_out_matches_scikit_learn() {
    check("long_svd");
    check("wide_svd");
    check("wide_no_intercept_svd");
}

#[test]
fn kfold_search_matches_scikit_learn() {
    check("kfold");
}

#[test]
fn bad_alphas_and_options_are_errors() {
    let all = fixture();
    let (x, y) = data(&all, "long");
    let err = |m: RidgeCV| {
        let mut m = m;
        match m.fit(&x, &y) {
            Err(Error::InvalidParameter { name, got, .. }) => format!("{name}: {got}"),
            other => panic!("expected a parameter error, got {other:?}"),
        }
    };
    assert_eq!(
        err(RidgeCV::new().alphas(vec![1.0, 0.0])),
        "alphas: alphas[1] = 0"
    );
    assert_eq!(err(RidgeCV::new().alphas(vec![])), "alphas: []");
    assert_eq!(
        err(RidgeCV::new().alphas(vec![-1.0]).cv(Cv::Splits(3))),
        "alphas: alphas[0] = -1"
    );
    assert_eq!(
        err(RidgeCV::new().cv(Cv::Splits(3)).store_cv_results(true)),
        "store_cv_results: true"
    );
    assert!(RidgeCV::new().predict(&x).is_err());
    assert!(RidgeCV::new().cv_results_().is_none());
}
