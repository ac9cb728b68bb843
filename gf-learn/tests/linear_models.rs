//! Linear models against scikit-learn: coefficients, intercepts, predictions and probabilities
//! from `fixtures/linear_models.json` (written by `fixtures/make_fixtures.py`). The exact
//! solvers (least squares, ridge) agree to 1e-10; the iterative ones, run to a tight
//! tolerance on both sides, agree to 1e-7 (coordinate descent) and 1e-6 (L-BFGS).

mod common;

use common::*;
use gf_learn::linear_model::{
    ClassWeight, ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge, RidgeClassifier,
    RidgeSolver,
};
use gf_learn::prelude::*;
use serde_json::Value;

fn fixture(key: &str) -> Value {
    read_json("linear_models.json")[key].clone()
}

/// Compares a fitted regressor's coefficients, intercept and first predictions.
#[track_caller]
fn check_regressor(key: &str, coef: &[f64], intercept: f64, predict: &[f64], tol: f64) {
    let want = fixture(key);
    assert_close(&format!("{key} coef"), coef, &floats(&want["coef"]), tol);
    assert_close(
        &format!("{key} intercept"),
        &[intercept],
        &[want["intercept"].as_f64().unwrap()],
        tol,
    );
    let n = want["predict"].as_array().unwrap().len();
    assert_close(
        &format!("{key} predict"),
        &predict[..n],
        &floats(&want["predict"]),
        tol,
    );
}

#[test]
fn linear_regression_matches_scikit_learn_on_diabetes() {
    let (x, y) = diabetes();
    for (key, fit_intercept) in [
        ("linear_regression", true),
        ("linear_regression_no_intercept", false),
    ] {
        let mut m = LinearRegression::new().fit_intercept(fit_intercept);
        m.fit(&x, &y).unwrap();
        let pred = m.predict(&x).unwrap().to_vec();
        check_regressor(
            key,
            m.coef_().unwrap(),
            m.intercept_().unwrap(),
            &pred,
            1e-10,
        );
    }
}

#[test]
fn ridge_solvers_match_scikit_learn_on_diabetes() {
    let (x, y) = diabetes();
    for (key, alpha, solver) in [
        ("ridge_cholesky", 0.5, RidgeSolver::Cholesky),
        ("ridge_svd", 0.5, RidgeSolver::Svd),
        ("ridge_default", 1.0, RidgeSolver::Auto),
    ] {
        let mut m = Ridge::new().alpha(alpha).solver(solver);
        m.fit(&x, &y).unwrap();
        let pred = m.predict(&x).unwrap().to_vec();
        check_regressor(
            key,
            m.coef_().unwrap(),
            m.intercept_().unwrap(),
            &pred,
            1e-10,
        );
    }
}

#[test]
fn ridge_with_more_features_than_samples_takes_the_dual_path() {
    let (x, y) = diabetes();
    let (x8, y8) = (head(&x, 8), tensor1(y.to_vec()[..8].to_vec()));
    let mut m = Ridge::new().alpha(2.0);
    m.fit(&x8, &y8).unwrap();
    let pred = m.predict(&x8).unwrap().to_vec();
    check_regressor(
        "ridge_wide",
        m.coef_().unwrap(),
        m.intercept_().unwrap(),
        &pred,
        1e-10,
    );
}

#[test]
fn ridge_classifier_matches_scikit_learn_on_wine_and_iris() {
    for name in ["wine", "iris"] {
        let (x, y) = classification(name);
        let want = fixture(&format!("ridge_classifier_{name}"));
        let mut m = RidgeClassifier::new();
        m.fit(&x, &y).unwrap();
        let (_, coef) = matrix(&want["coef"]);
        assert_close(name, &m.coef_().unwrap().to_vec(), &coef, 1e-9);
        assert_close(
            name,
            m.intercept_().unwrap(),
            &floats(&want["intercept"]),
            1e-9,
        );
        let (rows, decision) = matrix(&want["decision"]);
        let got = m.decision_function(&head(&x, rows)).unwrap().to_vec();
        assert_close(name, &got, &decision, 1e-9);
        assert_eq!(
            m.predict(&x).unwrap().to_vec(),
            usizes(&want["predict"]),
            "{name}"
        );
    }
}

