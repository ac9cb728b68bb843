//! Model selection: train / test splits as scikit-learn's `train_test_split` (with its sizes
//! and stratification), k-fold splitters, cross-validated scores and the grid search of
//! hyper-parameters.

mod cross_validation;
mod params;
mod search;
mod split;

pub use cross_validation::{
    cross_val_score, cross_val_score_regressor, Fold, KFold, StratifiedKFold,
};
pub use params::{Candidates, Distribution, ParamGrid, ParamSampler, ParamValue, Params};
pub use search::{Cv, CvResults, GridSearchCV, RandomizedSearchCV, SearchCV};
pub use split::{split_rows, train_test_split, SplitSize, TrainTestSplit};
