//! Random forests and extra trees against scikit-learn (`fixtures/forests.json`, written by
//! `make_forest_fixtures.py`): with the same `random_state`, the same trees (every depth), the
//! same training predictions, feature importances and out-of-bag score and predictions, to
//! 1e-10; bad hyper-parameters are errors.

mod common;

use common::*;
use gf_learn::ensemble::forest::{
    ExtraTrees, ForestClassifier, ForestKind, ForestRegressor, RandomTrees,
};
use gf_learn::ensemble::{RandomForestClassifier, RandomForestRegressor};
use gf_learn::prelude::*;
use gf_learn::tree::{ClassificationCriterion, MaxFeatures};
use serde_json::Value;

fn classifier<K: ForestKind>(p: &Value) -> ForestClassifier<K> {
    let mut m = ForestClassifier::<K>::new()
        .n_estimators(p["n_estimators"].as_u64().unwrap() as usize)
        .random_state(p["random_state"].as_u64().unwrap());
    if let Some(d) = p["max_depth"].as_u64() {
        m = m.max_depth(Some(d as usize));
    }
    if p["oob_score"] == true {
        m = m.oob_score(true);
    }
    if let Some(b) = p["bootstrap"].as_bool() {
        m = m.bootstrap(b);
    }
    if let Some(n) = p["max_samples"].as_u64() {
        m = m.max_samples(Some(n as usize));
    }
    if p["criterion"] == "entropy" {
        m = m.criterion(ClassificationCriterion::Entropy);
    }
    m
}

fn regressor<K: ForestKind>(p: &Value) -> ForestRegressor<K> {
    let mut m = ForestRegressor::<K>::new()
        .n_estimators(p["n_estimators"].as_u64().unwrap() as usize)
        .random_state(p["random_state"].as_u64().unwrap());
    if p["oob_score"] == true {
        m = m.oob_score(true);
    }
    if p["max_features"] == "sqrt" {
        m = m.max_features(MaxFeatures::Sqrt);
    }
    if let Some(n) = p["min_samples_leaf"].as_u64() {
        m = m.min_samples_leaf(n as usize);
    }
    m
}

/// The fitted forest's tree depths, training predictions, importances and out-of-bag score
/// and predictions.
type Fitted = (Vec<usize>, Vec<f64>, Vec<f64>, Option<(f64, Vec<f64>)>);

fn fit_regressor<K: ForestKind>(p: &Value) -> Fitted {
    let (x, y) = diabetes();
    let mut m = regressor::<K>(p);
    let pred = m.fit(&x, &y).unwrap().predict(&x).unwrap().to_vec();
    let oob = m.oob_score_().zip(m.oob_prediction_());
    let depths = m.tree_depths().unwrap();
    (depths, pred, m.feature_importances_().unwrap(), oob)
}

fn fit_classifier<K: ForestKind>(name: &str, p: &Value) -> Fitted {
    let (x, y) = classification(name);
    let mut m = classifier::<K>(p);
    let pred = m.fit(&x, &y).unwrap().predict_proba(&x).unwrap().to_vec();
    let oob = m.oob_score_().zip(m.oob_decision_function_());
    let depths = m.tree_depths().unwrap();
    (depths, pred, m.feature_importances_().unwrap(), oob)
}

#[test]
fn forests_match_scikit_learn_tree_for_tree() {
    let fx = read_json("forests.json");
    for case in fx.as_array().unwrap() {
        let (name, p) = (case["data"].as_str().unwrap(), &case["params"]);
        let what = format!("{} {name} {p}", case["kind"]);
        let (depths, pred, importances, oob) = match case["kind"].as_str().unwrap() {
            "clf" => fit_classifier::<RandomTrees>(name, p),
            "extra_clf" => fit_classifier::<ExtraTrees>(name, p),
            "reg" => fit_regressor::<RandomTrees>(p),
            _ => fit_regressor::<ExtraTrees>(p),
        };
        let want_depths: Vec<usize> = usizes(&case["depths"]);
        assert_eq!(depths, want_depths, "{what}: tree depths");
        let flat = |v: &Value| {
            if name == "diabetes" {
                floats(v)
            } else {
                matrix(v).1
            }
        };
        assert_close(
            &format!("{what} predictions"),
            &pred,
            &flat(&case["predict"]),
            1e-10,
        );
        assert_close(
            &format!("{what} feature_importances_"),
            &importances,
            &floats(&case["feature_importances"]),
            1e-10,
        );
        match (oob, case.get("oob_score")) {
            (Some((score, oob)), Some(want)) => {
                assert_close(
                    &format!("{what} oob_score_"),
                    &[score],
                    &[want.as_f64().unwrap()],
                    1e-12,
                );
                assert_close(
                    &format!("{what} out-of-bag predictions"),
                    &oob,
                    &flat(&case["oob"]),
                    1e-10,
                );
            }
            (None, None) => {}
            (got, want) => panic!("{what}: oob {got:?} vs scikit-learn {want:?}"),
        }
    }
}

#[test]
fn threads_do_not_change_the_forest() {
    let (x, y) = classification("wine");
    let fit = |threads| {
        on_threads(threads, || {
            let mut m = RandomForestClassifier::new()
                .n_estimators(6)
                .random_state(9);
            m.fit(&x, &y).unwrap().predict_proba(&x).unwrap().to_vec()
        })
    };
    assert_eq!(fit(1), fit(2));
}

#[test]
fn invalid_forest_parameters_name_the_parameter() {
    let x = tensor2(vec![0.0, 1.0, 2.0, 3.0], 4);
    let y = tensor1(vec![0.0, 1.0, 2.0, 3.0]);
    let cases: Vec<(RandomForestRegressor, &str)> = vec![
        (RandomForestRegressor::new().n_estimators(0), "n_estimators"),
        (
            RandomForestRegressor::new().max_samples(Some(5)),
            "max_samples",
        ),
        (
            RandomForestRegressor::new()
                .oob_score(true)
                .bootstrap(false),
            "oob_score",
        ),
        (
            RandomForestRegressor::new().min_samples_leaf(0),
            "min_samples_leaf",
        ),
    ];
    for (mut m, name) in cases {
        let msg = m.fit(&x, &y).unwrap_err().to_string();
        assert!(msg.contains(&format!("'{name}'")), "{name}: {msg}");
    }
    let err = RandomForestClassifier::new().predict(&x).unwrap_err();
    assert!(matches!(err, gf_learn::Error::NotFitted { .. }), "{err}");
}
