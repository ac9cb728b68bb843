//! Model selection: train / test splits as scikit-learn's `train_test_split` (with its sizes
//! and stratification), k-fold splitters and cross-validated scores.

mod cross_validation;
mod split;

pub use cross_validation::{
    cross_val_score, cross_val_score_regressor, Fold, KFold, StratifiedKFold,
};
pub use split::{split_rows, train_test_split, SplitSize, TrainTestSplit};
