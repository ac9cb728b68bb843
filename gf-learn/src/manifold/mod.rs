//! Manifold learning, as scikit-learn's `sklearn.manifold`: [`TSNE`] and the
//! [`trustworthiness`] of an embedding.
//! Also [`UMAP`], as umap-learn's `umap.UMAP`.

mod spectral_embedding;
mod trustworthiness;
mod tsne;
mod umap;

pub(crate) use self::spectral_embedding::{affinity_matrix, embed_graph};
pub use self::spectral_embedding::{spectral_embedding, SpectralAffinity, SpectralEmbedding};
pub use self::trustworthiness::trustworthiness;
pub use self::tsne::{LearningRate, TsneInit, TsneMethod, TSNE};
pub use self::umap::{UmapInit, UMAP};
