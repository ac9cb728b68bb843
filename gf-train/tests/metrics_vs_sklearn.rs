//! Every streaming metric, fed in uneven batches, against scikit-learn's value on all rows
//! (fixtures from `tests/fixtures/make_fixtures.py`).

use gf_train::metrics::{
    Accuracy, Average, ConfusionMatrix, F1Score, Mae, Metric, Precision, R2Score, Recall, Rmse,
    TopK,
};
use gf_train::{StepOutput, Targets};
use serde_json::Value;

fn fixtures() -> Value {
    let text = include_str!("fixtures/metrics.json");
    serde_json::from_str(text).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// The rows of a case cut into batches of 32 (the last one short).
fn batches(case: &Value, classes: bool) -> Vec<StepOutput> {
    let width = case["width"].as_u64().unwrap() as usize;
    let outputs = floats(&case["outputs"]);
    let rows = outputs.len() / width;
    let mut out = Vec::new();
    for start in (0..rows).step_by(32) {
        let end = (start + 32).min(rows);
        let targets = if classes {
            let t: Vec<usize> = case["targets"].as_array().unwrap()[start..end]
                .iter()
                .map(|x| x.as_u64().unwrap() as usize)
                .collect();
            Targets::Classes(t)
        } else {
            Targets::Values(floats(&case["targets"])[start * width..end * width].to_vec())
        };
        out.push(StepOutput {
            loss: 0.0,
            rows: end - start,
            outputs: outputs[start * width..end * width].to_vec(),
            targets,
        });
    }
    out
}

fn check(mut m: Box<dyn Metric>, batches: &[StepOutput], expected: f64, tol: f64) {
    for b in batches {
        m.update(b).unwrap();
    }
    let got = m.value();
    assert!(
        (got - expected).abs() <= tol,
        "{}: {got} vs scikit-learn's {expected}",
        m.name()
    );
    // reset forgets everything
    m.reset();
    m.update(&batches[0]).unwrap();
    let mut fresh = m.fresh();
    fresh.update(&batches[0]).unwrap();
    assert_eq!(m.value(), fresh.value(), "{}", m.name());
}

fn averaged(case: &Value, batches: &[StepOutput]) {
    for (avg, name) in [
        (Average::Macro, "macro"),
        (Average::Micro, "micro"),
        (Average::Weighted, "weighted"),
    ] {
        let want = |s: &str| case[format!("{s}_{name}")].as_f64().unwrap();
        check(
            Box::new(Precision::new(avg)),
            batches,
            want("precision"),
            1e-12,
        );
        check(Box::new(Recall::new(avg)), batches, want("recall"), 1e-12);
        check(Box::new(F1Score::new(avg)), batches, want("f1"), 1e-12);
    }
}

#[test]
fn classification_metrics_match_scikit_learn() {
    let f = fixtures();
    let case = &f["classification"];
    let b = batches(case, true);
    assert_eq!(b.len(), 7);
    check(
        Box::new(Accuracy::new()),
        &b,
        case["accuracy"].as_f64().unwrap(),
        1e-12,
    );
    for k in [2, 3] {
        let want = case[format!("top{k}_accuracy")].as_f64().unwrap();
        check(Box::new(TopK::new(k).unwrap()), &b, want, 1e-12);
    }
    averaged(case, &b);
}

#[test]
fn classes_never_predicted_or_never_true_score_zero_as_in_scikit_learn() {
    let f = fixtures();
    let case = &f["sparse_classes"];
    averaged(case, &batches(case, true));
}

#[test]
fn the_confusion_matrix_matches_scikit_learn() {
    let f = fixtures();
    let case = &f["classification"];
    let mut cm = ConfusionMatrix::new();
    for b in batches(case, true) {
        cm.update(&b).unwrap();
    }
    let want: Vec<Vec<u64>> = case["confusion_matrix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(cm.rows(), want);
}

#[test]
fn regression_metrics_match_scikit_learn() {
    let f = fixtures();
    let case = &f["regression"];
    let b = batches(case, false);
    check(
        Box::new(Mae::new()),
        &b,
        case["mae"].as_f64().unwrap(),
        1e-12,
    );
    check(
        Box::new(Rmse::new()),
        &b,
        case["rmse"].as_f64().unwrap(),
        1e-12,
    );
    check(
        Box::new(R2Score::new()),
        &b,
        case["r2"].as_f64().unwrap(),
        1e-12,
    );
}