#[test]
fn lasso_and_elastic_net_reach_scikit_learns_optimum() {
    let (x, y) = diabetes();
    let mut lasso = Lasso::new().alpha(0.1).tol(1e-12).max_iter(100_000);
    lasso.fit(&x, &y).unwrap();
    let pred = lasso.predict(&x).unwrap().to_vec();
    check_regressor(
        "lasso",
        lasso.coef_().unwrap(),
        lasso.intercept_().unwrap(),
        &pred,
        1e-7,
    );

    let mut enet = ElasticNet::new()
        .alpha(0.01)
        .l1_ratio(0.7)
        .tol(1e-12)
        .max_iter(100_000);
    enet.fit(&x, &y).unwrap();
    let pred = enet.predict(&x).unwrap().to_vec();
    check_regressor(
        "elastic_net",
        enet.coef_().unwrap(),
        enet.intercept_().unwrap(),
        &pred,
        1e-7,
    );
}

#[test]
fn lasso_with_default_tolerance_takes_scikit_learns_sweeps() {
    let (x, y) = diabetes();
    let mut lasso = Lasso::new().alpha(0.1);
    lasso.fit(&x, &y).unwrap();
    let want = fixture("lasso_default");
    // The same sweeps as scikit-learn's (gap-safe screening included), so the same stop and
    // the same coefficients up to rounding.
    assert_eq!(
        lasso.n_iter_().unwrap(),
        want["n_iter"].as_f64().unwrap() as usize,
        "n_iter"
    );
    assert_close(
        "lasso_default",
        lasso.coef_().unwrap(),
        &floats(&want["coef"]),
        1e-9,
    );
    assert!(lasso.dual_gap_().unwrap() >= 0.0);
}

#[test]
fn logistic_regression_matches_scikit_learn() {
    for (key, model) in [
        ("logistic_binary", LogisticRegression::new()),
        ("logistic_multinomial", LogisticRegression::new()),
        (
            "logistic_balanced",
            LogisticRegression::new()
                .c(0.5)
                .class_weight(ClassWeight::Balanced),
        ),
        (
            "logistic_no_intercept",
            LogisticRegression::new().c(10.0).fit_intercept(false),
        ),
    ] {
        let want = fixture(key);
        let (x, y) = standardized(want["dataset"].as_str().unwrap());
        let mut m = model.tol(1e-10).max_iter(10_000);
        m.fit(&x, &y).unwrap();
        let (_, coef) = matrix(&want["coef"]);
        assert_close(key, &m.coef_().unwrap().to_vec(), &coef, 1e-6);
        assert_close(
            key,
            m.intercept_().unwrap(),
            &floats(&want["intercept"]),
            1e-6,
        );
        let (rows, proba) = matrix(&want["proba"]);
        let got = m.predict_proba(&head(&x, rows)).unwrap().to_vec();
        assert_close(key, &got, &proba, 1e-7);
        assert_eq!(
            m.predict(&x).unwrap().to_vec(),
            usizes(&want["predict"]),
            "{key}"
        );
        let score = m.score(&x, &y).unwrap();
        assert_eq!(score, want["score"].as_f64().unwrap(), "{key} score");
    }
}

#[test]
fn logistic_regression_with_default_tolerance_predicts_as_scikit_learn() {
    let want = fixture("logistic_multinomial");
    let (x, y) = standardized("iris");
    let mut m = LogisticRegression::new();
    m.fit(&x, &y).unwrap();
    assert!(m.n_iter_().unwrap() <= 100);
    let (rows, proba) = matrix(&want["proba"]);
    let got = m.predict_proba(&head(&x, rows)).unwrap().to_vec();
    assert_close("default tol", &got, &proba, 1e-3);
    assert_eq!(m.predict(&x).unwrap().to_vec(), usizes(&want["predict"]));
}
