//! BaggingClassifier / BaggingRegressor against scikit-learn on `fixtures/bagging.json`
//! (written by `fixtures/make_bagging_fixtures.py`). The draws are GhostFlow's, not numpy's, so
//! the test compares quality: over `random_state` 0..4, the mean held-out accuracy is within
//! 1 point of scikit-learn's (R² within 0.01) and so is the mean out-of-bag score.

mod common;

use common::*;
use gf_learn::ensemble::{BaggingClassifier, BaggingRegressor, Draw};
use gf_learn::linear_model::RidgeClassifier;
use gf_learn::neighbors::KNeighborsClassifier;
use gf_learn::prelude::*;
use gf_learn::tree::{DecisionTreeClassifier, DecisionTreeRegressor};
use gf_learn::Error;
use serde_json::Value;

fn case(name: &str) -> Value {
    read_json("bagging.json")
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()
        .clone()
}

/// The training rows (those not in the stored test indices) and the test rows.
fn split(n: usize, case: &Value) -> (Vec<usize>, Vec<usize>) {
    let test = usizes(&case["test"]);
    (
        (0..n).filter(|i| test.binary_search(i).is_err()).collect(),
        test,
    )
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn assert_same_quality(name: &str, what: &str, ours: &[f64], theirs: &[f64], tol: f64) {
    let (a, b) = (mean(ours), mean(theirs));
    eprintln!("{name} {what}: ours {a:.4}, scikit-learn {b:.4}");
    assert!(
        (a - b).abs() <= tol,
        "{name} {what}: ours {a:.4} ({ours:?}), scikit-learn {b:.4} ({theirs:?})"
    );
}

fn classifier_case(name: &str, make: impl Fn(u64) -> BaggingClassifier) {
    let fx = case(name);
    let (x, y) = classification(fx["dataset"].as_str().unwrap());
    let (train, test) = split(x.dims()[0], &fx);
    let (xt, yt, xs, ys) = (
        rows(&x, &train),
        pick(&y, &train),
        rows(&x, &test),
        pick(&y, &test),
    );
    let (mut scores, mut oob) = (Vec::new(), Vec::new());
    for seed in 0..5 {
        let mut m = make(seed);
        m.fit(&xt, &yt).unwrap();
        scores.push(m.score(&xs, &ys).unwrap());
        oob.push(m.oob_score_().unwrap());
        let proba = m.predict_proba(&head(&xs, 4)).unwrap().to_vec();
        let k = m.classes_().unwrap().len();
        assert!(proba
            .chunks(k)
            .all(|r| (r.iter().sum::<f64>() - 1.0).abs() < 1e-12));
    }
    assert_same_quality(
        name,
        "held-out accuracy",
        &scores,
        &floats(&fx["scores"]),
        0.01,
    );
    assert_same_quality(
        name,
        "out-of-bag accuracy",
        &oob,
        &floats(&fx["oob_scores"]),
        0.01,
    );
}

#[test]
fn bagged_trees_classify_digits_as_well_as_scikit_learn() {
    classifier_case("trees_digits", |s| {
        BaggingClassifier::new(DecisionTreeClassifier::new())
            .n_estimators(50)
            .oob_score(true)
            .random_state(s)
    });
}

#[test]
fn bagged_neighbours_on_half_the_samples_and_features_match_scikit_learn() {
    classifier_case("knn_half_digits", |s| {
        BaggingClassifier::new(KNeighborsClassifier::new().n_neighbors(5))
            .n_estimators(50)
            .max_samples(Draw::Fraction(0.5))
            .max_features(Draw::Fraction(0.5))
            .oob_score(true)
            .random_state(s)
    });
}

#[test]
fn bagged_regression_trees_reach_scikit_learns_r2() {
    let fx = case("trees_diabetes");
    let (x, y) = diabetes();
    let (train, test) = split(x.dims()[0], &fx);
    let (xt, yt, xs, ys) = (
        rows(&x, &train),
        pick(&y, &train),
        rows(&x, &test),
        pick(&y, &test),
    );
    let (mut scores, mut oob) = (Vec::new(), Vec::new());
    for seed in 0..5 {
        let mut m = BaggingRegressor::new(DecisionTreeRegressor::new().min_samples_leaf(5))
            .n_estimators(100)
            .oob_score(true)
            .random_state(seed);
        m.fit(&xt, &yt).unwrap();
        scores.push(m.score(&xs, &ys).unwrap());
        oob.push(m.oob_score_().unwrap());
        assert_eq!(m.oob_prediction_().unwrap().len(), train.len());
    }
    assert_same_quality(
        "trees_diabetes",
        "held-out R2",
        &scores,
        &floats(&fx["scores"]),
        0.01,
    );
    assert_same_quality(
        "trees_diabetes",
        "out-of-bag R2",
        &oob,
        &floats(&fx["oob_scores"]),
        0.01,
    );
}

#[test]
fn draws_follow_the_settings() {
    let (x, y) = classification("iris");
    let mut m = BaggingClassifier::default()
        .n_estimators(4)
        .max_samples(Draw::Count(30))
        .max_features(Draw::Fraction(0.5))
        .bootstrap(false);
    m.fit(&x, &y).unwrap();
    for (samples, features) in m
        .estimators_samples_()
        .unwrap()
        .iter()
        .zip(m.estimators_features_().unwrap())
    {
        assert_eq!(samples.len(), 30);
        assert!(
            samples.windows(2).all(|w| w[0] < w[1]),
            "without replacement: distinct"
        );
        assert_eq!(features.len(), 2);
    }
    // The same seed gives the same ensemble; another seed another.
    let again = m
        .clone()
        .fit(&x, &y)
        .unwrap()
        .predict_proba(&x)
        .unwrap()
        .to_vec();
    assert_eq!(again, m.predict_proba(&x).unwrap().to_vec());
    // A member without predict_proba votes.
    let mut votes = BaggingClassifier::new(RidgeClassifier::new()).n_estimators(5);
    votes.fit(&x, &y).unwrap();
    let p = votes.predict_proba(&head(&x, 3)).unwrap().to_vec();
    assert!(
        p.iter()
            .all(|v| (v * 5.0 - (v * 5.0).round()).abs() < 1e-12),
        "{p:?}"
    );
}

#[test]
fn bad_bagging_settings_are_errors_that_say_what_is_wrong() {
    let (x, y) = classification("iris");
    let err = BaggingClassifier::default()
        .n_estimators(0)
        .fit(&x, &y)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidParameter {
                name: "n_estimators",
                ..
            }
        ),
        "{err}"
    );
    let err = BaggingClassifier::default()
        .max_samples(Draw::Count(151))
        .fit(&x, &y)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidParameter {
                name: "max_samples",
                ..
            }
        ),
        "{err}"
    );
    let err = BaggingClassifier::default()
        .max_features(Draw::Fraction(1.5))
        .fit(&x, &y)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidParameter {
                name: "max_features",
                ..
            }
        ),
        "{err}"
    );
    let err = BaggingClassifier::default()
        .bootstrap(false)
        .oob_score(true)
        .fit(&x, &y)
        .unwrap_err();
    assert!(
        err.to_string().contains("only available if bootstrap=true"),
        "{err}"
    );
    let fitted = BaggingClassifier::default().fit(&x, &y).unwrap().clone();
    let narrow = tensor2(vec![1.0; 6], 2);
    assert!(fitted.predict(&narrow).is_err());
    assert!(matches!(
        BaggingRegressor::default().predict(&x).unwrap_err(),
        Error::NotFitted { .. }
    ));
}
