//! Metrics against scikit-learn to 1e-12, on the cases of `fixtures/*_metrics.json` and
//! `fixtures/log_loss.json`: random labels, zero divisions, one class, sparse label values,
//! constant targets.

mod common;

use common::*;
use gf_learn::metrics::*;

#[test]
fn classification_metrics_match_scikit_learn() {
    for case in read_json("classification_metrics.json").as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let t = tensor1(usizes(&case["y_true"]));
        let p = tensor1(usizes(&case["y_pred"]));
        let check = |what: &str, got: f64| {
            let want = case[what].as_f64().unwrap();
            assert!(
                (got - want).abs() <= 1e-12,
                "{name} {what}: got {got}, scikit-learn has {want}"
            );
        };
        check("accuracy", accuracy_score(&t, &p).unwrap());
        check(
            "balanced_accuracy",
            balanced_accuracy_score(&t, &p).unwrap(),
        );
        for (avg, average) in [
            ("micro", Average::Micro),
            ("macro", Average::Macro),
            ("weighted", Average::Weighted),
        ] {
            check(
                &format!("precision_{avg}"),
                precision_score(&t, &p, average).unwrap(),
            );
            check(
                &format!("recall_{avg}"),
                recall_score(&t, &p, average).unwrap(),
            );
            check(&format!("f1_{avg}"), f1_score(&t, &p, average).unwrap());
            check(
                &format!("fbeta2_{avg}"),
                fbeta_score(&t, &p, 2.0, average).unwrap(),
            );
        }
        if case.get("f1_binary").is_some() {
            let binary = Average::default();
            check("precision_binary", precision_score(&t, &p, binary).unwrap());
            check("recall_binary", recall_score(&t, &p, binary).unwrap());
            check("f1_binary", f1_score(&t, &p, binary).unwrap());
        }
        let (labels, cm) = confusion_matrix(&t, &p).unwrap();
        assert_eq!(labels, usizes(&case["confusion_labels"]), "{name}");
        let (_, want) = matrix(&case["confusion"]);
        let got: Vec<f64> = cm.to_vec().into_iter().map(|c| c as f64).collect();
        assert_eq!(got, want, "{name} confusion matrix");
    }
}

#[test]
fn binary_average_rejects_multiclass_targets() {
    let t = tensor1(vec![0usize, 1, 2]);
    let err = f1_score(&t, &t, Average::default()).unwrap_err();
    assert!(err.to_string().contains("multiclass"), "{err}");
    let err = fbeta_score(&t, &t, -1.0, Average::Macro).unwrap_err();
    assert!(err.to_string().contains("'beta'"), "{err}");
}

#[test]
fn log_loss_matches_scikit_learn_with_clipping() {
    for case in read_json("log_loss.json").as_array().unwrap() {
        let t = tensor1(usizes(&case["y_true"]));
        let (rows, p) = matrix(&case["proba"]);
        let got = log_loss(&t, &tensor2(p, rows), None).unwrap();
        let want = case["log_loss"].as_f64().unwrap();
        assert!(
            (got - want).abs() <= 1e-12 * want.max(1.0),
            "got {got}, scikit-learn has {want}"
        );
    }
}

#[test]
fn log_loss_needs_two_labels_and_matching_columns() {
    let t = tensor1(vec![1usize, 1]);
    let p = tensor2(vec![0.2, 0.8, 0.1, 0.9], 2);
    assert!(log_loss(&t, &p, None).is_err());
    let got = log_loss(&t, &p, Some(&[0, 1])).unwrap();
    assert!((got - (-(0.8f64.ln() + 0.9f64.ln()) / 2.0)).abs() < 1e-15);
    let three = tensor1(vec![0usize, 1, 2]);
    let p3 = tensor2(vec![0.5, 0.5, 0.5, 0.5, 0.5, 0.5], 3);
    assert!(log_loss(&three, &p3, None).is_err());
}

#[test]
fn regression_metrics_match_scikit_learn() {
    for case in read_json("regression_metrics.json").as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let t = tensor1(floats(&case["y_true"]));
        let p = tensor1(floats(&case["y_pred"]));
        let check = |what: &str, got: f64| {
            let want = case[what].as_f64().unwrap();
            assert!(
                (got - want).abs() <= 1e-12,
                "{name} {what}: got {got}, scikit-learn has {want}"
            );
        };
        check("mse", mean_squared_error(&t, &p).unwrap());
        check("rmse", root_mean_squared_error(&t, &p).unwrap());
        check("mae", mean_absolute_error(&t, &p).unwrap());
        check("r2", r2_score(&t, &p).unwrap());
        check(
            "explained_variance",
            explained_variance_score(&t, &p).unwrap(),
        );
    }
}
