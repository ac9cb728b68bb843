//! VotingClassifier / VotingRegressor and StackingClassifier / StackingRegressor against
//! scikit-learn on `fixtures/ensembles.json` (written by `fixtures/make_ensemble_fixtures.py`):
//! hard and soft votes, weighted or not, predict the same classes with the same
//! probabilities; stacking resolves the same member methods, stacks the same out-of-fold
//! features (the same stratified folds, binary probabilities without their first column,
//! passthrough) and predicts as scikit-learn's.

mod common;

use common::*;
use gf_learn::ensemble::{
    DynClassifier, DynRegressor, StackMethod, StackingClassifier, StackingRegressor, Voting,
    VotingClassifier, VotingRegressor,
};
use gf_learn::linear_model::{LinearRegression, LogisticRegression, Ridge, RidgeClassifier};
use gf_learn::naive_bayes::GaussianNB;
use gf_learn::neighbors::{KNeighborsClassifier, KNeighborsRegressor};
use gf_learn::pipeline::Pipeline;
use gf_learn::prelude::*;
use gf_learn::preprocessing::StandardScaler;
use gf_learn::svm::SVC;
use gf_learn::tree::{DecisionTreeClassifier, DecisionTreeRegressor};
use gf_learn::Error;
use serde_json::Value;

fn lr() -> LogisticRegression {
    LogisticRegression::new().tol(1e-10).max_iter(10_000)
}

/// The member the fixture script calls `name`, with the same settings.
fn classifier(name: &str) -> Box<dyn DynClassifier> {
    match name {
        "lr" => Box::new(lr()),
        "nb" => Box::new(GaussianNB::new()),
        "tree" => Box::new(DecisionTreeClassifier::new().random_state(0)),
        "knn" => Box::new(KNeighborsClassifier::new().n_neighbors(5)),
        "ridge" => Box::new(RidgeClassifier::new()),
        "svc" => Box::new(SVC::new()),
        other => panic!("no member {other}"),
    }
}

