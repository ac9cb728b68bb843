//! Mixture models with scikit-learn's estimators: [`GaussianMixture`], fitted by EM with full,
//! tied, diagonal or spherical covariances. It implements [`Clusterer`](crate::Clusterer)
//! (`fit(&x)`, `labels_()`, `fit_predict(&x)`) and gives densities, responsibilities, BIC and
//! AIC as scikit-learn's does.

mod covariance;
mod em;
mod gaussian_mixture;
mod init;

pub use covariance::CovarianceType;
pub use gaussian_mixture::GaussianMixture;
pub use init::InitParams;
