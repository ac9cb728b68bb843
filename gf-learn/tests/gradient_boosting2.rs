//! Classic gradient boosting beyond a plain fit, against scikit-learn
//! (`fixtures/gradient_boosting2.json`, written by `make_gb2_fixtures.py`): staged predictions
//! (`staged_predict`, `staged_decision_function`, `staged_predict_proba`), weighted fits
//! (`fit_weighted`), early stopping (`n_iter_no_change`: the same `n_estimators_`), warm starts
//! (continuing equals one fit) and `init='zero'`, all to 1e-8 as `gradient_boosting.rs`
//! compares plain fits; and AdaBoost's `staged_predict` / `staged_score` to 1e-9, as
//! `adaboost.rs` compares its fits. Predictions are compared on every sixth training row.
//! Bad weights and settings are errors.

mod common;

use common::*;
use gf_core::{Cpu, Tensor};
use gf_learn::ensemble::gradient_boosting::{BoostingInit, ClassificationLoss, RegressionLoss};
use gf_learn::ensemble::{
    AdaBoostClassifier, AdaBoostRegressor, GradientBoostingClassifier, GradientBoostingRegressor,
};
use gf_learn::prelude::*;
use serde_json::Value;

const TOL: f64 = 1e-8;

/// The settings every case may carry, applied to either booster.
macro_rules! configure {
    ($m:expr, $p:expr) => {{
        let (mut m, p) = ($m, $p);
        m = m
            .n_estimators(p["n_estimators"].as_u64().unwrap() as usize)
            .random_state(p["random_state"].as_u64().unwrap());
        if let Some(v) = p["learning_rate"].as_f64() {
            m = m.learning_rate(v);
        }
        if let Some(v) = p["subsample"].as_f64() {
            m = m.subsample(v);
        }
        if p["max_features"] == "sqrt" {
            m = m.max_features(gf_learn::tree::MaxFeatures::Sqrt);
        }
        if let Some(v) = p["max_depth"].as_u64() {
            m = m.max_depth(Some(v as usize));
        }
        if let Some(v) = p["n_iter_no_change"].as_u64() {
            m = m.n_iter_no_change(Some(v as usize));
        }
        if let Some(v) = p["validation_fraction"].as_f64() {
            m = m.validation_fraction(v);
        }
        if let Some(v) = p["tol"].as_f64() {
            m = m.tol(v);
        }
        if p["init"] == "zero" {
            m = m.init(BoostingInit::Zero);
        }
        m
    }};
}

fn regressor(p: &Value) -> GradientBoostingRegressor {
    let mut m = configure!(GradientBoostingRegressor::new(), p);
    m = m.loss(match p["loss"].as_str() {
        Some("absolute_error") => RegressionLoss::AbsoluteError,
        Some("huber") => RegressionLoss::Huber,
        Some("quantile") => RegressionLoss::Quantile,
        _ => RegressionLoss::SquaredError,
    });
    if let Some(a) = p["alpha"].as_f64() {
        m = m.alpha(a);
    }
    m
}

fn classifier(p: &Value) -> GradientBoostingClassifier {
    let m = configure!(GradientBoostingClassifier::new(), p);
    if p["loss"] == "exponential" {
        m.loss(ClassificationLoss::Exponential)
    } else {
        m
    }
}

/// Every sixth row of `x`, where the fixtures record predictions.
fn sixth(x: &X) -> X {
    let idx: Vec<usize> = (0..x.dims()[0]).step_by(6).collect();
    rows(x, &idx)
}

/// The fixture's sample weights: `((i * (seed + 3)) % 11) / 4`.
fn weights(n: usize, seed: u64) -> Tensor<(usize,), f64, Cpu> {
    let seed = seed as usize;
    tensor1(
        (0..n)
            .map(|i| ((i * (seed + 3)) % 11) as f64 / 4.0)
            .collect(),
    )
}

/// A fixture array of numbers or of rows of numbers, flattened.
fn flat(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .flat_map(|e| match e.as_array() {
            Some(row) => row.iter().map(|x| x.as_f64().unwrap()).collect(),
            None => vec![e.as_f64().unwrap()],
        })
        .collect()
}

fn labels(y: &Labels) -> Vec<f64> {
    y.to_vec().iter().map(|&c| c as f64).collect()
}

fn describe(case: &Value) -> String {
    format!("{} {} {}", case["kind"], case["data"], case["params"])
}

