//! Clustering with scikit-learn's estimators: [`KMeans`] (Lloyd's and Elkan's algorithms,
//! k-means++ seeding). Each implements [`Clusterer`](crate::Clusterer): `fit(&x)`,
//! `labels_()`, `fit_predict(&x)`.

mod elkan;
mod init;
mod kmeans;
mod lloyd;

pub use kmeans::{KMeans, KMeansAlgorithm, KMeansInit};
