//! Scores of a labelling of data without a reference labelling: the silhouette, the
//! Calinski–Harabasz index and the Davies–Bouldin index. Distances are euclidean and computed
//! as scikit-learn's `euclidean_distances` does (`sqrt(|x|² - 2 x·y + |y|²)`, 0 between a
//! sample and itself), so the scores agree with it to rounding.

use gf_core::shape::Dim;
use gf_core::Dtype;
use rayon::prelude::*;

use super::{encode, Encoded, LabelArray};
use crate::error::{Error, Result};
use crate::traits::Features;
use crate::validation::{check_lengths, check_x, dot, np_sum, Matrix};

/// The data and its encoded labels, checked: as many labels as rows, and between 2 and
/// `n_samples - 1` distinct labels (scikit-learn's `check_number_of_labels`).
fn data_and_labels<F: Dim, E: Dtype, L: LabelArray + ?Sized>(
    op: &'static str,
    x: &Features<F, E>,
    labels: &L,
) -> Result<(Matrix, Encoded)> {
    let x = check_x(op, x)?;
    let labels = encode(op, labels)?;
    check_lengths(op, x.rows, labels.codes.len())?;
    if !(labels.n_labels > 1 && labels.n_labels < x.rows) {
        return Err(Error::input(
            op,
            format!(
                "number of labels is {}; valid values are 2 to n_samples - 1 = {} (inclusive)",
                labels.n_labels,
                x.rows.saturating_sub(1)
            ),
        ));
    }
    Ok((x, labels))
}

/// The squared norm of each row.
fn squared_norms(x: &Matrix) -> Vec<f64> {
    (0..x.rows).map(|i| dot(x.row(i), x.row(i))).collect()
}

/// The euclidean distance from `a` to `b` in scikit-learn's expanded form, given their
/// squared norms.
fn expanded_distance(a: &[f64], aa: f64, b: &[f64], bb: f64) -> f64 {
    ((-2.0 * dot(a, b) + aa) + bb).max(0.0).sqrt()
}

/// The mean of the rows of `x` whose code is `k`, and how many there are.
fn cluster_mean(x: &Matrix, codes: &[usize], k: usize) -> (Vec<f64>, usize) {
    let mut sum = vec![0.0; x.cols];
    let mut count = 0;
    for (i, _) in codes.iter().enumerate().filter(|&(_, &c)| c == k) {
        sum.iter_mut().zip(x.row(i)).for_each(|(s, v)| *s += v);
        count += 1;
    }
    sum.iter_mut().for_each(|s| *s /= count as f64);
    (sum, count)
}

/// The silhouette coefficient of each sample, `(b - a) / max(a, b)` with `a` the mean
/// distance to the other members of its cluster and `b` the mean distance to the members of
/// the nearest other cluster; 0 for a sample alone in its cluster. In `[-1, 1]`, higher is
/// better. Takes O(n²) distance evaluations, spread over threads.
pub fn silhouette_samples<F: Dim, E: Dtype, L: LabelArray + ?Sized>(
    x: &Features<F, E>,
    labels: &L,
) -> Result<Vec<f64>> {
    let (x, labels) = data_and_labels("silhouette_samples", x, labels)?;
    let freqs = labels.counts();
    let norms = squared_norms(&x);
    let k = labels.n_labels;
    Ok((0..x.rows)
        .into_par_iter()
        .map(|i| {
            let mut sums = vec![0.0; k];
            for j in 0..x.rows {
                if j != i {
                    sums[labels.codes[j]] +=
                        expanded_distance(x.row(i), norms[i], x.row(j), norms[j]);
                }
            }
            let own = labels.codes[i];
            let intra = sums[own] / (freqs[own] as f64 - 1.0);
            let inter = (0..k)
                .filter(|&c| c != own)
                .map(|c| sums[c] / freqs[c] as f64)
                .fold(f64::INFINITY, f64::min);
            let s = (inter - intra) / intra.max(inter);
            // A singleton's 0/0, and two coincident clusters' 0/0, count as 0 (numpy's
            // nan_to_num in scikit-learn).
            if s.is_nan() {
                0.0
            } else {
                s
            }
        })
        .collect())
}

