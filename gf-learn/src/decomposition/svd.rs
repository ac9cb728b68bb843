//! The SVDs behind PCA: the full thin SVD from faer, and Halko et al.'s randomized SVD as
//! scikit-learn's `randomized_svd` computes it; both return the right singular vectors with
//! scikit-learn's `svd_flip` signs.

use faer::Mat;
use gf_core::rng::Xoshiro256;

use crate::error::{Error, Result};
use crate::linalg::{gram_t, symmetric_eigh};
use crate::validation::{Matrix, MatrixRef};

/// Singular values, largest first, and the matching right singular vectors as the rows of
/// `vt`.
pub(crate) struct RightSvd {
    pub(crate) s: Vec<f64>,
    pub(crate) vt: Matrix,
}

fn svd_error(op: &'static str, e: impl std::fmt::Debug) -> Error {
    Error::Linalg {
        op,
        message: format!("the SVD did not converge: {e:?}"),
    }
}

/// The first `k` columns of `v` as the rows of a matrix, each signed so that its entry of
/// largest magnitude is positive (scikit-learn's `svd_flip(u_based_decision=False)`).
fn flipped_rows(v: &Mat<f64>, k: usize) -> Matrix {
    let mut vt = Matrix::zeros(k, v.nrows());
    for c in 0..k {
        let mut arg = 0;
        for i in 1..v.nrows() {
            if v[(i, c)].abs() > v[(arg, c)].abs() {
                arg = i;
            }
        }
        let sign = if v[(arg, c)] < 0.0 { -1.0 } else { 1.0 };
        for i in 0..v.nrows() {
            vt.data[c * v.nrows() + i] = sign * v[(i, c)];
        }
    }
    vt
}

/// The full thin SVD of `x` (all `min(rows, cols)` components).
pub(crate) fn full(op: &'static str, x: &Matrix) -> Result<RightSvd> {
    let svd = x.to_faer().thin_svd().map_err(|e| svd_error(op, e))?;
    let s = svd.S().column_vector();
    let s: Vec<f64> = (0..s.nrows()).map(|i| s[i]).collect();
    let vt = flipped_rows(&svd.V().to_owned(), s.len());
    Ok(RightSvd { s, vt })
}

/// scikit-learn's `covariance_eigh` PCA: the covariance `(XᵀX − n μμᵀ) / (n − 1)` of the
/// uncentred `x` with column means `mean`, its eigenvalues largest first (negative rounding
/// clipped to 0) as the explained variances, `sqrt(λ (n − 1))` as the singular values, and its
/// eigenvectors with `svd_flip`'s signs as the rows of the components.
pub(crate) fn covariance_eigh(
    op: &'static str,
    x: &MatrixRef<'_>,
    mean: &[f64],
) -> Result<(Vec<f64>, Vec<f64>, Matrix)> {
    let (n, d) = (x.rows as f64, x.cols);
    let mut c = gram_t(&x.data, x.rows, x.cols);
    for i in 0..d {
        for j in 0..d {
            let v = &mut c.data[i * d + j];
            *v = (*v - n * mean[i] * mean[j]) / (n - 1.0);
        }
    }
    let (values, vectors) = symmetric_eigh(op, &c.to_faer())?;
    let reversed = Mat::from_fn(d, d, |i, j| vectors[(i, d - 1 - j)]);
    let variances: Vec<f64> = values.iter().rev().map(|v| v.max(0.0)).collect();
    let s = variances.iter().map(|v| (v * (n - 1.0)).sqrt()).collect();
    Ok((variances, s, flipped_rows(&reversed, d)))
}

/// An orthonormal basis of the columns of `m` (thin QR).
fn orthonormal(m: &Mat<f64>) -> Mat<f64> {
    m.qr().compute_thin_Q()
}

/// The options of [`randomized`].
pub(crate) struct Randomized {
    pub(crate) n_components: usize,
    pub(crate) n_oversamples: usize,
    /// Power iterations; `None` for scikit-learn's "auto" (7 when `n_components` is below a
    /// tenth of the smaller dimension, 4 otherwise).
    pub(crate) n_iter: Option<usize>,
    pub(crate) random_state: u64,
}

/// The leading `n_components` singular values and right singular vectors of `x` by
/// randomized range finding (Halko, Martinsson and Tropp, 2011, as scikit-learn's
/// `randomized_svd`): a Gaussian sketch of `n_components + n_oversamples` columns, refined by
/// power iterations re-orthonormalised by QR at each step, then an exact SVD of the small
/// projected matrix. Works on `xᵀ` when `x` is wide, as scikit-learn does.
pub(crate) fn randomized(op: &'static str, x: &Matrix, opts: &Randomized) -> Result<RightSvd> {
    let a = x.to_faer();
    let transpose = x.rows < x.cols;
    let m = if transpose {
        a.transpose().to_owned()
    } else {
        a
    };
    let smaller = m.nrows().min(m.ncols());
    let k = opts.n_components;
    let n_random = (k + opts.n_oversamples).min(smaller);
    let n_iter = opts.n_iter.unwrap_or(if (k as f64) < 0.1 * smaller as f64 {
        7
    } else {
        4
    });
    let mut rng = Xoshiro256::new(opts.random_state);
    let omega = Mat::from_fn(m.ncols(), n_random, |_, _| rng.next_normal());
    let mut q = orthonormal(&(&m * &omega));
    for _ in 0..n_iter {
        let z = orthonormal(&(m.transpose() * &q));
        q = orthonormal(&(&m * &z));
    }
    let b = q.transpose() * &m;
    let svd = b.thin_svd().map_err(|e| svd_error(op, e))?;
    let s = svd.S().column_vector();
    let s: Vec<f64> = (0..k).map(|i| s[i]).collect();
    // The right singular vectors of x: V of the small SVD, or Q Û when working on xᵀ.
    let v = if transpose {
        &q * svd.U()
    } else {
        svd.V().to_owned()
    };
    Ok(RightSvd {
        s,
        vt: flipped_rows(&v, k),
    })
}
