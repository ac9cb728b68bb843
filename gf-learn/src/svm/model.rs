//! Fitted libsvm models and their decision values: one-vs-one classifiers with libsvm's vote,
//! and the regression function.

use rayon::prelude::*;

use super::kernel::KernelFn;
use super::probability::{multiclass_probability, sigmoid_predict};
use crate::validation::Matrix;

/// A C-SVC model over `k` classes: `k(k−1)/2` binary decision functions sharing support
/// vectors, laid out as libsvm's `svm_model`.
#[derive(Clone, Debug)]
pub(crate) struct ClassModel {
    /// The class labels, sorted.
    pub(crate) labels: Vec<i64>,
    /// The support vectors, grouped by class in label order.
    pub(crate) sv: Matrix,
    /// The training index of each support vector.
    pub(crate) support: Vec<usize>,
    /// How many support vectors each class has.
    pub(crate) n_support: Vec<usize>,
    /// `k − 1` rows of one coefficient per support vector: the coefficients of class `i`'s
    /// vectors in the classifier (i, j) are in row `j − 1` if `i < j`, else in row `j`.
    pub(crate) sv_coef: Vec<Vec<f64>>,
    /// ρ of each classifier (i, j), pairs in the order (0,1), (0,2), …, (1,2), ….
    pub(crate) rho: Vec<f64>,
    /// SMO iterations of each classifier.
    pub(crate) n_iter: Vec<usize>,
    /// Platt's `(A, B)` of each classifier, when fitted with probabilities.
    pub(crate) prob_ab: Option<(Vec<f64>, Vec<f64>)>,
    /// Whether any classifier stopped at `max_iter`.
    pub(crate) timed_out: bool,
}

/// The smallest pairwise probability libsvm lets through to the coupling.
const MIN_PROB: f64 = 1e-7;

impl ClassModel {
    /// The number of classes.
    pub(crate) fn n_classes(&self) -> usize {
        self.labels.len()
    }

    /// Where each class's support vectors start.
    fn starts(&self) -> Vec<usize> {
        let mut starts = vec![0; self.n_classes()];
        for c in 1..starts.len() {
            starts[c] = starts[c - 1] + self.n_support[c - 1];
        }
        starts
    }

    /// The decision value of each classifier (i, j) at `x` into `dec`, and the index of the
    /// class with the most votes (the first of ties), as libsvm's `svm_predict_values`.
    pub(crate) fn decision(&self, kernel: &KernelFn, x: &[f64], dec: &mut [f64]) -> usize {
        let kvalue: Vec<f64> = (0..self.sv.rows)
            .map(|s| kernel.predict(x, self.sv.row(s)))
            .collect();
        let starts = self.starts();
        let k = self.n_classes();
        let mut votes = vec![0usize; k];
        let mut p = 0;
        for i in 0..k {
            for j in i + 1..k {
                let (si, sj) = (starts[i], starts[j]);
                let coef1 = &self.sv_coef[j - 1];
                let coef2 = &self.sv_coef[i];
                let mut sum = 0.0;
                for s in si..si + self.n_support[i] {
                    sum += coef1[s] * kvalue[s];
                }
                for s in sj..sj + self.n_support[j] {
                    sum += coef2[s] * kvalue[s];
                }
                sum -= self.rho[p];
                dec[p] = sum;
                if sum > 0.0 {
                    votes[i] += 1;
                } else {
                    votes[j] += 1;
                }
                p += 1;
            }
        }
        let mut best = 0;
        for c in 1..k {
            if votes[c] > votes[best] {
                best = c;
            }
        }
        best
    }

    /// The decision values of every row of `x` (one row per sample, one column per
    /// classifier) and the voted class index of each, computed in parallel over samples.
    pub(crate) fn decisions(&self, kernel: &KernelFn, x: &Matrix) -> (Matrix, Vec<usize>) {
        let pairs = self.rho.len();
        let mut dec = Matrix::zeros(x.rows, pairs);
        let mut winners = vec![0; x.rows];
        dec.data
            .par_chunks_mut(pairs.max(1))
            .zip(winners.par_iter_mut())
            .enumerate()
            .for_each(|(i, (d, w))| *w = self.decision(kernel, x.row(i), d));
        (dec, winners)
    }

    /// The class probabilities at one sample with decision values `dec`, as libsvm's
    /// `svm_predict_probability`; `None` without Platt's coefficients.
    pub(crate) fn probabilities(&self, dec: &[f64]) -> Option<Vec<f64>> {
        let (a, b) = self.prob_ab.as_ref()?;
        let k = self.n_classes();
        let mut r = vec![vec![0.0; k]; k];
        let mut p = 0;
        for i in 0..k {
            for j in i + 1..k {
                let v = sigmoid_predict(dec[p], a[p], b[p]).clamp(MIN_PROB, 1.0 - MIN_PROB);
                r[i][j] = v;
                r[j][i] = 1.0 - v;
                p += 1;
            }
        }
        Some(multiclass_probability(&r))
    }
}

/// An ε-SVR model: `f(x) = Σ coefᵢ K(svᵢ, x) − ρ`.
#[derive(Clone, Debug)]
pub(crate) struct RegModel {
    /// The support vectors, in training order.
    pub(crate) sv: Matrix,
    /// The training index of each support vector.
    pub(crate) support: Vec<usize>,
    /// `αᵢ − αᵢ*` of each support vector.
    pub(crate) coef: Vec<f64>,
    /// The offset ρ.
    pub(crate) rho: f64,
    /// SMO iterations.
    pub(crate) n_iter: usize,
    /// Whether the solver stopped at `max_iter`.
    pub(crate) timed_out: bool,
}

impl RegModel {
    /// The primal weights `Σ coefᵢ svᵢ` (for the linear kernel).
    pub(crate) fn primal(&self, n_features: usize) -> Vec<f64> {
        let mut w = vec![0.0; n_features];
        for (v, c) in self.coef.iter().enumerate() {
            for (wf, x) in w.iter_mut().zip(self.sv.row(v)) {
                *wf += c * x;
            }
        }
        w
    }

    /// `Err` unless the coefficients and ρ are finite.
    pub(crate) fn check_finite(&self, op: &'static str) -> crate::error::Result<()> {
        if self.coef.iter().any(|v| !v.is_finite()) || !self.rho.is_finite() {
            return Err(crate::error::Error::input(
                op,
                "the dual coefficients or intercept are not finite; the input may hold large values and need scaling",
            ));
        }
        Ok(())
    }

    /// `f(x)` for every row of `x`, in parallel over samples.
    pub(crate) fn predict(&self, kernel: &KernelFn, x: &Matrix) -> Vec<f64> {
        (0..x.rows)
            .into_par_iter()
            .map(|i| {
                let mut sum = 0.0;
                for (s, c) in self.coef.iter().enumerate() {
                    sum += c * kernel.predict(x.row(i), self.sv.row(s));
                }
                sum - self.rho
            })
            .collect()
    }
}
