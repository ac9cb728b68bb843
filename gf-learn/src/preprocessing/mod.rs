//! Preprocessing with fit / transform, matching scikit-learn: scalers, encoders, imputation and
//! polynomial features (train / test splits are in [`model_selection`](crate::model_selection)).
//!
//! Every estimator works the way scikit-learn's does: build it with its parameters (same names,
//! same defaults), [`fit`](StandardScaler::fit) it on training data, then `transform` any data of
//! the same width. The fitted attributes keep scikit-learn's names, trailing underscore included
//! (`mean_()`, `scale_()`, `categories_()`), and return `None` before `fit`.
//!
//! Numeric estimators take 2-D tensors `Tensor<(usize, F), E, Cpu>` whose rows are samples, for
//! any width type `F` (`usize` or `Const<N>`) and `E` = `f32` or `f64`. Statistics are computed in
//! `f64`, as scikit-learn does. Where the output has the input's width, it keeps the input's shape
//! type; where the width is only known at run time (encoders, [`PolynomialFeatures`],
//! [`SimpleImputer`], which may drop empty columns) the output is `Tensor<(usize, usize), E, Cpu>`.
//!
//! Errors, not panics: `transform` before `fit`, data of another width than `fit` saw, unknown
//! categories, invalid parameters are all [`Error::InvalidInput`]s.
//!
//! ```
//! use gf_core::prelude::*;
//! use gf_learn::preprocessing::StandardScaler;
//!
//! let dev = Cpu::default();
//! let x: Tensor<(usize, Const<2>), f64, Cpu> =
//!     dev.tensor_from_vec(vec![0.0, 10.0, 2.0, 10.0, 4.0, 10.0], (3, Const));
//! let mut scaler = StandardScaler::new();
//! let z = scaler.fit_transform(&x).unwrap();
//! assert_eq!(scaler.mean_().unwrap(), &[2.0, 10.0]);
//! // A constant column gets scale 1, so it is centred, not divided by zero.
//! assert_eq!((scaler.scale_().unwrap()[1], z.to_vec()[1]), (1.0, 0.0));
//! let back = scaler.inverse_transform(&z).unwrap().to_vec();
//! assert!(back.iter().zip(x.to_vec()).all(|(b, x)| (b - x).abs() < 1e-12));
//! ```

mod encode;
mod impute;
mod polynomial;
pub(crate) mod scale;
mod transformer;

pub use encode::{
    LabelEncoder, OneHotDrop, OneHotEncoder, OneHotUnknown, OrdinalEncoder, OrdinalUnknown,
};
pub use impute::{ImputeStrategy, SimpleImputer};
pub use polynomial::PolynomialFeatures;
pub use scale::{MaxAbsScaler, MinMaxScaler, Norm, Normalizer, RobustScaler, StandardScaler};

use gf_core::ops::create::TensorCreate;
use gf_core::shape::{Dim, HasShape};
use gf_core::{Cpu, Dtype, Tensor};

use crate::error::{Error, Result};

/// A 2-D tensor copied to host memory as `f64`, row-major.
pub(crate) struct Matrix {
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) data: Vec<f64>,
}

impl Matrix {
    /// The values of `x`, widened to `f64`.
    pub(crate) fn of<F: Dim, E: Dtype>(x: &Tensor<(usize, F), E, Cpu>) -> Self {
        let [rows, cols] = x.dims();
        Matrix {
            rows,
            cols,
            data: x.to_vec().into_iter().map(Dtype::as_f64).collect(),
        }
    }

    /// Column `j`.
    pub(crate) fn column(&self, j: usize) -> impl Iterator<Item = f64> + '_ {
        (0..self.rows).map(move |i| self.data[i * self.cols + j])
    }
}

/// A tensor of `x`'s shape type holding `data` (row-major, same length as `x`'s).
pub(crate) fn same_shape<F: Dim, E: Dtype>(
    x: &Tensor<(usize, F), E, Cpu>,
    data: Vec<f64>,
) -> Result<Tensor<(usize, F), E, Cpu>> {
    let data = data.into_iter().map(E::from_f64).collect();
    Ok(Cpu::default().try_tensor_from_vec(data, *x.shape())?)
}

/// A `(rows, cols)` tensor of run-time width holding `data` (row-major).
pub(crate) fn dyn_matrix<E: Dtype>(
    rows: usize,
    cols: usize,
    data: Vec<f64>,
) -> Result<Tensor<(usize, usize), E, Cpu>> {
    let data = data.into_iter().map(E::from_f64).collect();
    Ok(Cpu::default().try_tensor_from_vec(data, (rows, cols))?)
}

/// An estimator's fitted `state`, or the error of calling `op` on it before `fit`.
pub(crate) fn fitted<S>(state: Option<S>, op: &'static str, estimator: &str) -> Result<S> {
    state.ok_or_else(|| {
        Error::input(
            op,
            format!("this {estimator} is not fitted yet; call `fit` before using it"),
        )
    })
}

/// `Err` unless the data has the width the estimator was fitted on (scikit-learn's message).
pub(crate) fn check_width(
    op: &'static str,
    estimator: &str,
    expected: usize,
    got: usize,
) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(Error::input(
            op,
            format!(
                "X has {got} features, but {estimator} is expecting {expected} features as input"
            ),
        ))
    }
}

/// `Err` for an empty fit set (scikit-learn needs at least one sample).
pub(crate) fn check_not_empty(op: &'static str, rows: usize) -> Result<()> {
    if rows == 0 {
        Err(Error::input(
            op,
            "found array with 0 samples, while a minimum of 1 is required",
        ))
    } else {
        Ok(())
    }
}

/// Machine epsilon of `E`, as `f64`: scikit-learn treats scales below `10 * eps` as zero.
pub(crate) fn eps<E: Dtype>() -> f64 {
    E::epsilon().as_f64()
}

/// scikit-learn's `_handle_zeros_in_scale`: scales below `10 * eps` (near-constant features)
/// become 1, so that they are not divided by (almost) zero.
pub(crate) fn handle_zeros_in_scale(scale: &mut [f64], eps: f64) {
    for s in scale {
        if *s < 10.0 * eps {
            *s = 1.0;
        }
    }
}

/// The default input feature names `x0, x1, ...`, or the given ones if their count is right.
pub(crate) fn input_names(
    op: &'static str,
    n_features: usize,
    input_features: Option<&[&str]>,
) -> Result<Vec<String>> {
    match input_features {
        None => Ok((0..n_features).map(|i| format!("x{i}")).collect()),
        Some(names) if names.len() == n_features => Ok(names.iter().map(|s| s.to_string()).collect()),
        Some(names) => Err(Error::input(
            op,
            format!(
                "input_features should have length equal to number of features ({n_features}), got {}",
                names.len()
            ),
        )),
    }
}
