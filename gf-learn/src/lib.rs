//! Classical machine learning with scikit-learn's API, on GhostFlow tensors.
//!
//! Estimators have scikit-learn's names, hyper-parameters (same names, same defaults, set with
//! builder methods) and fitted attributes (`coef_()`, `intercept_()`, `classes_()`,
//! `n_iter_()`, ...; `None` before `fit`). The methods are the traits of [`traits`]:
//! [`Regressor`], [`Classifier`], [`PredictProba`], [`DecisionFunction`], [`Transformer`],
//! [`Clusterer`]; bring them into scope with `use gf_learn::prelude::*`.
//!
//! ```
//! use gf_core::prelude::*;
//! use gf_learn::linear_model::Ridge;
//! use gf_learn::prelude::*;
//!
//! let dev = Cpu::default();
//! let x: Tensor<(usize, Const<2>), f64, Cpu> =
//!     dev.tensor_from_vec(vec![0.0, 0.0, 1.0, 1.0, 2.0, 2.5, 3.0, 2.0], (4, Const));
//! let y = dev.tensor_from_vec(vec![0.0, 1.0, 2.0, 3.0], (4,));
//! let mut ridge = Ridge::new().alpha(0.1);
//! let r2 = ridge.fit(&x, &y)?.score(&x, &y)?;
//! assert!(r2 > 0.9);
//! assert_eq!(ridge.coef_().unwrap().len(), 2);
//! // An invalid hyper-parameter is an `Err` at fit that names it and its range.
//! let err = Ridge::new().alpha(-1.0).fit(&x, &y).unwrap_err();
//! assert!(err.to_string().contains("'alpha'"));
//! # Ok::<(), gf_learn::Error>(())
//! ```
#![forbid(unsafe_code)]

pub mod cluster;
pub mod decomposition;
pub mod discriminant_analysis;
pub mod ensemble;
pub mod error;
mod kdtree;
mod linalg;
pub mod linear_model;
pub mod manifold;
pub mod metrics;
pub mod mixture;
pub mod model_selection;
pub mod naive_bayes;
pub mod neighbors;
pub mod pipeline;
pub mod preprocessing;
pub mod svm;
pub mod traits;
pub mod tree;
mod validation;

pub use error::{Error, Result};
pub use traits::{Classifier, Clusterer, DecisionFunction, PredictProba, Regressor, Transformer};

/// The estimator traits, for `use gf_learn::prelude::*`.
pub mod prelude {
    pub use crate::traits::{
        Classifier, Clusterer, DecisionFunction, PredictProba, Regressor, Transformer,
    };
}
