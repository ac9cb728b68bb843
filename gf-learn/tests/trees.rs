//! Decision trees against scikit-learn (`fixtures/trees.json`, written by
//! `make_tree_fixtures.py`): for each parity case the same split features and node count,
//! thresholds to 1e-12, training predictions and feature importances to 1e-10; held-out
//! scores of fully grown trees on four datasets over 5 seeds, equal to 1e-12; the errors for
//! bad input and hyper-parameters.

mod common;

use common::*;
use gf_learn::linear_model::ClassWeight;
use gf_learn::prelude::*;
use gf_learn::tree::{
    ClassificationCriterion, DecisionTreeClassifier, DecisionTreeRegressor, MaxFeatures,
    RegressionCriterion, Splitter,
};
use gf_learn::Error;
use serde_json::Value;

fn classifier(params: &Value) -> DecisionTreeClassifier {
    let mut m = DecisionTreeClassifier::new();
    if params["splitter"] == "random" {
        m = m.splitter(Splitter::Random);
    }
    if params["max_features"] == "sqrt" {
        m = m.max_features(MaxFeatures::Sqrt);
    }
    if let Some(seed) = params["random_state"].as_u64() {
        m = m.random_state(seed);
    }
    if let Some(d) = params["max_depth"].as_u64() {
        m = m.max_depth(Some(d as usize));
    }
    if params["criterion"] == "entropy" {
        m = m.criterion(ClassificationCriterion::Entropy);
    }
    if let Some(n) = params["max_leaf_nodes"].as_u64() {
        m = m.max_leaf_nodes(Some(n as usize));
    }
    if let Some(n) = params["min_samples_leaf"].as_u64() {
        m = m.min_samples_leaf(n as usize);
    }
    if let Some(f) = params["min_weight_fraction_leaf"].as_f64() {
        m = m.min_weight_fraction_leaf(f);
    }
    if let Some(w) = params["class_weight"].as_object() {
        let pairs = w
            .iter()
            .map(|(k, v)| (k.parse().unwrap(), v.as_f64().unwrap()))
            .collect();
        m = m.class_weight(ClassWeight::Custom(pairs));
    }
    if let Some(a) = params["ccp_alpha"].as_f64() {
        m = m.ccp_alpha(a);
    }
    if let Some(a) = params["min_impurity_decrease"].as_f64() {
        m = m.min_impurity_decrease(a);
    }
    m
}

fn regressor(params: &Value) -> DecisionTreeRegressor {
    let mut m = DecisionTreeRegressor::new();
    if params["splitter"] == "random" {
        m = m.splitter(Splitter::Random);
    }
    if params["max_features"] == "sqrt" {
        m = m.max_features(MaxFeatures::Sqrt);
    }
    if let Some(seed) = params["random_state"].as_u64() {
        m = m.random_state(seed);
    }
    if let Some(d) = params["max_depth"].as_u64() {
        m = m.max_depth(Some(d as usize));
    }
    if params["criterion"] == "absolute_error" {
        m = m.criterion(RegressionCriterion::AbsoluteError);
    }
    if let Some(n) = params["max_leaf_nodes"].as_u64() {
        m = m.max_leaf_nodes(Some(n as usize));
    }
    if let Some(n) = params["min_samples_leaf"].as_u64() {
        m = m.min_samples_leaf(n as usize);
    }
    if let Some(f) = params["min_weight_fraction_leaf"].as_f64() {
        m = m.min_weight_fraction_leaf(f);
    }
    if let Some(a) = params["ccp_alpha"].as_f64() {
        m = m.ccp_alpha(a);
    }
    m
}

/// Sample `i` weighing `i % 3` when the case says `"sample_weight": "mod3"`.
fn mod3_weights(params: &Value, n: usize) -> Option<gf_learn::traits::Target<f64>> {
    (params["sample_weight"] == "mod3").then(|| tensor1((0..n).map(|i| (i % 3) as f64).collect()))
}

