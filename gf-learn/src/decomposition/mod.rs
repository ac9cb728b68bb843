//! Matrix decompositions with scikit-learn's estimators: [`PCA`] with the full or the
//! randomized SVD, [`TruncatedSVD`], which does not centre the data, [`FastICA`], which
//! separates independent non-Gaussian sources, [`KernelPCA`], PCA in the feature space of a
//! kernel, [`NMF`], the non-negative factorisation of non-negative data by coordinate
//! descent or multiplicative updates, [`IncrementalPCA`], PCA learned batch by batch,
//! [`FactorAnalysis`], the Gaussian latent factor model, and [`LatentDirichletAllocation`],
//! topic models of count data.

mod factor_analysis;
mod fastica;
mod incremental_pca;
pub(crate) mod kernel_pca;
mod lda;
mod nmf;
mod pca;
mod svd;
mod truncated_svd;

pub use factor_analysis::{FaRotation, FactorAnalysis};
pub use fastica::{FastICA, IcaAlgorithm, IcaFun, IcaWhiten, WhitenSolver};
pub use incremental_pca::IncrementalPCA;
pub use kernel_pca::{KernelPCA, KpcaKernel};
pub use lda::{LatentDirichletAllocation, LdaLearning};
pub use nmf::{BetaLoss, NmfComponents, NmfInit, NmfSolver, NMF};
pub use pca::{PcaSolver, PCA};
pub use truncated_svd::{TruncatedSVD, TruncatedSvdAlgorithm};
