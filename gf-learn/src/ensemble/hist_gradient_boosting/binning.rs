//! Feature binning as scikit-learn's `_BinMapper`: each feature is cut into at most
//! `max_bins` bins at quantiles (midpoints between distinct values when there are few), so that trees search at most 255 thresholds per
//! feature; NaN gets its own bin, the last one.

use crate::validation::Matrix;

/// Thresholds are clipped to this, as scikit-learn does, so that `+inf` only marks a split on
/// NaN.
const ALMOST_INF: f64 = 1e300;

/// The bin thresholds of every feature, and how to map values to bins.
#[derive(Clone, Debug)]
pub(crate) struct BinMapper {
    /// Per feature, the sorted upper edges: a value `v` goes to the first bin `b` with
    /// `v <= thresholds[b]`.
    pub(crate) thresholds: Vec<Vec<f64>>,
    /// Whether each feature had NaN in the training data.
    pub(crate) has_missing: Vec<bool>,
    /// The bin index that holds NaN (`max_bins`).
    pub(crate) missing_bin: u8,
}

/// numpy's `percentile(sorted, q * 100, method="averaged_inverted_cdf")` for `q` in `[0, 1]`:
/// at the virtual index `n q - 1`, the next value, or the mean of the two neighbours when the
/// index is whole.
fn percentile_averaged_inverted_cdf(sorted: &[f64], q: f64) -> f64 {
    let last = sorted.len() - 1;
    let v = sorted.len() as f64 * q - 1.0;
    if v < 0.0 {
        return sorted[0];
    }
    if v >= last as f64 {
        return sorted[last];
    }
    let lo = v.floor();
    let (a, b) = (sorted[lo as usize], sorted[lo as usize + 1]);
    if v - lo == 0.0 {
        // numpy's `_lerp` with t = 0.5 takes its `t >= 0.5` branch.
        b - (b - a) * 0.5
    } else {
        b
    }
}

/// The thresholds of one feature, as scikit-learn's `_find_binning_thresholds`.
fn feature_thresholds(mut values: Vec<f64>, max_bins: usize) -> Vec<f64> {
    values.retain(|v| !v.is_nan());
    values.sort_by(f64::total_cmp);
    let mut distinct = values.clone();
    distinct.dedup();
    let mut mids: Vec<f64> = if distinct.len() <= max_bins {
        distinct.windows(2).map(|w| (w[0] + w[1]) * 0.5).collect()
    } else {
        (1..max_bins)
            .map(|i| {
                let q = (i as f64 * (100.0 / max_bins as f64)) / 100.0;
                percentile_averaged_inverted_cdf(&values, q)
            })
            .collect()
    };
    // Quantiles of heavily repeated values coincide; scikit-learn keeps each edge once.
    mids.dedup();
    mids.iter_mut().for_each(|m| *m = m.min(ALMOST_INF));
    mids
}

impl BinMapper {
    /// Learns the thresholds of every column of `x` (NaN allowed) with `max_bins` bins for
    /// non-missing values.
    pub(crate) fn fit(x: &Matrix, max_bins: usize) -> Self {
        let thresholds = (0..x.cols)
            .map(|j| feature_thresholds((0..x.rows).map(|i| x.at(i, j)).collect(), max_bins))
            .collect();
        let has_missing = (0..x.cols)
            .map(|j| (0..x.rows).any(|i| x.at(i, j).is_nan()))
            .collect();
        BinMapper {
            thresholds,
            has_missing,
            missing_bin: max_bins as u8,
        }
    }

    /// The number of bins holding non-missing values of feature `j`.
    pub(crate) fn n_bins_non_missing(&self, j: usize) -> usize {
        self.thresholds[j].len() + 1
    }

    /// `x` binned, column-major (`n_features` columns of `n_samples` bins).
    pub(crate) fn transform(&self, x: &Matrix) -> Vec<u8> {
        let mut out = vec![0u8; x.rows * x.cols];
        for (j, t) in self.thresholds.iter().enumerate() {
            let col = &mut out[j * x.rows..(j + 1) * x.rows];
            for (i, b) in col.iter_mut().enumerate() {
                let v = x.at(i, j);
                *b = if v.is_nan() {
                    self.missing_bin
                } else {
                    t.partition_point(|&edge| edge < v) as u8
                };
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_cut_at_midpoints_and_nan_gets_the_last_bin() {
        let x = Matrix {
            rows: 5,
            cols: 1,
            data: vec![1.0, 3.0, f64::NAN, 3.0, 2.0],
        };
        let m = BinMapper::fit(&x, 255);
        assert_eq!(m.thresholds[0], vec![1.5, 2.5]);
        assert!(m.has_missing[0]);
        assert_eq!(m.transform(&x), vec![0, 2, 255, 2, 1]);
    }
}
