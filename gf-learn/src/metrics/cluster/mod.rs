//! Clustering metrics with scikit-learn's definitions: scores that compare two labellings
//! ([`adjusted_rand_score`], the mutual-information family, [`fowlkes_mallows_score`], ...)
//! and scores of a labelling of data alone ([`silhouette_score`], [`calinski_harabasz_score`],
//! [`davies_bouldin_score`]).
//!
//! Labels can be a label tensor, or a slice, array or `Vec` of integers, so the `-1` noise
//! label of [`DBSCAN`](crate::cluster::DBSCAN) works as scikit-learn's does (as one more label).
//!
//! ```
//! use gf_learn::metrics::{adjusted_rand_score, v_measure_score};
//!
//! let truth = [0, 0, 1, 1, 2, 2];
//! // The same partition under other names scores 1.
//! assert_eq!(adjusted_rand_score(&truth, &[5, 5, 3, 3, -1, -1]).unwrap(), 1.0);
//! let v = v_measure_score(&truth, &[0, 0, 1, 1, 1, 1], 1.0).unwrap();
//! assert!(v > 0.7 && v < 0.8);
//! ```

mod supervised;
mod unsupervised;

pub use supervised::{
    adjusted_mutual_info_score, adjusted_rand_score, completeness_score, fowlkes_mallows_score,
    homogeneity_completeness_v_measure, homogeneity_score, mutual_info_score,
    normalized_mutual_info_score, v_measure_score,
};
pub use unsupervised::{
    calinski_harabasz_score, davies_bouldin_score, silhouette_samples, silhouette_score,
};

use crate::error::{Error, Result};
use crate::traits::Target;

/// One cluster label per sample: a label tensor, or a slice, array or `Vec` of integers.
pub trait LabelArray {
    /// The labels as `i64`, in sample order.
    fn to_labels(&self) -> Result<Vec<i64>>;
}

impl LabelArray for Target<usize> {
    fn to_labels(&self) -> Result<Vec<i64>> {
        Ok(self.try_to_vec()?.into_iter().map(|v| v as i64).collect())
    }
}

/// `LabelArray` for slices, arrays and `Vec`s of each integer type.
macro_rules! label_array {
    ($($t:ty),*) => {$(
        impl LabelArray for [$t] {
            fn to_labels(&self) -> Result<Vec<i64>> {
                Ok(self.iter().map(|&v| v as i64).collect())
            }
        }

        impl<const N: usize> LabelArray for [$t; N] {
            fn to_labels(&self) -> Result<Vec<i64>> {
                self.as_slice().to_labels()
            }
        }

        impl LabelArray for Vec<$t> {
            fn to_labels(&self) -> Result<Vec<i64>> {
                self.as_slice().to_labels()
            }
        }
    )*};
}

label_array!(i64, i32, isize, usize, u32);

/// A labelling encoded as codes `0..n_labels` of its sorted distinct labels (numpy's
/// `unique(return_inverse=True)`).
pub(crate) struct Encoded {
    pub(crate) codes: Vec<usize>,
    pub(crate) n_labels: usize,
}

impl Encoded {
    /// The number of samples with each code.
    pub(crate) fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.n_labels];
        self.codes.iter().for_each(|&c| counts[c] += 1);
        counts
    }
}

/// `labels` encoded; `Err` if empty.
pub(crate) fn encode<L: LabelArray + ?Sized>(op: &'static str, labels: &L) -> Result<Encoded> {
    let labels = labels.to_labels()?;
    if labels.is_empty() {
        return Err(Error::input(op, "the labels are empty"));
    }
    let mut distinct = labels.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let codes = labels
        .iter()
        .map(|v| distinct.binary_search(v).unwrap_or_default())
        .collect();
    Ok(Encoded {
        codes,
        n_labels: distinct.len(),
    })
}
