//! Ensembles of trees: random forests, extra trees, gradient boosting and histogram gradient
//! boosting.

pub mod forest;
pub mod gradient_boosting;
pub mod hist_gradient_boosting;

pub use forest::{
    ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier, RandomForestRegressor,
};
pub use gradient_boosting::{GradientBoostingClassifier, GradientBoostingRegressor};
pub use hist_gradient_boosting::{HistGradientBoostingClassifier, HistGradientBoostingRegressor};
