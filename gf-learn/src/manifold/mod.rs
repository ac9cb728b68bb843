//! Manifold learning, as scikit-learn's `sklearn.manifold`: [`TSNE`] (exact and Barnes-Hut),
//! [`Isomap`], [`MDS`] (SMACOF, with [`smacof`] and [`ClassicalMDS`]), [`SpectralEmbedding`]
//! (with [`spectral_embedding`]) and the [`trustworthiness`] of an embedding; and [`UMAP`], as
//! umap-learn's `umap.UMAP`.

mod isomap;
mod mds;
mod spectral_embedding;
mod trustworthiness;
mod tsne;
mod umap;

pub use self::isomap::{Isomap, PathMethod};
pub use self::mds::{smacof, ClassicalMDS, MdsInit, MdsMetric, MDS};
pub(crate) use self::spectral_embedding::{affinity_matrix, embed_graph};
pub use self::spectral_embedding::{spectral_embedding, SpectralAffinity, SpectralEmbedding};
pub use self::trustworthiness::trustworthiness;
pub use self::tsne::{LearningRate, TsneInit, TsneMethod, TSNE};
pub use self::umap::{UmapInit, UMAP};
