//! Clustering with scikit-learn's estimators: [`KMeans`] (Lloyd's and Elkan's algorithms,
//! k-means++ seeding) and [`DBSCAN`] (region queries on a k-d tree). Each implements [`Clusterer`](crate::Clusterer): `fit(&x)`,
//! `labels_()`, `fit_predict(&x)`.

mod dbscan;
mod elkan;
mod init;
mod kmeans;
mod lloyd;

pub use dbscan::DBSCAN;
pub use kmeans::{KMeans, KMeansAlgorithm, KMeansInit};
