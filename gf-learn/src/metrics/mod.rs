//! Metrics with scikit-learn's names, definitions and degenerate-case conventions (a division
//! by zero gives 0, as scikit-learn's default `zero_division`; a constant target gives an R² of
//! 1 for a perfect prediction and 0 otherwise, as its `force_finite=True`).
//!
//! ```
//! use gf_core::prelude::*;
//! use gf_learn::metrics::{accuracy_score, f1_score, Average};
//!
//! let dev = Cpu::default();
//! let y_true = dev.tensor_from_vec(vec![0usize, 1, 1, 0], (4,));
//! let y_pred = dev.tensor_from_vec(vec![0usize, 1, 0, 0], (4,));
//! assert_eq!(accuracy_score(&y_true, &y_pred).unwrap(), 0.75);
//! let f1 = f1_score(&y_true, &y_pred, Average::Binary { pos_label: 1 }).unwrap();
//! assert!((f1 - 2.0 / 3.0).abs() < 1e-15);
//! ```

mod classification;
mod cluster;
mod regression;

/// The trustworthiness of an embedding, also here as in scikit-learn's `sklearn.manifold`.
pub use crate::manifold::trustworthiness;
pub use classification::{
    accuracy_score, balanced_accuracy_score, confusion_matrix, f1_score, fbeta_score, log_loss,
    precision_recall_fscore_support, precision_score, recall_score, Average, Counts, Prfs,
};
pub use cluster::{
    adjusted_mutual_info_score, adjusted_rand_score, calinski_harabasz_score, completeness_score,
    davies_bouldin_score, fowlkes_mallows_score, homogeneity_completeness_v_measure,
    homogeneity_score, mutual_info_score, normalized_mutual_info_score, silhouette_samples,
    silhouette_score, v_measure_score, LabelArray,
};
pub use regression::{
    explained_variance_score, mean_absolute_error, mean_squared_error, r2_score,
    root_mean_squared_error,
};
