//! Clustering with scikit-learn's estimators: [`KMeans`] (Lloyd's and Elkan's algorithms,
//! k-means++ seeding), [`MiniBatchKMeans`], [`MeanShift`] (with [`estimate_bandwidth`]),
//! [`DBSCAN`] (region queries on a k-d tree),
//! [`AgglomerativeClustering`] (ward, complete, average and single linkage, scipy's merge
//! tree), [`OPTICS`] (reachability ordering, ξ or DBSCAN extraction) and [`HDBSCAN`]
//! (mutual-reachability spanning tree, condensed tree, excess-of-mass or leaf clusters).
//! [`Birch`] summarises the samples in one pass in a CF tree, then groups its subclusters.
//! Each implements [`Clusterer`](crate::Clusterer): `fit(&x)`, `labels_()`,
//! `fit_predict(&x)`.

mod agglomerative;
mod birch;
mod dbscan;
mod elkan;
mod hdbscan;
mod init;
mod kmeans;
mod linkage;
mod lloyd;
mod mean_shift;
mod minibatch_kmeans;
mod optics;
mod spectral;
mod structured;

/// The affinity graphs of [`SpectralClustering`] (the same as `SpectralEmbedding`'s).
pub use crate::manifold::SpectralAffinity;
pub use agglomerative::{AgglomerativeClustering, AgglomerativeMetric, Linkage};
pub use birch::Birch;
pub use dbscan::DBSCAN;
pub use hdbscan::{ClusterSelection, StoreCenters, HDBSCAN};
pub use kmeans::{KMeans, KMeansAlgorithm, KMeansInit};
pub use mean_shift::{estimate_bandwidth, get_bin_seeds, MeanShift};
pub use minibatch_kmeans::MiniBatchKMeans;
pub use optics::{DensitySize, OpticsClusterMethod, OpticsMetric, OPTICS};
pub use spectral::{AssignLabels, SpectralClustering};
