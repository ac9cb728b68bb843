//! Model selection: train / test splits as scikit-learn's `train_test_split` (with its sizes
//! and stratification), k-fold splitters, cross-validated scores, learning curves and the
//! grid and randomized searches of hyper-parameters.

mod cross_validate;
mod cross_validation;
mod learning_curve;
mod params;
mod search;
pub(crate) mod split;

pub use cross_validate::{cross_validate, cross_validate_regressor, CrossValidation};
pub use cross_validation::{
    cross_val_score, cross_val_score_regressor, Fold, KFold, StratifiedKFold,
};
pub use learning_curve::{learning_curve, learning_curve_regressor, LearningCurve, TrainSize};
pub use params::{Candidates, Distribution, ParamGrid, ParamSampler, ParamValue, Params};
pub use search::{Cv, CvResults, GridSearchCV, RandomizedSearchCV, SearchCV};
pub use split::{split_rows, train_test_split, SplitSize, TrainTestSplit};