fn regressor(name: &str) -> Box<dyn DynRegressor> {
    match name {
        "ridge_reg" => Box::new(Ridge::new().alpha(1.0)),
        "knn_reg" => Box::new(KNeighborsRegressor::new().n_neighbors(10)),
        "tree_reg" => Box::new(
            DecisionTreeRegressor::new()
                .max_depth(Some(4))
                .random_state(0),
        ),
        other => panic!("no member {other}"),
    }
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

fn dataset(name: &str) -> (X, Labels) {
    match name.strip_suffix("_std") {
        Some(base) => standardized(base),
        None => classification(name),
    }
}

#[test]
fn voting_classifiers_vote_as_scikit_learn() {
    let fx = read_json("ensembles.json");
    for case in fx["voting"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (x, y) = dataset(case["dataset"].as_str().unwrap());
        let voting = if case["voting"] == "soft" {
            Voting::Soft
        } else {
            Voting::Hard
        };
        let weights = case["weights"].as_array().map(|_| floats(&case["weights"]));
        let mut model = names(&case["members"])
            .iter()
            .fold(VotingClassifier::new(), |v, m| {
                v.estimator(m, classifier(m))
            })
            .voting(voting)
            .weights(weights);
        model.fit(&x, &y).unwrap();
        assert_eq!(
            model.predict(&x).unwrap().to_vec(),
            usizes(&case["predict"]),
            "{name} predict"
        );
        let (rows, transform) = matrix(&case["transform"]);
        assert_close(
            name,
            &model.transform(&head(&x, rows)).unwrap().to_vec(),
            &transform,
            1e-6,
        );
        if voting == Voting::Soft {
            let (rows, proba) = matrix(&case["proba"]);
            assert_close(
                name,
                &model.predict_proba(&head(&x, rows)).unwrap().to_vec(),
                &proba,
                1e-6,
            );
        } else {
            assert!(model
                .predict_proba(&x)
                .unwrap_err()
                .to_string()
                .contains("voting='hard'"));
        }
    }
}

#[test]
fn stacking_classifiers_stack_out_of_fold_outputs_as_scikit_learn() {
    let fx = read_json("ensembles.json");
    for case in fx["stacking"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (x, y) = dataset(case["dataset"].as_str().unwrap());
        let method = match case["stack_method"].as_str().unwrap() {
            "predict" => StackMethod::Predict,
            _ => StackMethod::Auto,
        };
        let mut model = names(&case["members"])
            .iter()
            .fold(StackingClassifier::new(), |s, m| {
                s.estimator(m, classifier(m))
            })
            .final_estimator(lr())
            .stack_method(method)
            .passthrough(case["passthrough"].as_bool().unwrap());
        model.fit(&x, &y).unwrap();
        let resolved: Vec<String> = model
            .stack_method_()
            .unwrap()
            .iter()
            .map(|m| {
                match m {
                    StackMethod::PredictProba => "predict_proba",
                    StackMethod::DecisionFunction => "decision_function",
                    _ => "predict",
                }
                .to_string()
            })
            .collect();
        assert_eq!(
            resolved,
            names(&case["stack_method_"]),
            "{name} stack_method_"
        );
        let (rows, transform) = matrix(&case["transform"]);
        assert_close(
            name,
            &model.transform(&head(&x, rows)).unwrap().to_vec(),
            &transform,
            1e-6,
        );
        let (rows, proba) = matrix(&case["proba"]);
        assert_close(
            name,
            &model.predict_proba(&head(&x, rows)).unwrap().to_vec(),
            &proba,
            1e-6,
        );
        assert_eq!(
            model.predict(&x).unwrap().to_vec(),
            usizes(&case["predict"]),
            "{name} predict"
        );
    }
}

#[test]
fn voting_and_stacking_regressors_match_scikit_learn() {
    let fx = read_json("ensembles.json");
    let (x, y) = diabetes();
    let case = &fx["voting_regressor"];
    let mut vote = names(&case["members"])
        .iter()
        .fold(VotingRegressor::new(), |v, m| v.estimator(m, regressor(m)))
        .weights(Some(floats(&case["weights"])));
    vote.fit(&x, &y).unwrap();
    assert_close(
        "voting regressor",
        &vote.predict(&x).unwrap().to_vec(),
        &floats(&case["predict"]),
        1e-9,
    );
    assert_eq!(vote.transform(&x).unwrap().dims(), [x.dims()[0], 3]);

    let case = &fx["stacking_regressor"];
    let mut stack = names(&case["members"]).iter().fold(
        StackingRegressor::new().final_estimator(LinearRegression::new()),
        |s, m| s.estimator(m, regressor(m)),
    );
    stack.fit(&x, &y).unwrap();
    let (rows, transform) = matrix(&case["transform"]);
    assert_close(
        "stacking transform",
        &stack.transform(&head(&x, rows)).unwrap().to_vec(),
        &transform,
        1e-9,
    );
    assert_close(
        "stacking regressor",
        &stack.predict(&x).unwrap().to_vec(),
        &floats(&case["predict"]),
        1e-8,
    );

    // scikit-learn's default final estimator, RidgeCV (it picks alpha = 10 here).
    let case = &fx["stacking_regressor_ridge_cv"];
    let mut stack = names(&case["members"])
        .iter()
        .fold(StackingRegressor::new(), |s, m| {
            s.estimator(m, regressor(m))
        });
    stack.fit(&x, &y).unwrap();
    assert_eq!(stack.final_estimator_().unwrap().name(), "RidgeCV");
    assert_close(
        "stacking regressor (RidgeCV)",
        &stack.predict(&x).unwrap().to_vec(),
        &floats(&case["predict"]),
        1e-8,
    );
}

#[test]
fn a_pipeline_is_an_ensemble_member() {
    // Scaling inside the member: a soft vote of a scaled SVC and naive Bayes on raw features.
    let (x, y) = classification("wine");
    let mut vote = VotingClassifier::new()
        .estimator(
            "svc",
            Pipeline::new(StandardScaler::new(), SVC::new().probability(true)),
        )
        .estimator("nb", GaussianNB::new())
        .voting(Voting::Soft);
    vote.fit(&x, &y).unwrap();
    assert!(vote.score(&x, &y).unwrap() > 0.97);
    assert_eq!(vote.named_estimator_("svc").unwrap().name(), "Pipeline");
}

#[test]
fn bad_ensembles_are_errors_that_say_what_is_wrong() {
    let (x, y) = classification("iris");
    let err = VotingClassifier::new().fit(&x, &y).unwrap_err();
    assert!(err.to_string().contains("non-empty list"), "{err}");
    let err = VotingClassifier::new()
        .estimator("a", GaussianNB::new())
        .estimator("a", lr())
        .fit(&x, &y)
        .unwrap_err();
    assert!(err.to_string().contains("'a' is repeated"), "{err}");
    let err = VotingClassifier::new()
        .estimator("a", GaussianNB::new())
        .weights(Some(vec![1.0, 2.0]))
        .fit(&x, &y)
        .unwrap_err();
    assert!(
        err.to_string().contains("1 estimators and 2 weights"),
        "{err}"
    );
    // Soft voting needs probabilities: an SVC without `probability` has none.
    let err = VotingClassifier::new()
        .estimator("svc", SVC::new())
        .voting(Voting::Soft)
        .fit(&x, &y)
        .unwrap_err();
    assert!(err.to_string().contains("member 'svc' (SVC)"), "{err}");
    // A method the member lacks, asked for by name.
    let err = StackingClassifier::new()
        .estimator("ridge", RidgeClassifier::new())
        .stack_method(StackMethod::PredictProba)
        .fit(&x, &y)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("ridge (RidgeClassifier) does not implement the method PredictProba"),
        "{err}"
    );
    let err = StackingClassifier::new()
        .estimator("nb", GaussianNB::new())
        .cv(1)
        .fit(&x, &y)
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidParameter { name: "cv", .. }),
        "{err}"
    );
    assert!(matches!(
        StackingClassifier::new().predict(&x).unwrap_err(),
        Error::NotFitted { .. }
    ));
    // A member's own invalid hyper-parameter surfaces unchanged.
    let err = VotingClassifier::new()
        .estimator("knn", KNeighborsClassifier::new().n_neighbors(0))
        .fit(&x, &y)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidParameter {
                name: "n_neighbors",
                ..
            }
        ),
        "{err}"
    );
}
