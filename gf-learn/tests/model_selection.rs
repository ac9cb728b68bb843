//! K-fold splitters against scikit-learn's folds (`fixtures/model_selection.json`), and
//! cross-validated scores.

mod common;

use common::*;
use gf_learn::linear_model::{LogisticRegression, Ridge};
use gf_learn::model_selection::{
    cross_val_score, cross_val_score_regressor, cross_validate, cross_validate_regressor, KFold,
    StratifiedKFold,
};

fn test_parts(folds: &[(Vec<usize>, Vec<usize>)]) -> Vec<Vec<usize>> {
    folds.iter().map(|(_, test)| test.clone()).collect()
}

#[test]
fn unshuffled_folds_are_scikit_learns() {
    let fx = read_json("model_selection.json");
    let want: Vec<Vec<usize>> = fx["kfold_3_of_10"]
        .as_array()
        .unwrap()
        .iter()
        .map(usizes)
        .collect();
    assert_eq!(
        test_parts(&KFold::new().n_splits(3).split(10).unwrap()),
        want
    );
    let y = usizes(&fx["y"]);
    for k in [2, 3, 4] {
        let want: Vec<Vec<usize>> = fx[format!("stratified_{k}")]
            .as_array()
            .unwrap()
            .iter()
            .map(usizes)
            .collect();
        let folds = StratifiedKFold::new().n_splits(k).split(&y).unwrap();
        assert_eq!(test_parts(&folds), want, "StratifiedKFold({k})");
        for (train, test) in &folds {
            assert_eq!(train.len() + test.len(), y.len());
        }
    }
}

#[test]
fn shuffled_folds_partition_the_samples_and_repeat_for_a_seed() {
    let kf = KFold::new().n_splits(4).shuffle(true).random_state(7);
    let a = kf.split(23).unwrap();
    assert_eq!(a, kf.split(23).unwrap());
    let mut all: Vec<usize> = test_parts(&a).concat();
    all.sort_unstable();
    assert_eq!(all, (0..23).collect::<Vec<_>>());
    assert_ne!(a, KFold::new().n_splits(4).split(23).unwrap());
}

#[test]
fn bad_split_counts_are_errors() {
    assert!(KFold::new().n_splits(1).split(10).is_err());
    assert!(KFold::new().n_splits(11).split(10).is_err());
    let err = StratifiedKFold::new()
        .n_splits(3)
        .split(&[0, 0, 1, 1])
        .unwrap_err();
    assert!(err.to_string().contains("each class"), "{err}");
}

#[test]
fn cross_val_score_fits_a_fresh_model_per_fold() {
    let (x, y) = standardized("iris");
    let folds = StratifiedKFold::new().split(&y.to_vec()).unwrap();
    let scores = cross_val_score(&LogisticRegression::new(), &x, &y, &folds).unwrap();
    let fx = read_json("model_selection.json");
    // The same folds and the same predictions as scikit-learn: the same accuracies.
    assert_close("logistic", &scores, &floats(&fx["cv_logistic_iris"]), 1e-12);

    let (x, y) = diabetes();
    let folds = KFold::new().split(x.dims()[0]).unwrap();
    let r2 = cross_val_score_regressor(&Ridge::new().alpha(0.1), &x, &y, &folds).unwrap();
    assert_close("ridge", &r2, &floats(&fx["cv_ridge_diabetes"]), 1e-10);
}

#[test]
fn cross_validate_times_each_fold_and_keeps_the_scores() {
    let fx = read_json("model_selection.json");
    let timed_ok =
        |t: &[f64], n: usize| t.len() == n && t.iter().all(|v| v.is_finite() && *v >= 0.0);
    let (x, y) = standardized("iris");
    let folds = StratifiedKFold::new().split(&y.to_vec()).unwrap();
    let cv = cross_validate(&LogisticRegression::new(), &x, &y, &folds).unwrap();
    assert_close(
        "logistic",
        &cv.test_score,
        &floats(&fx["cv_logistic_iris"]),
        1e-12,
    );
    assert!(
        timed_ok(&cv.fit_time, 5) && timed_ok(&cv.score_time, 5),
        "{cv:?}"
    );
    // A fit does some work: its clock moves.
    assert!(cv.fit_time.iter().all(|&t| t > 0.0), "{cv:?}");

    let (x, y) = diabetes();
    let folds = KFold::new().split(x.dims()[0]).unwrap();
    let cv = cross_validate_regressor(&Ridge::new().alpha(0.1), &x, &y, &folds).unwrap();
    assert_close(
        "ridge",
        &cv.test_score,
        &floats(&fx["cv_ridge_diabetes"]),
        1e-10,
    );
    assert!(
        timed_ok(&cv.fit_time, 5) && timed_ok(&cv.score_time, 5),
        "{cv:?}"
    );
    assert!(cv.fit_time.iter().all(|&t| t > 0.0), "{cv:?}");

    let short = head(&x, 100);
    assert!(cross_validate_regressor(&Ridge::new(), &short, &y, &folds).is_err());
}