/// Compares a fitted regressor's predictions and `train_score_` with the case's.
fn check_regressor(what: &str, m: &GradientBoostingRegressor, x: &X, case: &Value) {
    let pred = m.predict(&sixth(x)).unwrap().to_vec();
    assert_close(
        &format!("{what} predict"),
        &pred,
        &flat(&case["predict"]),
        TOL,
    );
    let train = m.train_score_().unwrap();
    assert_close(
        &format!("{what} train_score_"),
        train,
        &flat(&case["train_score"]),
        TOL,
    );
}

/// Compares a fitted classifier's labels, raw scores and `train_score_` with the case's.
fn check_classifier(what: &str, m: &GradientBoostingClassifier, x: &X, case: &Value) {
    let rows = sixth(x);
    let pred = labels(&m.predict(&rows).unwrap());
    assert_eq!(pred, flat(&case["predict"]), "{what} predict");
    let raw = m.decision_function(&rows).unwrap().to_vec();
    assert_close(
        &format!("{what} decision_function"),
        &raw,
        &flat(&case["decision"]),
        TOL,
    );
    let train = m.train_score_().unwrap();
    assert_close(
        &format!("{what} train_score_"),
        train,
        &flat(&case["train_score"]),
        TOL,
    );
}

/// The final training loss of a case marked not exact (a tie broken the other way, after
/// which the boosters drift apart, as in `gradient_boosting.rs`), within 10%.
fn check_final_loss(what: &str, got: &[f64], case: &Value) {
    if let Some(n) = case["n_estimators_"].as_u64() {
        assert_eq!(got.len(), n as usize, "{what} n_estimators_");
    }
    let want = flat(&case["train_score"]);
    let (last, want) = (got.last().unwrap(), want.last().unwrap());
    assert!(
        (last - want).abs() <= 0.1 * want,
        "{what}: final loss {last} vs {want}"
    );
}

/// Fits the case (weighted when it carries a seed) and compares it.
fn fit_and_check(case: &Value) {
    let (what, p) = (describe(case), &case["params"]);
    let seed = case["seed"].as_u64();
    if case["kind"] == "reg" {
        let (x, y) = diabetes();
        let mut m = regressor(p);
        match seed {
            Some(s) => m.fit_weighted(&x, &y, &weights(x.dims()[0], s)),
            None => m.fit(&x, &y),
        }
        .unwrap();
        if case["exact"] == false {
            return check_final_loss(&what, m.train_score_().unwrap(), case);
        }
        check_regressor(&what, &m, &x, case);
        if let Some(n) = case["n_estimators_"].as_u64() {
            assert_eq!(m.n_estimators_(), Some(n as usize), "{what} n_estimators_");
        }
        if let Some(want) = case.get("oob_scores") {
            assert_close(
                &format!("{what} oob"),
                m.oob_scores_().unwrap(),
                &flat(want),
                TOL,
            );
        }
    } else {
        let (x, y) = classification(case["data"].as_str().unwrap());
        let mut m = classifier(p);
        match seed {
            Some(s) => m.fit_weighted(&x, &y, &weights(x.dims()[0], s)),
            None => m.fit(&x, &y),
        }
        .unwrap();
        if case["exact"] == false {
            return check_final_loss(&what, m.train_score_().unwrap(), case);
        }
        check_classifier(&what, &m, &x, case);
        if let Some(n) = case["n_estimators_"].as_u64() {
            assert_eq!(m.n_estimators_(), Some(n as usize), "{what} n_estimators_");
        }
        if let Some(want) = case.get("oob_scores") {
            assert_close(
                &format!("{what} oob"),
                m.oob_scores_().unwrap(),
                &flat(want),
                TOL,
            );
        }
    }
}