/// Each parity case's differences from scikit-learn, or none.
fn parity_differences(case: &Value) -> Vec<String> {
    let (name, params) = (case["data"].as_str().unwrap(), &case["params"]);
    let (shape, nodes, pred, importances) = if name == "diabetes" {
        let (x, y) = diabetes();
        let mut m = regressor(params);
        match mod3_weights(params, x.dims()[0]) {
            Some(w) => m.fit_weighted(&x, &y, &w).unwrap(),
            None => m.fit(&x, &y).unwrap(),
        };
        let pred = m.predict(&x).unwrap().to_vec();
        let shape = (m.node_count(), m.get_depth(), m.get_n_leaves());
        (
            shape,
            m.tree_().unwrap(),
            pred,
            m.feature_importances_().unwrap(),
        )
    } else {
        let (x, y) = classification(name);
        let mut m = classifier(params);
        match mod3_weights(params, x.dims()[0]) {
            Some(w) => m.fit_weighted(&x, &y, &w).unwrap(),
            None => m.fit(&x, &y).unwrap(),
        };
        let pred = m.predict_proba(&x).unwrap().to_vec();
        let shape = (m.node_count(), m.get_depth(), m.get_n_leaves());
        (
            shape,
            m.tree_().unwrap(),
            pred,
            m.feature_importances_().unwrap(),
        )
    };
    let size = |k: &str| Some(case[k].as_u64().unwrap() as usize);
    let mut out = Vec::new();
    let want_shape = (size("node_count"), size("depth"), size("n_leaves"));
    if shape != want_shape {
        out.push(format!(
            "(node_count, depth, n_leaves) {shape:?}, scikit-learn {want_shape:?}"
        ));
    }
    let features: Vec<i64> = case["feature"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    if nodes.feature != features {
        out.push(format!(
            "split features {:?}, scikit-learn {features:?}",
            nodes.feature
        ));
    }
    let want_pred = if name == "diabetes" {
        floats(&case["predict"])
    } else {
        matrix(&case["predict"]).1
    };
    for (what, got, want, tol) in [
        (
            "thresholds",
            &nodes.threshold,
            floats(&case["threshold"]),
            1e-12,
        ),
        ("predictions", &pred, want_pred, 1e-10),
        (
            "feature_importances_",
            &importances,
            floats(&case["feature_importances"]),
            1e-10,
        ),
    ] {
        let close = got.len() == want.len()
            && got
                .iter()
                .zip(&want)
                .all(|(g, w)| (g - w).abs() <= tol * g.abs().max(w.abs()).max(1.0));
        if !close {
            out.push(format!("{what} differ beyond {tol:e}"));
        }
    }
    out
}

#[test]
fn trees_match_scikit_learn_node_for_node() {
    let fx = read_json("trees.json");
    let mut failures = Vec::new();
    for case in fx["parity"].as_array().unwrap() {
        for d in parity_differences(case) {
            failures.push(format!("{} {}: {d}", case["data"], case["params"]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fully_grown_trees_score_as_scikit_learns_on_held_out_data() {
    let fx = read_json("trees.json");
    for name in ["breast_cancer", "wine", "iris", "diabetes"] {
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for run in fx["heldout"][name].as_array().unwrap() {
            let (tr, te) = (usizes(&run["train"]), usizes(&run["test"]));
            theirs.push(run["score"].as_f64().unwrap());
            ours.push(if name == "diabetes" {
                let (x, y) = diabetes();
                let mut m = DecisionTreeRegressor::new();
                m.fit(&rows(&x, &tr), &pick(&y, &tr)).unwrap();
                m.score(&rows(&x, &te), &pick(&y, &te)).unwrap()
            } else {
                let (x, y) = classification(name);
                let mut m = DecisionTreeClassifier::new();
                m.fit(&rows(&x, &tr), &pick(&y, &tr)).unwrap();
                m.score(&rows(&x, &te), &pick(&y, &te)).unwrap()
            });
        }
        // The same seed draws scikit-learn's feature order, so even fully grown trees, which
        // tie often deep down, score the same on every split.
        for (o, t) in ours.iter().zip(&theirs) {
            assert!(
                (o - t).abs() <= 1e-12,
                "{name}: held-out scores {ours:?}, scikit-learn {theirs:?}"
            );
        }
    }
}

#[test]
fn a_fully_grown_tree_fits_its_training_data_exactly() {
    let (x, y) = classification("breast_cancer");
    let mut c = DecisionTreeClassifier::new();
    assert_eq!(c.fit(&x, &y).unwrap().score(&x, &y).unwrap(), 1.0);
    let p = c.predict_proba(&x).unwrap().to_vec();
    assert!(p.iter().all(|&v| v == 0.0 || v == 1.0));
    let imp = c.feature_importances_().unwrap();
    assert!((imp.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    let leaves = c.apply(&x).unwrap();
    assert_eq!(leaves.len(), x.dims()[0]);
    assert!(leaves.iter().all(|&l| l < c.node_count().unwrap()));
}

#[test]
fn max_features_subsets_and_the_seed_change_the_tree_deterministically() {
    let (x, y) = diabetes();
    let fit = |seed| {
        let mut m = DecisionTreeRegressor::new()
            .max_features(MaxFeatures::Sqrt)
            .max_depth(Some(5))
            .random_state(seed);
        m.fit(&x, &y).unwrap().predict(&x).unwrap().to_vec()
    };
    assert_eq!(fit(3), fit(3));
    assert_ne!(fit(3), fit(4));
}

#[test]
fn a_single_class_or_constant_target_gives_one_leaf() {
    let x = tensor2((0..10).map(f64::from).collect(), 10);
    let mut c = DecisionTreeClassifier::new();
    c.fit(&x, &tensor1(vec![7usize; 10])).unwrap();
    assert_eq!((c.node_count(), c.classes_()), (Some(1), Some(&[7][..])));
    assert_eq!(c.feature_importances_().unwrap(), vec![0.0]);
    let mut r = DecisionTreeRegressor::new();
    r.fit(&x, &tensor1(vec![2.5; 10])).unwrap();
    assert_eq!(r.get_n_leaves(), Some(1));
    assert_eq!(r.predict(&x).unwrap().to_vec(), vec![2.5; 10]);
}

#[test]
fn bad_inputs_are_errors() {
    let mut data: Vec<f64> = (0..60).map(f64::from).collect();
    data[2 * 3 + 1] = f64::NAN;
    let y = tensor1((0..20).map(|i| i % 2).collect::<Vec<usize>>());
    let err = DecisionTreeClassifier::new()
        .fit(&tensor2(data, 20), &y)
        .unwrap_err();
    assert!(
        matches!(err, Error::NonFinite { row: 2, col: 1, .. }),
        "{err}"
    );
    let x = tensor2(vec![0.0, 1.0, 2.0], 3);
    let err = DecisionTreeRegressor::new()
        .fit(&x, &tensor1(vec![0.0, 1.0]))
        .unwrap_err();
    assert!(err.to_string().contains("inconsistent"), "{err}");
    let mut fitted = DecisionTreeRegressor::new();
    fitted.fit(&x, &tensor1(vec![0.0, 1.0, 2.0])).unwrap();
    let err = fitted.predict(&tensor2(vec![0.0, 1.0], 1)).unwrap_err();
    assert!(err.to_string().contains("expecting 1 features"), "{err}");
    let err = DecisionTreeClassifier::new().predict(&x).unwrap_err();
    assert!(matches!(err, Error::NotFitted { .. }), "{err}");
    // Sample weights: one per sample, finite, non-negative, not all 0.
    let y3 = tensor1(vec![0.0, 1.0, 2.0]);
    let err = DecisionTreeRegressor::new()
        .fit_weighted(&x, &y3, &tensor1(vec![1.0, -1.0, 1.0]))
        .unwrap_err();
    assert!(err.to_string().contains("sample_weight[1] = -1"), "{err}");
    let err = DecisionTreeRegressor::new()
        .fit_weighted(&x, &y3, &tensor1(vec![0.0; 3]))
        .unwrap_err();
    assert!(err.to_string().contains("0 for every sample"), "{err}");
    let err = DecisionTreeClassifier::new()
        .fit_weighted(&x, &tensor1(vec![0usize, 1, 1]), &tensor1(vec![1.0; 2]))
        .unwrap_err();
    assert!(
        err.to_string().contains("sample_weight has 2 entries"),
        "{err}"
    );
}

#[test]
fn invalid_hyper_parameters_name_the_parameter_and_range() {
    let x = tensor2(vec![0.0, 1.0, 2.0, 3.0], 4);
    let y = tensor1(vec![0.0, 1.0, 2.0, 3.0]);
    let cases: Vec<(DecisionTreeRegressor, &str, &str)> = vec![
        (
            DecisionTreeRegressor::new().max_depth(Some(0)),
            "max_depth",
            "[1, inf)",
        ),
        (
            DecisionTreeRegressor::new().min_samples_split(1),
            "min_samples_split",
            "[2, inf)",
        ),
        (
            DecisionTreeRegressor::new().min_samples_leaf(0),
            "min_samples_leaf",
            "[1, inf)",
        ),
        (
            DecisionTreeRegressor::new().min_weight_fraction_leaf(0.6),
            "min_weight_fraction_leaf",
            "[0, 0.5]",
        ),
        (
            DecisionTreeRegressor::new().max_leaf_nodes(Some(1)),
            "max_leaf_nodes",
            "[2, inf)",
        ),
        (
            DecisionTreeRegressor::new().min_impurity_decrease(-1.0),
            "min_impurity_decrease",
            "[0, inf)",
        ),
        (
            DecisionTreeRegressor::new().ccp_alpha(f64::NAN),
            "ccp_alpha",
            "[0, inf)",
        ),
        (
            DecisionTreeRegressor::new().max_features(MaxFeatures::Count(2)),
            "max_features",
            "[1, n_features]",
        ),
        (
            DecisionTreeRegressor::new().max_features(MaxFeatures::Fraction(0.0)),
            "max_features",
            "(0, 1]",
        ),
    ];
    for (mut m, name, range) in cases {
        let msg = m.fit(&x, &y).unwrap_err().to_string();
        assert!(
            msg.contains(&format!("'{name}'")) && msg.contains(range),
            "{name}: {msg}"
        );
    }
}
