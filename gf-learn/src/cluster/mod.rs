//! Clustering with scikit-learn's estimators: [`KMeans`] (Lloyd's and Elkan's algorithms,
//! k-means++ seeding), [`DBSCAN`] (region queries on a k-d tree) and
//! [`AgglomerativeClustering`] (ward, complete, average and single linkage, scipy's merge
//! tree). Each implements [`Clusterer`](crate::Clusterer): `fit(&x)`, `labels_()`,
//! `fit_predict(&x)`.

mod agglomerative;
mod dbscan;
mod elkan;
mod init;
mod kmeans;
mod linkage;
mod lloyd;
mod structured;

pub use agglomerative::{AgglomerativeClustering, AgglomerativeMetric, Linkage};
pub use dbscan::DBSCAN;
pub use kmeans::{KMeans, KMeansAlgorithm, KMeansInit};