#[test]
fn staged_predictions_match_scikit_learn() {
    let fx = read_json("gradient_boosting2.json");
    for case in fx["staged"].as_array().unwrap() {
        let (what, p) = (describe(case), &case["params"]);
        let stages = usizes(&case["stages"]);
        let n_estimators = p["n_estimators"].as_u64().unwrap() as usize;
        if case["kind"] == "reg" {
            let (x, y) = diabetes();
            let mut m = regressor(p);
            m.fit(&x, &y).unwrap();
            let staged = m.staged_predict(&sixth(&x)).unwrap();
            assert_eq!(staged.len(), n_estimators, "{what}");
            for (s, want) in stages
                .iter()
                .zip(case["staged_predict"].as_array().unwrap())
            {
                let got = staged[*s].to_vec();
                assert_close(&format!("{what} stage {s}"), &got, &flat(want), TOL);
            }
            let last = staged.last().unwrap().to_vec();
            assert_eq!(last, m.predict(&sixth(&x)).unwrap().to_vec(), "{what}");
            continue;
        }
        let (x, y) = classification(case["data"].as_str().unwrap());
        let mut m = classifier(p);
        m.fit(&x, &y).unwrap();
        let rows = sixth(&x);
        let predicted = m.staged_predict(&rows).unwrap();
        let raw = m.staged_decision_function(&rows).unwrap();
        let proba = m.staged_predict_proba(&rows).unwrap();
        assert_eq!(predicted.len(), n_estimators, "{what}");
        assert_eq!((raw.len(), proba.len()), (n_estimators, n_estimators));
        for (j, &s) in stages.iter().enumerate() {
            let want = flat(&case["staged_predict"][j]);
            assert_eq!(labels(&predicted[s]), want, "{what} stage {s} predict");
            let want = flat(&case["staged_decision"][j]);
            assert_close(
                &format!("{what} stage {s} decision"),
                &raw[s].to_vec(),
                &want,
                TOL,
            );
            if let Some(want) = case.get("staged_proba") {
                let want = flat(&want[j]);
                assert_close(
                    &format!("{what} stage {s} proba"),
                    &proba[s].to_vec(),
                    &want,
                    TOL,
                );
            }
        }
        assert_eq!(
            proba.last().unwrap().to_vec(),
            m.predict_proba(&rows).unwrap().to_vec(),
            "{what}: the last stage is the model"
        );
    }
}

#[test]
fn weighted_fits_match_scikit_learn() {
    let fx = read_json("gradient_boosting2.json");
    for case in fx["weighted"].as_array().unwrap() {
        fit_and_check(case);
    }
}

#[test]
fn early_stopping_matches_scikit_learn() {
    let fx = read_json("gradient_boosting2.json");
    for case in fx["early"].as_array().unwrap() {
        fit_and_check(case);
    }
}

#[test]
fn init_zero_matches_scikit_learn() {
    let fx = read_json("gradient_boosting2.json");
    for case in fx["zero"].as_array().unwrap() {
        fit_and_check(case);
    }
}

#[test]
fn warm_start_continues_to_one_fit() {
    let fx = read_json("gradient_boosting2.json");
    for case in fx["warm"].as_array().unwrap() {
        let (what, p) = (describe(case), &case["params"]);
        let first = case["first"].as_u64().unwrap() as usize;
        let n = p["n_estimators"].as_u64().unwrap() as usize;
        if case["kind"] == "reg" {
            let (x, y) = diabetes();
            let mut m = regressor(p).n_estimators(first).warm_start(true);
            m.fit(&x, &y).unwrap();
            let mut m = m.n_estimators(n);
            m.fit(&x, &y).unwrap();
            assert_eq!(m.n_estimators_(), Some(n));
            let mut single = regressor(p);
            single.fit(&x, &y).unwrap();
            let (a, b) = (m.predict(&x).unwrap(), single.predict(&x).unwrap());
            assert_close(
                &format!("{what} vs one fit"),
                &a.to_vec(),
                &b.to_vec(),
                1e-12,
            );
            check_regressor(&what, &m, &x, case);
        } else {
            let (x, y) = classification(case["data"].as_str().unwrap());
            let mut m = classifier(p).n_estimators(first).warm_start(true);
            m.fit(&x, &y).unwrap();
            let mut m = m.n_estimators(n);
            m.fit(&x, &y).unwrap();
            assert_eq!(m.n_estimators_(), Some(n));
            let mut single = classifier(p);
            single.fit(&x, &y).unwrap();
            let a = m.decision_function(&x).unwrap().to_vec();
            let b = single.decision_function(&x).unwrap().to_vec();
            assert_close(&format!("{what} vs one fit"), &a, &b, 1e-12);
            check_classifier(&what, &m, &x, case);
        }
    }
}