/// The mean of [`silhouette_samples`] over all samples.
pub fn silhouette_score<F: Dim, E: Dtype, L: LabelArray + ?Sized>(
    x: &Features<F, E>,
    labels: &L,
) -> Result<f64> {
    let samples = silhouette_samples(x, labels)?;
    Ok(np_sum(&samples) / samples.len() as f64)
}

/// The ratio of between-cluster to within-cluster dispersion, each divided by its degrees of
/// freedom (the variance ratio criterion); higher is better. 1 when every cluster is a single
/// point repeated.
pub fn calinski_harabasz_score<F: Dim, E: Dtype, L: LabelArray + ?Sized>(
    x: &Features<F, E>,
    labels: &L,
) -> Result<f64> {
    let (x, labels) = data_and_labels("calinski_harabasz_score", x, labels)?;
    let mean = x.column_means();
    let (mut extra, mut intra) = (0.0, 0.0);
    for k in 0..labels.n_labels {
        let (mean_k, count) = cluster_mean(&x, &labels.codes, k);
        let between: Vec<f64> = mean_k
            .iter()
            .zip(&mean)
            .map(|(a, b)| (a - b).powi(2))
            .collect();
        extra += count as f64 * np_sum(&between);
        let within: Vec<f64> = labels
            .codes
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c == k)
            .flat_map(|(i, _)| x.row(i).iter().zip(&mean_k).map(|(v, m)| (v - m).powi(2)))
            .collect();
        intra += np_sum(&within);
    }
    if intra == 0.0 {
        return Ok(1.0);
    }
    let (n, k) = (x.rows as f64, labels.n_labels as f64);
    Ok(extra * (n - k) / (intra * (k - 1.0)))
}

/// The mean over clusters of the largest ratio `(s_i + s_j) / d(c_i, c_j)`, with `s` the mean
/// distance of a cluster's members to its centroid and `d` the distance between centroids;
/// lower is better, 0 the minimum.
pub fn davies_bouldin_score<F: Dim, E: Dtype, L: LabelArray + ?Sized>(
    x: &Features<F, E>,
    labels: &L,
) -> Result<f64> {
    let (x, labels) = data_and_labels("davies_bouldin_score", x, labels)?;
    let k = labels.n_labels;
    let norms = squared_norms(&x);
    let mut centroids = Matrix::zeros(k, x.cols);
    let mut intra = vec![0.0; k];
    for (c, spread) in intra.iter_mut().enumerate() {
        let (centroid, count) = cluster_mean(&x, &labels.codes, c);
        let cc = dot(&centroid, &centroid);
        let dists: Vec<f64> = (0..x.rows)
            .filter(|&i| labels.codes[i] == c)
            .map(|i| expanded_distance(x.row(i), norms[i], &centroid, cc))
            .collect();
        *spread = np_sum(&dists) / count as f64;
        centroids.row_mut(c).copy_from_slice(&centroid);
    }
    let cnorms = squared_norms(&centroids);
    let mut between = Matrix::zeros(k, k);
    for i in 0..k {
        for j in 0..k {
            if i != j {
                between.data[i * k + j] =
                    expanded_distance(centroids.row(i), cnorms[i], centroids.row(j), cnorms[j]);
            }
        }
    }
    // numpy's allclose(_, 0): every value within 1e-8 of 0.
    let near_zero = |v: &[f64]| v.iter().all(|d| d.abs() <= 1e-8);
    if near_zero(&intra) || near_zero(&between.data) {
        return Ok(0.0);
    }
    let scores: Vec<f64> = (0..k)
        .map(|i| {
            (0..k)
                .map(|j| {
                    let d = between.at(i, j);
                    let d = if d == 0.0 { f64::INFINITY } else { d };
                    (intra[i] + intra[j]) / d
                })
                .fold(f64::NEG_INFINITY, f64::max)
        })
        .collect();
    Ok(np_sum(&scores) / k as f64)
}
