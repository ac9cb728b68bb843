//! Elkan's k-means (scikit-learn's `_kmeans_single_elkan`): the same iterations as Lloyd's, with
//! an upper bound on each sample's distance to its centre and a lower bound on its distance to
//! every other centre, so that most distances need not be computed. The triangle inequality
//! makes the labels equal to Lloyd's.

use rayon::prelude::*;

use super::lloyd::{inertia, squared_distance, Run, Sums, CHUNK};
use crate::validation::Matrix;

/// Half the distance between each pair of centres.
fn half_distances(centers: &Matrix) -> Matrix {
    let k = centers.rows;
    let mut half = Matrix::zeros(k, k);
    for i in 0..k {
        for j in 0..k {
            if i != j {
                half.data[i * k + j] =
                    squared_distance(centers.row(i), centers.row(j)).sqrt() / 2.0;
            }
        }
    }
    half
}

/// For each centre, half the distance to its nearest other centre.
fn next_center(half: &Matrix) -> Vec<f64> {
    (0..half.rows)
        .map(|j| {
            (0..half.rows)
                .filter(|&i| i != j)
                .map(|i| half.at(i, j))
                .fold(f64::INFINITY, f64::min)
        })
        .collect()
}

/// The bounds of one sample.
struct Bounds<'a> {
    label: &'a mut usize,
    upper: &'a mut f64,
    lower: &'a mut [f64],
}

/// The first labels and bounds, computing a distance only where the centre half-distances
/// cannot rule a centre out (scikit-learn's `init_bounds_dense`).
fn init_bounds(row: &[f64], centers: &Matrix, half: &Matrix, b: Bounds<'_>) {
    let mut best = 0;
    let mut min_dist = squared_distance(row, centers.row(0)).sqrt();
    b.lower[0] = min_dist;
    for j in 1..centers.rows {
        if min_dist > half.at(best, j) {
            let dist = squared_distance(row, centers.row(j)).sqrt();
            b.lower[j] = dist;
            if dist < min_dist {
                min_dist = dist;
                best = j;
            }
        }
    }
    *b.label = best;
    *b.upper = min_dist;
}

/// One sample's Elkan assignment (scikit-learn's `_update_chunk_dense` for Elkan).
fn update(row: &[f64], centers: &Matrix, half: &Matrix, next: &[f64], b: Bounds<'_>) {
    let mut label = *b.label;
    let mut upper = *b.upper;
    if next[label] < upper {
        let mut tight = false;
        for j in 0..centers.rows {
            if j != label && upper > b.lower[j] && upper > half.at(label, j) {
                if !tight {
                    upper = squared_distance(row, centers.row(label)).sqrt();
                    b.lower[label] = upper;
                    tight = true;
                }
                if upper > b.lower[j] || upper > half.at(label, j) {
                    let dist = squared_distance(row, centers.row(j)).sqrt();
                    b.lower[j] = dist;
                    if dist < upper {
                        label = j;
                        upper = dist;
                    }
                }
            }
        }
        *b.label = label;
        *b.upper = upper;
    }
}

/// The per-sample state of the iterations.
struct State {
    labels: Vec<usize>,
    upper: Vec<f64>,
    lower: Matrix,
}

impl State {
    /// Runs `step` on every sample in parallel chunks, and returns each chunk's per-cluster sums
    /// when `sums` is asked for.
    fn for_each(
        &mut self,
        x: &Matrix,
        k: usize,
        sums: bool,
        step: impl Fn(&[f64], Bounds<'_>) + Sync,
    ) -> Vec<Sums> {
        self.labels
            .par_chunks_mut(CHUNK)
            .zip(self.upper.par_chunks_mut(CHUNK))
            .zip(self.lower.data.par_chunks_mut(CHUNK * k))
            .enumerate()
            .map(|(c, ((labels, upper), lower))| {
                let mut part = Sums::new(if sums { k } else { 0 }, x.cols);
                for (o, ((label, upper), lower)) in labels
                    .iter_mut()
                    .zip(upper.iter_mut())
                    .zip(lower.chunks_mut(k))
                    .enumerate()
                {
                    let row = x.row(c * CHUNK + o);
                    step(
                        row,
                        Bounds {
                            label,
                            upper,
                            lower,
                        },
                    );
                    if sums {
                        part.add(*label, row);
                    }
                }
                part
            })
            .collect()
    }
}

/// Elkan's algorithm from `centers`, with the stopping rules of Lloyd's.
pub(crate) fn elkan(x: &Matrix, mut centers: Matrix, max_iter: usize, tol: f64) -> Run {
    let (n, k) = (x.rows, centers.rows);
    let mut half = half_distances(&centers);
    let mut next = next_center(&half);
    let mut state = State {
        labels: vec![0; n],
        upper: vec![0.0; n],
        lower: Matrix::zeros(n, k),
    };
    state.for_each(x, k, false, |row, b| init_bounds(row, &centers, &half, b));
    let mut labels_old = vec![usize::MAX; n];
    let mut strict = false;
    let mut n_iter = 0;
    for i in 0..max_iter {
        n_iter = i + 1;
        let parts = state.for_each(x, k, true, |row, b| update(row, &centers, &half, &next, b));
        let (new, shift) = Sums::total(parts, k, x.cols).into_centers(x, &centers, &state.labels);
        state
            .upper
            .par_iter_mut()
            .zip(state.lower.data.par_chunks_mut(k))
            .zip(state.labels.par_iter())
            .for_each(|((upper, lower), &label)| {
                *upper += shift[label];
                lower
                    .iter_mut()
                    .zip(&shift)
                    .for_each(|(l, s)| *l = (*l - s).max(0.0));
            });
        half = half_distances(&new);
        next = next_center(&half);
        centers = new;
        if state.labels == labels_old {
            strict = true;
            break;
        }
        if shift.iter().map(|s| s * s).sum::<f64>() <= tol {
            break;
        }
        labels_old.copy_from_slice(&state.labels);
    }
    if !strict {
        state.for_each(x, k, false, |row, b| update(row, &centers, &half, &next, b));
    }
    let inertia = inertia(x, &centers, &state.labels);
    Run {
        centers,
        labels: state.labels,
        inertia,
        n_iter,
    }
}