#[test]
fn adaboost_staged_predictions_match_scikit_learn() {
    let fx = read_json("gradient_boosting2.json");
    for case in fx["adaboost"].as_array().unwrap() {
        let (what, p) = (describe(case), &case["params"]);
        let stages = usizes(&case["stages"]);
        let depth = case["max_depth"].as_u64().map(|d| d as usize);
        let n_est = p["n_estimators"].as_u64().unwrap() as usize;
        let seed = p["random_state"].as_u64().unwrap();
        let want_scores = flat(&case["staged_score"]);
        if case["kind"] == "reg" {
            let (x, y) = diabetes();
            let mut m = AdaBoostRegressor::new()
                .n_estimators(n_est)
                .random_state(seed)
                .max_depth(depth);
            m.fit(&x, &y).unwrap();
            let staged = m.staged_predict(&sixth(&x)).unwrap();
            for (s, want) in stages
                .iter()
                .zip(case["staged_predict"].as_array().unwrap())
            {
                let got = staged[*s].to_vec();
                assert_close(&format!("{what} stage {s}"), &got, &flat(want), 1e-9);
            }
            let last = staged.last().unwrap().to_vec();
            assert_eq!(last, m.predict(&sixth(&x)).unwrap().to_vec(), "{what}");
            let scores = m.staged_score(&x, &y).unwrap();
            assert_close(&format!("{what} staged_score"), &scores, &want_scores, 1e-9);
        } else {
            let (x, y) = classification(case["data"].as_str().unwrap());
            let mut m = AdaBoostClassifier::new()
                .n_estimators(n_est)
                .random_state(seed)
                .max_depth(depth);
            if let Some(lr) = p["learning_rate"].as_f64() {
                m = m.learning_rate(lr);
            }
            m.fit(&x, &y).unwrap();
            let staged = m.staged_predict(&sixth(&x)).unwrap();
            for (s, want) in stages
                .iter()
                .zip(case["staged_predict"].as_array().unwrap())
            {
                assert_eq!(labels(&staged[*s]), flat(want), "{what} stage {s}");
            }
            let last = staged.last().unwrap().to_vec();
            assert_eq!(last, m.predict(&sixth(&x)).unwrap().to_vec(), "{what}");
            let scores = m.staged_score(&x, &y).unwrap();
            assert_close(&format!("{what} staged_score"), &scores, &want_scores, 1e-9);
        }
    }
}

#[test]
fn bad_weights_and_settings_are_errors() {
    let (x, y) = diabetes();
    let n = x.dims()[0];
    let msg = |r: gf_learn::Result<&mut GradientBoostingRegressor>| r.unwrap_err().to_string();
    let mut w = vec![1.0; n];
    w[3] = -1.0;
    let m = &mut GradientBoostingRegressor::new().n_estimators(2);
    let e = msg(m.fit_weighted(&x, &y, &tensor1(w)));
    assert!(e.contains("sample_weight[3]"), "{e}");
    let e = msg(m.fit_weighted(&x, &y, &tensor1(vec![1.0; n - 1])));
    assert!(e.contains("sample_weight has"), "{e}");
    let e = msg(m.fit_weighted(&x, &y, &tensor1(vec![0.0; n])));
    assert!(e.contains("sample_weight"), "{e}");
    for v in [0.0, 1.0, -0.5] {
        let m = &mut GradientBoostingRegressor::new()
            .n_iter_no_change(Some(2))
            .validation_fraction(v);
        let e = msg(m.fit(&x, &y));
        assert!(e.contains("'validation_fraction'"), "{v}: {e}");
    }
    let m = &mut GradientBoostingRegressor::new().n_iter_no_change(Some(0));
    assert!(msg(m.fit(&x, &y)).contains("'n_iter_no_change'"));
    let mut m = GradientBoostingRegressor::new()
        .n_estimators(5)
        .warm_start(true);
    m.fit(&x, &y).unwrap();
    let mut m = m.n_estimators(3);
    let e = msg(m.fit(&x, &y));
    assert!(e.contains("'n_estimators'"), "{e}");
    // Without warm_start a smaller refit starts over.
    let mut m = m.warm_start(false);
    m.fit(&x, &y).unwrap();
    assert_eq!(m.n_estimators_(), Some(3));

    let (xc, yc) = classification("iris");
    // Weights leaving a single class with weight.
    let w: Vec<f64> = yc
        .to_vec()
        .iter()
        .map(|&c| f64::from(u8::from(c == 0)))
        .collect();
    let mut m = GradientBoostingClassifier::new().n_estimators(2);
    let e = m
        .fit_weighted(&xc, &yc, &tensor1(w))
        .unwrap_err()
        .to_string();
    assert!(e.contains("2 classes"), "{e}");
    let err = GradientBoostingClassifier::new()
        .staged_predict(&xc)
        .unwrap_err();
    assert!(matches!(err, gf_learn::Error::NotFitted { .. }), "{err}");
    let err = AdaBoostRegressor::new().staged_predict(&x).unwrap_err();
    assert!(matches!(err, gf_learn::Error::NotFitted { .. }), "{err}");
}
