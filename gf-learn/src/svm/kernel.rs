//! The kernel functions of libsvm: linear, polynomial, RBF and sigmoid, in the two forms libsvm
//! evaluates them (training from cached squared norms, prediction from the difference), and
//! the precomputed kernel, whose values are given as a Gram matrix.
//!
//! A precomputed kernel is read as scikit-learn's libsvm reads it: every row handed to the
//! solver or the model is a row of the Gram matrix with the sample's training index in front
//! (`[i, K(xᵢ, x₀), K(xᵢ, x₁), …]`), so `K(a, b)` is `a[1 + b[0]]` and subsets of rows (the
//! one-vs-one pairs, Platt's folds) keep finding their values without a copy of the matrix.

use gf_core::device::simd;

use crate::validation::Matrix;

/// The kernel an SVM compares samples with (scikit-learn's `kernel`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kernel {
    /// `⟨x, x'⟩`.
    Linear,
    /// `(γ⟨x, x'⟩ + coef0)^degree`.
    Poly,
    /// `exp(−γ‖x − x'‖²)`, scikit-learn's default.
    #[default]
    Rbf,
    /// `tanh(γ⟨x, x'⟩ + coef0)`.
    Sigmoid,
    /// The kernel values are given (scikit-learn's `kernel="precomputed"`): `fit` takes the
    /// `n × n` Gram matrix `K(X_train, X_train)` and prediction takes `K(X_test, X_train)`,
    /// `n_test × n_train`.
    Precomputed,
}

/// The kernel coefficient γ of the poly, RBF and sigmoid kernels (scikit-learn's `gamma`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Gamma {
    /// `1 / (n_features · X.var())` (1 when X has no variance), scikit-learn's default.
    #[default]
    Scale,
    /// `1 / n_features`.
    Auto,
    /// This value, which must be non-negative.
    Value(f64),
}

impl Gamma {
    /// γ for the training matrix `data` (row-major, `cols` features).
    pub(crate) fn resolve(self, data: &[f64], cols: usize) -> f64 {
        match self {
            Gamma::Value(g) => g,
            Gamma::Auto => 1.0 / cols as f64,
            Gamma::Scale => {
                // numpy's `X.var()`: the mean first, then the mean squared deviation.
                let n = data.len() as f64;
                let mean = crate::validation::np_sum(data) / n;
                let dev: Vec<f64> = data.iter().map(|v| (v - mean) * (v - mean)).collect();
                let var = crate::validation::np_sum(&dev) / n;
                if var != 0.0 {
                    1.0 / (cols as f64 * var)
                } else {
                    1.0
                }
            }
        }
    }
}

/// A kernel with its coefficients fixed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct KernelFn {
    pub(crate) kind: Kernel,
    pub(crate) degree: i32,
    pub(crate) gamma: f64,
    pub(crate) coef0: f64,
}

/// `⟨a, b⟩` on the SIMD path.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    simd::dot(simd::path(), a, b)
}

/// `K(a, b)` of index-prefixed Gram rows (see the module doc): `a`'s value at `b`'s index.
fn precomputed(a: &[f64], b: &[f64]) -> f64 {
    // The index was written by `prefix_gram` from a `usize`, so the cast is exact.
    a[1 + b[0] as usize]
}

/// The rows of the Gram matrix `k` with the index of each row in front (its training index
/// when `k` is the training Gram matrix; 0 for prediction rows, which are never looked up).
pub(crate) fn prefix_gram(k: &Matrix, training: bool) -> Matrix {
    let mut out = Matrix::zeros(k.rows, k.cols + 1);
    for i in 0..k.rows {
        let row = out.row_mut(i);
        row[0] = if training { i as f64 } else { 0.0 };
        row[1..].copy_from_slice(k.row(i));
    }
    out
}

/// `base^times` by repeated squaring, as libsvm's `powi` (so the rounding is libsvm's).
fn powi(base: f64, times: i32) -> f64 {
    let (mut tmp, mut ret) = (base, 1.0);
    let mut t = times;
    while t > 0 {
        if t % 2 == 1 {
            ret *= tmp;
        }
        tmp *= tmp;
        t /= 2;
    }
    ret
}

impl KernelFn {
    /// Whether the training form needs the squared norms of the rows.
    pub(crate) fn needs_norms(&self) -> bool {
        self.kind == Kernel::Rbf
    }

    /// `K(a, b)` while training, given `‖a‖²` and `‖b‖²` (used by RBF only), as libsvm's
    /// `Kernel::kernel_function`.
    pub(crate) fn train(&self, a: &[f64], b: &[f64], sq_a: f64, sq_b: f64) -> f64 {
        match self.kind {
            Kernel::Linear => dot(a, b),
            Kernel::Poly => powi(self.gamma * dot(a, b) + self.coef0, self.degree),
            Kernel::Rbf => (-self.gamma * (sq_a + sq_b - 2.0 * dot(a, b))).exp(),
            Kernel::Sigmoid => (self.gamma * dot(a, b) + self.coef0).tanh(),
            Kernel::Precomputed => precomputed(a, b),
        }
    }

    /// `K(a, b)` at prediction, as libsvm's `k_function` (RBF from `‖a − b‖²` directly).
    pub(crate) fn predict(&self, a: &[f64], b: &[f64]) -> f64 {
        match self.kind {
            Kernel::Rbf => {
                let sq: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
                (-self.gamma * sq).exp()
            }
            _ => self.train(a, b, 0.0, 0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powi_matches_powf() {
        for (b, t) in [(1.5, 0), (1.5, 1), (-2.0, 3), (0.7, 8)] {
            assert!((powi(b, t) - f64::powi(b, t)).abs() < 1e-12);
        }
    }

    #[test]
    fn rbf_forms_agree() {
        let k = KernelFn {
            kind: Kernel::Rbf,
            degree: 3,
            gamma: 0.3,
            coef0: 0.0,
        };
        let (a, b) = ([1.0, 2.0, -1.0], [0.5, -1.0, 2.0]);
        let t = k.train(&a, &b, dot(&a, &a), dot(&b, &b));
        assert!((t - k.predict(&a, &b)).abs() < 1e-14);
    }

    #[test]
    fn gamma_scale_is_one_over_features_times_variance() {
        let data = [0.0, 2.0, 4.0, 6.0];
        // mean 3, variance 5, two features.
        assert!((Gamma::Scale.resolve(&data, 2) - 0.1).abs() < 1e-15);
        assert_eq!(Gamma::Scale.resolve(&[1.0, 1.0], 2), 1.0);
        assert_eq!(Gamma::Auto.resolve(&data, 4), 0.25);
    }

    #[test]
    fn precomputed_reads_the_gram_row_at_the_other_index() {
        let mut k = Matrix::zeros(2, 2);
        k.data.copy_from_slice(&[1.0, 0.5, 0.5, 2.0]);
        let rows = prefix_gram(&k, true);
        let f = KernelFn {
            kind: Kernel::Precomputed,
            degree: 3,
            gamma: 0.0,
            coef0: 0.0,
        };
        assert_eq!(f.train(rows.row(0), rows.row(1), 0.0, 0.0), 0.5);
        assert_eq!(f.predict(rows.row(1), rows.row(1)), 2.0);
        assert_eq!(rows.row(1)[0], 1.0);
    }
}
