//! Matrix decompositions with scikit-learn's estimators: [`PCA`] with the full or the
//! randomized SVD, and [`TruncatedSVD`], which does not centre the data.

mod pca;
mod svd;
mod truncated_svd;

pub use pca::{PcaSolver, PCA};
pub use truncated_svd::{TruncatedSVD, TruncatedSvdAlgorithm};
