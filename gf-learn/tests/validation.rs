//! Bad input and bad hyper-parameters are `Err`s that name the problem; typed widths and f32
//! inputs work the same as run-time widths and f64.

mod common;

use common::*;
use gf_core::prelude::*;
use gf_learn::linear_model::{ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge};
use gf_learn::naive_bayes::GaussianNB;
use gf_learn::neighbors::KNeighborsClassifier;
use gf_learn::prelude::*;
use gf_learn::Error;

fn xy() -> (X, Labels) {
    (
        tensor2(vec![0.0, 1.0, 1.0, 0.0, 2.0, 2.0, 3.0, 1.0], 4),
        tensor1(vec![0, 0, 1, 1]),
    )
}

#[test]
fn empty_x_is_an_error() {
    let x = tensor2(vec![], 0);
    let err = LinearRegression::new()
        .fit(&x, &tensor1(Vec::<f64>::new()))
        .unwrap_err();
    assert!(err.to_string().contains("0 samples"), "{err}");
}

#[test]
fn x_and_y_of_different_lengths_is_an_error() {
    let (x, _) = xy();
    let err = LogisticRegression::new()
        .fit(&x, &tensor1(vec![0usize, 1]))
        .unwrap_err();
    assert!(err.to_string().contains("X has 4, y has 2"), "{err}");
    let err = Ridge::new().fit(&x, &tensor1(vec![0.0; 3])).unwrap_err();
    assert!(err.to_string().contains("inconsistent"), "{err}");
}

#[test]
fn one_class_is_an_error_for_a_discriminative_classifier() {
    let (x, _) = xy();
    let err = LogisticRegression::new()
        .fit(&x, &tensor1(vec![3usize; 4]))
        .unwrap_err();
    assert!(err.to_string().contains("only 1: [3]"), "{err}");
}

#[test]
fn nan_and_inf_are_errors_naming_row_and_column() {
    let (_, y) = xy();
    let x = tensor2(vec![0.0, 1.0, 1.0, 0.0, 2.0, f64::NAN, 3.0, 1.0], 4);
    let err = GaussianNB::new().fit(&x, &y).unwrap_err();
    assert!(
        matches!(
            err,
            Error::NonFinite {
                row: 2,
                col: 1,
                input: "X",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("row 2, column 1"), "{err}");
    let (x, _) = xy();
    let err = Lasso::new()
        .fit(&x, &tensor1(vec![0.0, f64::INFINITY, 1.0, 2.0]))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NonFinite {
                row: 1,
                input: "y",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn invalid_hyper_parameters_name_themselves_and_their_range() {
    let (x, y) = xy();
    let err = LogisticRegression::new().c(0.0).fit(&x, &y).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the 'C' parameter of LogisticRegression must be a float in (0, inf]; got 0.0"
    );
    let yr = tensor1(vec![0.0, 1.0, 2.0, 3.0]);
    let err = ElasticNet::new().l1_ratio(1.5).fit(&x, &yr).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidParameter {
                name: "l1_ratio",
                ..
            }
        ),
        "{err:?}"
    );
    let err = KNeighborsClassifier::new()
        .n_neighbors(0)
        .fit(&x, &y)
        .unwrap_err();
    assert!(err.to_string().contains("'n_neighbors'"), "{err}");
}

#[test]
fn predicting_before_fit_or_on_another_width_is_an_error() {
    let (x, y) = xy();
    let err = GaussianNB::new().predict(&x).unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotFitted {
                estimator: "GaussianNB",
                ..
            }
        ),
        "{err:?}"
    );
    let mut nb = GaussianNB::new();
    nb.fit(&x, &y).unwrap();
    let err = nb.predict(&tensor2(vec![1.0, 2.0, 3.0], 1)).unwrap_err();
    assert!(
        err.to_string()
            .contains("X has 3 features, but GaussianNB is expecting 2"),
        "{err}"
    );
}

#[test]
fn typed_widths_and_f32_inputs_give_the_same_model() {
    let (x, y) = xy();
    let typed: Tensor<(usize, Const<2>), f32, Cpu> =
        Cpu::default().tensor_from_vec(x.to_vec().iter().map(|&v| v as f32).collect(), (4, Const));
    let mut a = LogisticRegression::new();
    let mut b = LogisticRegression::new();
    a.fit(&x, &y).unwrap();
    b.fit(&typed, &y).unwrap();
    assert_eq!(a.coef_().unwrap().to_vec(), b.coef_().unwrap().to_vec());
    let p32 = b.predict_proba(&typed).unwrap().to_vec();
    let p64 = a.predict_proba(&x).unwrap().to_vec();
    assert!(p32
        .iter()
        .zip(&p64)
        .all(|(p, q)| (*p as f64 - q).abs() < 1e-6));
    assert_eq!(
        a.predict(&x).unwrap().to_vec(),
        b.predict(&typed).unwrap().to_vec()
    );
}

/// Scales `x` with any transformer through the trait, as a pipeline would.
fn fit_transform_generic<T: Transformer>(t: &mut T, x: &X) -> Vec<f64> {
    t.fit(x).unwrap();
    t.transform(x).unwrap().to_vec()
}

#[test]
fn preprocessing_estimators_are_transformers() {
    use gf_learn::preprocessing::{PolynomialFeatures, StandardScaler};
    let (x, _) = xy();
    let direct = StandardScaler::new().fit_transform(&x).unwrap().to_vec();
    assert_eq!(
        fit_transform_generic(&mut StandardScaler::new(), &x),
        direct
    );
    // The output width of PolynomialFeatures is only known once fitted: 1, a, b, a², ab, b².
    assert_eq!(
        fit_transform_generic(&mut PolynomialFeatures::new(), &x).len(),
        4 * 6
    );
}
