//! AdaBoost against scikit-learn (`fixtures/adaboost.json` and `adaboost_regressor.json`,
//! written by `make_adaboost_fixtures.py`): with the same `random_state`, the classifier (SAMME)
//! gives the same votes, errors, training predictions, probabilities and decision function to
//! 1e-9, and the regressor (R2, with its weighted bootstraps) the same votes, errors and
//! predictions to 1e-9. Importances agree to 5e-3, with those of features the fixture lists as
//! tied summed: a tie between features that split a node's samples alike can be broken the
//! other way, moving credit but not predictions. Bad hyper-parameters are errors.

mod common;

use common::*;
use gf_learn::ensemble::weight_boosting::AdaBoostLoss;
use gf_learn::ensemble::{AdaBoostClassifier, AdaBoostRegressor};
use gf_learn::prelude::*;

#[test]
fn adaboost_matches_scikit_learn() {
    let fx = read_json("adaboost.json");
    for case in fx.as_array().unwrap() {
        let (name, p) = (case["data"].as_str().unwrap(), &case["params"]);
        let what = format!("{name} {p}");
        let (x, y) = classification(name);
        let mut m = AdaBoostClassifier::new()
            .n_estimators(p["n_estimators"].as_u64().unwrap() as usize)
            .random_state(p["random_state"].as_u64().unwrap())
            .max_depth(Some(case["max_depth"].as_u64().unwrap() as usize));
        if let Some(lr) = p["learning_rate"].as_f64() {
            m = m.learning_rate(lr);
        }
        let pred = m.fit(&x, &y).unwrap().predict(&x).unwrap().to_vec();
        assert_eq!(pred, usizes(&case["predict"]), "{what}: predict");
        let weights = floats(&case["estimator_weights"]);
        assert_close(
            &format!("{what} estimator_weights_"),
            m.estimator_weights_().unwrap(),
            &weights,
            1e-9,
        );
        let errors = floats(&case["estimator_errors"]);
        assert_close(
            &format!("{what} estimator_errors_"),
            m.estimator_errors_().unwrap(),
            &errors,
            1e-9,
        );
        let proba = m.predict_proba(&x).unwrap().to_vec();
        assert_close(
            &format!("{what} predict_proba"),
            &proba,
            &matrix(&case["proba"]).1,
            1e-9,
        );
        let decision = m.decision_function(&x).unwrap().to_vec();
        let want = if name == "breast_cancer" {
            floats(&case["decision"])
        } else {
            matrix(&case["decision"]).1
        };
        assert_close(&format!("{what} decision_function"), &decision, &want, 1e-9);
        let merge = |mut imp: Vec<f64>| {
            let tied = usizes(&case["tied"]);
            if let Some((&first, rest)) = tied.split_first() {
                for &f in rest {
                    imp[first] += imp[f];
                    imp[f] = 0.0;
                }
            }
            imp
        };
        let imp = merge(m.feature_importances_().unwrap());
        let want = merge(floats(&case["feature_importances"]));
        assert_close(&format!("{what} feature_importances_"), &imp, &want, 5e-3);
    }
}

#[test]
fn adaboost_regressor_matches_scikit_learn() {
    let fx = read_json("adaboost_regressor.json");
    let (x, y) = diabetes();
    for case in fx.as_array().unwrap() {
        let p = &case["params"];
        let what = format!("{p}");
        let mut m = AdaBoostRegressor::new()
            .n_estimators(p["n_estimators"].as_u64().unwrap() as usize)
            .random_state(p["random_state"].as_u64().unwrap())
            .max_depth(Some(case["max_depth"].as_u64().unwrap() as usize));
        if let Some(lr) = p["learning_rate"].as_f64() {
            m = m.learning_rate(lr);
        }
        m = m.loss(match p["loss"].as_str() {
            Some("square") => AdaBoostLoss::Square,
            Some("exponential") => AdaBoostLoss::Exponential,
            _ => AdaBoostLoss::Linear,
        });
        let pred = m.fit(&x, &y).unwrap().predict(&x).unwrap().to_vec();
        assert_close(
            &format!("{what} predict"),
            &pred,
            &floats(&case["predict"]),
            1e-9,
        );
        let weights = floats(&case["estimator_weights"]);
        let got = m.estimator_weights_().unwrap();
        assert_close(&format!("{what} estimator_weights_"), got, &weights, 1e-9);
        let errors = floats(&case["estimator_errors"]);
        let got = m.estimator_errors_().unwrap();
        assert_close(&format!("{what} estimator_errors_"), got, &errors, 1e-9);
        let imp = m.feature_importances_().unwrap();
        let want = floats(&case["feature_importances"]);
        assert_close(&format!("{what} feature_importances_"), &imp, &want, 5e-3);
    }
}

#[test]
fn invalid_adaboost_parameters_name_the_parameter() {
    let (x, y) = classification("iris");
    let cases = [
        (AdaBoostClassifier::new().n_estimators(0), "n_estimators"),
        (
            AdaBoostClassifier::new().learning_rate(0.0),
            "learning_rate",
        ),
        (AdaBoostClassifier::new().max_depth(Some(0)), "max_depth"),
    ];
    for (mut m, name) in cases {
        let msg = m.fit(&x, &y).unwrap_err().to_string();
        assert!(msg.contains(&format!("'{name}'")), "{name}: {msg}");
    }
    let err = AdaBoostClassifier::new().predict(&x).unwrap_err();
    assert!(matches!(err, gf_learn::Error::NotFitted { .. }), "{err}");
}
