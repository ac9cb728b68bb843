//! The k-means iterations, on host `f64` data already centred: k-means++ seeding, Lloyd's and
//! Elkan's algorithms, each step as scikit-learn's `_k_means_lloyd` / `_k_means_elkan` does it.
//!
//! The assignment step runs over chunks of samples in parallel (rayon); each chunk sums its own
//! samples into per-cluster partial sums, and the partial sums are added in chunk order, so a
//! fit gives the same result whatever the number of threads.

use rayon::prelude::*;

use crate::validation::{dot, Matrix};

/// Samples per parallel chunk, as scikit-learn's.
pub(super) const CHUNK: usize = 256;

/// The squared euclidean distance between two rows.
pub(crate) fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// The squared norm of each row.
pub(crate) fn row_norms(x: &Matrix) -> Vec<f64> {
    (0..x.rows).map(|i| dot(x.row(i), x.row(i))).collect()
}

/// The euclidean distance of each row of `x` to each centre, `(n_samples, n_clusters)`, in
/// scikit-learn's expanded form `sqrt(|x|² - 2 x·c + |c|²)` (clipped at 0).
pub(crate) fn center_distances(x: &Matrix, centers: &Matrix) -> Matrix {
    let cn = row_norms(centers);
    let k = centers.rows;
    let mut out = Matrix::zeros(x.rows, k);
    for i in 0..x.rows {
        let (row, xx) = (x.row(i), dot(x.row(i), x.row(i)));
        for (j, cc) in cn.iter().enumerate() {
            out.data[i * k + j] = ((-2.0 * dot(row, centers.row(j)) + xx) + cc)
                .max(0.0)
                .sqrt();
        }
    }
    out
}

/// The result of one run of k-means from one initialisation.
pub(crate) struct Run {
    pub(crate) centers: Matrix,
    pub(crate) labels: Vec<usize>,
    pub(crate) inertia: f64,
    pub(crate) n_iter: usize,
}

/// Per-cluster sums of the samples assigned to each cluster, and their counts.
pub(crate) struct Sums {
    sums: Matrix,
    counts: Vec<f64>,
}

impl Sums {
    pub(super) fn new(k: usize, d: usize) -> Self {
        Sums {
            sums: Matrix::zeros(k, d),
            counts: vec![0.0; k],
        }
    }

    pub(super) fn add(&mut self, label: usize, row: &[f64]) {
        self.counts[label] += 1.0;
        self.sums
            .row_mut(label)
            .iter_mut()
            .zip(row)
            .for_each(|(s, v)| *s += v);
    }

    /// The chunks' partial sums added in chunk order.
    pub(super) fn total(parts: Vec<Sums>, k: usize, d: usize) -> Sums {
        let mut total = Sums::new(k, d);
        for part in parts {
            total
                .sums
                .data
                .iter_mut()
                .zip(&part.sums.data)
                .for_each(|(t, p)| *t += p);
            total
                .counts
                .iter_mut()
                .zip(&part.counts)
                .for_each(|(t, p)| *t += p);
        }
        total
    }

    /// The new centres: the mean of each cluster, an empty cluster first given the sample
    /// farthest from its old centre (scikit-learn's `_relocate_empty_clusters_dense`).
    /// Returns them with the shift of each centre.
    pub(super) fn into_centers(
        mut self,
        x: &Matrix,
        old: &Matrix,
        labels: &[usize],
    ) -> (Matrix, Vec<f64>) {
        let empty: Vec<usize> = (0..old.rows).filter(|&j| self.counts[j] == 0.0).collect();
        if !empty.is_empty() {
            let mut far: Vec<(f64, usize)> = (0..x.rows)
                .map(|i| (squared_distance(x.row(i), old.row(labels[i])), i))
                .collect();
            far.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            for (&new, &(_, i)) in empty.iter().zip(&far) {
                let from = labels[i];
                for (k, &v) in x.row(i).iter().enumerate() {
                    self.sums.data[from * x.cols + k] -= v;
                    self.sums.data[new * x.cols + k] = v;
                }
                self.counts[new] = 1.0;
                self.counts[from] -= 1.0;
            }
        }
        for (j, &w) in self.counts.iter().enumerate() {
            if w > 0.0 {
                let alpha = 1.0 / w;
                self.sums.row_mut(j).iter_mut().for_each(|s| *s *= alpha);
            }
        }
        let shift = (0..old.rows)
            .map(|j| squared_distance(self.sums.row(j), old.row(j)).sqrt())
            .collect();
        (self.sums, shift)
    }
}

/// The nearest centre of each row of `x`, by `|c|² - 2 x·c` as scikit-learn's Lloyd step
/// (the first of ties); with `sums`, each chunk's per-cluster sums too.
fn assign_chunks(x: &Matrix, centers: &Matrix, labels: &mut [usize], sums: bool) -> Vec<Sums> {
    let (k, d) = (centers.rows, centers.cols);
    let cn = row_norms(centers);
    labels
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut part = Sums::new(if sums { k } else { 0 }, d);
            for (o, label) in chunk.iter_mut().enumerate() {
                let row = x.row(c * CHUNK + o);
                let mut best = (cn[0] - 2.0 * dot(row, centers.row(0)), 0);
                for (j, cc) in cn.iter().enumerate().skip(1) {
                    let dist = cc - 2.0 * dot(row, centers.row(j));
                    if dist < best.0 {
                        best = (dist, j);
                    }
                }
                *label = best.1;
                if sums {
                    part.add(best.1, row);
                }
            }
            part
        })
        .collect()
}

/// Sets each label to the nearest centre of its row (the E-step alone).
pub(crate) fn assign(x: &Matrix, centers: &Matrix, labels: &mut [usize]) {
    assign_chunks(x, centers, labels, false);
}

/// One Lloyd step: the E-step, then the new centres and their shifts.
fn lloyd_step(x: &Matrix, centers: &Matrix, labels: &mut [usize]) -> (Matrix, Vec<f64>) {
    let parts = assign_chunks(x, centers, labels, true);
    Sums::total(parts, centers.rows, centers.cols).into_centers(x, centers, labels)
}

/// The sum of squared distances of the samples to their centres.
pub(crate) fn inertia(x: &Matrix, centers: &Matrix, labels: &[usize]) -> f64 {
    let parts: Vec<f64> = labels
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            chunk
                .iter()
                .enumerate()
                .map(|(o, &l)| squared_distance(x.row(c * CHUNK + o), centers.row(l)))
                .sum()
        })
        .collect();
    parts.iter().sum()
}

/// Lloyd's algorithm from `centers` (scikit-learn's `_kmeans_single_lloyd`): stops when the
/// labels no longer change, or when the squared centre shift is at most `tol`, or after
/// `max_iter` steps; then relabels with the final centres if it did not converge strictly.
pub(crate) fn lloyd(x: &Matrix, mut centers: Matrix, max_iter: usize, tol: f64) -> Run {
    let mut labels = vec![usize::MAX; x.rows];
    let mut labels_old = labels.clone();
    let mut strict = false;
    let mut n_iter = 0;
    for i in 0..max_iter {
        n_iter = i + 1;
        let (new, shift) = lloyd_step(x, &centers, &mut labels);
        centers = new;
        if labels == labels_old {
            strict = true;
            break;
        }
        if shift.iter().map(|s| s * s).sum::<f64>() <= tol {
            break;
        }
        labels_old.copy_from_slice(&labels);
    }
    if !strict {
        assign(x, &centers, &mut labels);
    }
    let inertia = inertia(x, &centers, &labels);
    Run {
        centers,
        labels,
        inertia,
        n_iter,
    }
}
