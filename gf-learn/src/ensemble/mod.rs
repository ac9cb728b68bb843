//! Ensembles: of trees (random forests, extra trees, gradient boosting, histogram gradient
//! boosting, AdaBoost) and of any estimators (bagging, voting, stacking), which hold their members as
//! [`DynClassifier`] / [`DynRegressor`] trait objects.

pub mod bagging;
pub mod forest;
pub mod gradient_boosting;
pub mod hist_gradient_boosting;
mod member;
pub mod stacking;
pub mod voting;
pub mod weight_boosting;

pub use bagging::{BaggingClassifier, BaggingRegressor, Draw};
pub use forest::{
    ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier, RandomForestRegressor,
};
pub use gradient_boosting::{GradientBoostingClassifier, GradientBoostingRegressor};
pub use hist_gradient_boosting::{HistGradientBoostingClassifier, HistGradientBoostingRegressor};
pub use member::{DynClassifier, DynFeatures, DynRegressor};
pub use stacking::{StackMethod, StackingClassifier, StackingRegressor};
pub use voting::{Voting, VotingClassifier, VotingRegressor};
pub use weight_boosting::{AdaBoostClassifier, AdaBoostRegressor};

/// `Err` naming `n_estimators` unless it is at least 1.
pub(crate) fn check_n_estimators(estimator: &'static str, n: usize) -> crate::Result<()> {
    crate::validation::check_param(estimator, "n_estimators", n, "an int in [1, inf)", |v| {
        v >= 1
    })
}
