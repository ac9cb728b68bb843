//! Manifold learning, as scikit-learn's `sklearn.manifold`: [`TSNE`] and the
//! [`trustworthiness`] of an embedding.

mod trustworthiness;
mod tsne;

pub use self::trustworthiness::trustworthiness;
pub use self::tsne::{LearningRate, TsneInit, TsneMethod, TSNE};
