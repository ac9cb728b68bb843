//! Ensembles of trees: random forests, extra trees and histogram gradient boosting.

pub mod forest;
pub mod hist_gradient_boosting;

pub use forest::{
    ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier, RandomForestRegressor,
};
pub use hist_gradient_boosting::{HistGradientBoostingClassifier, HistGradientBoostingRegressor};
