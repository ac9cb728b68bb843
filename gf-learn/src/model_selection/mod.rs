//! Model selection: splitting samples into training and test parts, as scikit-learn's
//! `train_test_split` (with its sizes and stratification).

mod split;

pub use split::{split_rows, train_test_split, SplitSize, TrainTestSplit};
