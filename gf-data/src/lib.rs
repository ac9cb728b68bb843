//! GhostFlow's data layer: what a PyTorch user expects (`Dataset`, a parallel `DataLoader`,
//! samplers, transforms) and what a scikit-learn user expects (`load_iris()`, `make_blobs()`),
//! with batches coming out as gf-core tensors. scikit-learn's preprocessing (scalers, encoders,
//! `train_test_split`) lives in gf-learn.
//!
//! ```
//! use gf_data::{DataLoader, Dataset};
//!
//! // Any `Vec` is a dataset; pairs of arrays and labels batch into typed tensors.
//! let samples: Vec<([f32; 2], usize)> = (0..10).map(|i| ([i as f32, 1.0], i % 2)).collect();
//! let loader = DataLoader::new(samples).batch_size(4).shuffle(true).seed(0);
//! assert_eq!(loader.len(), 3);
//! for batch in loader.iter() {
//!     let (x, y) = batch.unwrap(); // x: Tensor<(usize, Const<2>), f32>, y: Tensor<(usize,), usize>
//!     assert_eq!(x.dims()[1], 2);
//!     assert_eq!(x.dims()[0], y.dims()[0]);
//! }
//! ```
#![forbid(unsafe_code)]

pub mod collate;
pub mod dataset;
pub mod datasets;
pub mod error;
pub mod formats;
pub mod image;
pub mod loader;
pub mod sampler;
pub mod text;
pub mod transforms;

pub use collate::Collate;
pub use dataset::{
    random_split, random_split_fractions, Concat, Dataset, FetchContext, IterFn, IterableDataset,
    Map, Rows, Subset, TensorColumns, TensorDataset, Transformed,
};
pub use error::{Error, Result};
pub use image::Image;
pub use loader::DataLoader;
pub use sampler::{
    BatchSampler, Batched, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
    WeightedRandomSampler,
};
pub use transforms::{Compose, FnTransform, OnInput, Transform};
