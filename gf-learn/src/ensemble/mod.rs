//! Ensembles of trees: random forests and histogram gradient boosting.

mod forest;
pub mod hist_gradient_boosting;

pub use forest::{RandomForestClassifier, RandomForestRegressor};
pub use hist_gradient_boosting::{HistGradientBoostingClassifier, HistGradientBoostingRegressor};
