//! Ensembles of trees.

pub mod hist_gradient_boosting;

pub use hist_gradient_boosting::{HistGradientBoostingClassifier, HistGradientBoostingRegressor};
