//! The Gaussians of a mixture for each covariance type: the M-step's estimates, the Cholesky
//! factors of the precisions, and the log-densities of the E-step, after scikit-learn's
//! `_gaussian_mixture.py`.
//!
//! Layouts are scikit-learn's arrays, flat and row-major: for `k` components and `d` features,
//! `Full` holds `k` matrices `(d, d)`, `Tied` one `(d, d)`, `Diag` `(k, d)` and `Spherical`
//! `(k,)`. The Cholesky factor of a precision is upper triangular, `precision = U Uᵀ`.

use crate::error::{Error, Result};
use crate::validation::{np_sum, Matrix};

/// The form of the components' covariance matrices (scikit-learn's `covariance_type`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CovarianceType {
    /// Each component has its own general covariance matrix (the default).
    #[default]
    Full,
    /// All components share one general covariance matrix.
    Tied,
    /// Each component has its own diagonal covariance matrix.
    Diag,
    /// Each component has its own single variance.
    Spherical,
}

impl CovarianceType {
    /// scikit-learn's name of the type, as in its messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            CovarianceType::Full => "full",
            CovarianceType::Tied => "tied",
            CovarianceType::Diag => "diag",
            CovarianceType::Spherical => "spherical",
        }
    }

    /// The shape of a covariance (or precision) array for `k` components and `d` features.
    pub(crate) fn shape(self, k: usize, d: usize) -> Vec<usize> {
        match self {
            CovarianceType::Full => vec![k, d, d],
            CovarianceType::Tied => vec![d, d],
            CovarianceType::Diag => vec![k, d],
            CovarianceType::Spherical => vec![k],
        }
    }

    /// The number of free parameters of a mixture of `k` components in `d` dimensions
    /// (scikit-learn's `_n_parameters`).
    pub(crate) fn n_parameters(self, k: usize, d: usize) -> usize {
        let cov = match self {
            CovarianceType::Full => k * d * (d + 1) / 2,
            CovarianceType::Tied => d * (d + 1) / 2,
            CovarianceType::Diag => k * d,
            CovarianceType::Spherical => k,
        };
        cov + k * d + k - 1
    }
}

/// scikit-learn's message when a covariance is not positive definite.
pub(crate) const ILL_DEFINED: &str = "Fitting the mixture model failed because some components \
    have ill-defined empirical covariance (for instance caused by singleton or collapsed \
    samples). Try to decrease the number of components, increase reg_covar, or scale the input \
    data.";

fn ill_defined(op: &'static str) -> Error {
    Error::Linalg {
        op,
        message: ILL_DEFINED.to_string(),
    }
}

/// The parameters of the components: what the M-step estimates and the E-step uses.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Gaussians {
    pub(crate) kind: CovarianceType,
    /// The mixing weights, `(k,)`.
    pub(crate) weights: Vec<f64>,
    /// The means, `k` x `d`.
    pub(crate) means: Matrix,
    /// The covariances, in the layout of `kind`.
    pub(crate) covariances: Vec<f64>,
    /// The Cholesky factors of the precisions, in the layout of `kind`.
    pub(crate) precisions_cholesky: Vec<f64>,
}

/// The lower Cholesky factor `L` of the symmetric `d` x `d` matrix `a` (`a = L Lᵀ`), or `None`
/// when `a` is not positive definite (LAPACK's `potrf` failing).
pub(crate) fn cholesky_lower(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for j in 0..d {
        let pivot = a[j * d + j] - (0..j).map(|p| l[j * d + p] * l[j * d + p]).sum::<f64>();
        if pivot.is_nan() || pivot <= 0.0 {
            return None;
        }
        let ljj = pivot.sqrt();
        l[j * d + j] = ljj;
        for i in j + 1..d {
            let s = a[i * d + j] - (0..j).map(|p| l[i * d + p] * l[j * d + p]).sum::<f64>();
            l[i * d + j] = s / ljj;
        }
    }
    Some(l)
}

/// The inverse of the lower-triangular `d` x `d` matrix `l`, by forward substitution on the
/// identity (scipy's `solve_triangular(l, eye, lower=True)`); lower triangular too.
fn lower_inverse(l: &[f64], d: usize) -> Vec<f64> {
    let mut inv = vec![0.0; d * d];
    for c in 0..d {
        for i in c..d {
            let rhs = if i == c { 1.0 } else { 0.0 };
            let s: f64 = (c..i).map(|p| l[i * d + p] * inv[p * d + c]).sum();
            inv[i * d + c] = (rhs - s) / l[i * d + i];
        }
    }
    inv
}

/// The transpose of the `d` x `d` matrix `a`.
fn transpose(a: &[f64], d: usize) -> Vec<f64> {
    (0..d * d).map(|k| a[(k % d) * d + k / d]).collect()
}

/// `a` with rows and columns reversed (numpy's `flipud(fliplr(a))`).
fn flip(a: &[f64]) -> Vec<f64> {
    a.iter().rev().copied().collect()
}

/// `a aᵀ` for a `d` x `d` matrix `a`.
fn times_transpose(a: &[f64], d: usize) -> Vec<f64> {
    let mut out = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..d {
            out[i * d + j] = (0..d).map(|p| a[i * d + p] * a[j * d + p]).sum();
        }
    }
    out
}

/// The weights (unnormalised counts `nk`), means and covariances of the components given the
/// responsibilities `resp` (`n` x `k`) of the samples `x` (scikit-learn's
/// `_estimate_gaussian_parameters`).
pub(crate) fn estimate_parameters(
    x: &Matrix,
    resp: &Matrix,
    reg_covar: f64,
    kind: CovarianceType,
) -> (Vec<f64>, Matrix, Vec<f64>) {
    let (n, d, k) = (x.rows, x.cols, resp.cols);
    let mut nk = vec![0.0; k];
    for i in 0..n {
        nk.iter_mut().zip(resp.row(i)).for_each(|(s, r)| *s += r);
    }
    nk.iter_mut().for_each(|s| *s += 10.0 * f64::EPSILON);
    let mut means = Matrix::zeros(k, d);
    for i in 0..n {
        for c in 0..k {
            let r = resp.at(i, c);
            means
                .row_mut(c)
                .iter_mut()
                .zip(x.row(i))
                .for_each(|(m, v)| *m += r * v);
        }
    }
    for (c, count) in nk.iter().enumerate() {
        means.row_mut(c).iter_mut().for_each(|m| *m /= count);
    }
    let covariances = match kind {
        CovarianceType::Full => {
            let mut cov = vec![0.0; k * d * d];
            let mut diff = vec![0.0; d];
            for c in 0..k {
                let block = &mut cov[c * d * d..(c + 1) * d * d];
                for i in 0..n {
                    let r = resp.at(i, c);
                    diff.iter_mut()
                        .zip(x.row(i).iter().zip(means.row(c)))
                        .for_each(|(df, (v, m))| *df = v - m);
                    for a in 0..d {
                        let ra = r * diff[a];
                        for b in a..d {
                            block[a * d + b] += ra * diff[b];
                        }
                    }
                }
                for a in 0..d {
                    for b in a..d {
                        block[a * d + b] /= nk[c];
                        block[b * d + a] = block[a * d + b];
                    }
                    block[a * d + a] += reg_covar;
                }
            }
            cov
        }
        CovarianceType::Tied => {
            // X'X - sum_k nk mu_k mu_k', over the total count: scikit-learn's expanded form.
            let mut cov = vec![0.0; d * d];
            for i in 0..n {
                let row = x.row(i);
                for a in 0..d {
                    for b in 0..d {
                        cov[a * d + b] += row[a] * row[b];
                    }
                }
            }
            let total = np_sum(&nk);
            for a in 0..d {
                for b in 0..d {
                    let m2: f64 = (0..k)
                        .map(|c| nk[c] * means.at(c, a) * means.at(c, b))
                        .sum();
                    cov[a * d + b] = (cov[a * d + b] - m2) / total;
                }
                cov[a * d + a] += reg_covar;
            }
            cov
        }
        CovarianceType::Diag | CovarianceType::Spherical => {
            let mut diag = vec![0.0; k * d];
            for i in 0..n {
                for c in 0..k {
                    let r = resp.at(i, c);
                    diag[c * d..(c + 1) * d]
                        .iter_mut()
                        .zip(x.row(i))
                        .for_each(|(s, v)| *s += r * (v * v));
                }
            }
            for c in 0..k {
                for j in 0..d {
                    let m = means.at(c, j);
                    diag[c * d + j] = diag[c * d + j] / nk[c] - m * m + reg_covar;
                }
            }
            if kind == CovarianceType::Diag {
                diag
            } else {
                diag.chunks(d).map(|v| np_sum(v) / d as f64).collect()
            }
        }
    };
    (nk, means, covariances)
}

/// The upper Cholesky factors of the precisions, from the covariances (scikit-learn's
/// `_compute_precision_cholesky`): `U = L⁻ᵀ` where `covariance = L Lᵀ`. A covariance that is
/// not positive definite is scikit-learn's "ill-defined empirical covariance" error.
pub(crate) fn precision_cholesky(
    op: &'static str,
    covariances: &[f64],
    kind: CovarianceType,
    d: usize,
) -> Result<Vec<f64>> {
    match kind {
        CovarianceType::Full | CovarianceType::Tied => {
            let mut out = Vec::with_capacity(covariances.len());
            for cov in covariances.chunks(d * d) {
                let l = cholesky_lower(cov, d).ok_or_else(|| ill_defined(op))?;
                out.extend(transpose(&lower_inverse(&l, d), d));
            }
            Ok(out)
        }
        CovarianceType::Diag | CovarianceType::Spherical => {
            if covariances.iter().any(|&c| c.is_nan() || c <= 0.0) {
                return Err(ill_defined(op));
            }
            Ok(covariances.iter().map(|c| 1.0 / c.sqrt()).collect())
        }
    }
}

/// The upper Cholesky factors of given precisions (scikit-learn's
/// `_compute_precision_cholesky_from_precisions`): `U = J chol(J P J) J` with `J` the exchange
/// matrix, so that `P = U Uᵀ`.
pub(crate) fn precision_cholesky_from_precisions(
    op: &'static str,
    precisions: &[f64],
    kind: CovarianceType,
    d: usize,
) -> Result<Vec<f64>> {
    match kind {
        CovarianceType::Full | CovarianceType::Tied => {
            let mut out = Vec::with_capacity(precisions.len());
            for p in precisions.chunks(d * d) {
                let l = cholesky_lower(&flip(p), d).ok_or_else(|| ill_defined(op))?;
                out.extend(flip(&l));
            }
            Ok(out)
        }
        CovarianceType::Diag | CovarianceType::Spherical => {
            Ok(precisions.iter().map(|p| p.sqrt()).collect())
        }
    }
}

/// The precisions `U Uᵀ` from their Cholesky factors `U`.
pub(crate) fn precisions_from_cholesky(
    precisions_cholesky: &[f64],
    kind: CovarianceType,
    d: usize,
) -> Vec<f64> {
    match kind {
        CovarianceType::Full | CovarianceType::Tied => precisions_cholesky
            .chunks(d * d)
            .flat_map(|u| times_transpose(u, d))
            .collect(),
        CovarianceType::Diag | CovarianceType::Spherical => {
            precisions_cholesky.iter().map(|u| u * u).collect()
        }
    }
}

/// The covariances `(U Uᵀ)⁻¹ = U⁻ᵀ U⁻¹` from the Cholesky factors `U` of the precisions.
pub(crate) fn covariances_from_cholesky(
    precisions_cholesky: &[f64],
    kind: CovarianceType,
    d: usize,
) -> Vec<f64> {
    match kind {
        CovarianceType::Full | CovarianceType::Tied => precisions_cholesky
            .chunks(d * d)
            .flat_map(|u| times_transpose(&lower_inverse(&transpose(u, d), d), d))
            .collect(),
        CovarianceType::Diag | CovarianceType::Spherical => {
            precisions_cholesky.iter().map(|u| 1.0 / (u * u)).collect()
        }
    }
}

/// The lower Cholesky factors of the covariances, one per component (a shared one repeated for
/// `Tied`), for drawing samples; `None` where a covariance is not positive definite.
pub(crate) fn covariance_factors(
    covariances: &[f64],
    kind: CovarianceType,
    k: usize,
    d: usize,
) -> Option<Vec<Vec<f64>>> {
    let factors: Option<Vec<Vec<f64>>> = covariances
        .chunks(d * d)
        .map(|c| cholesky_lower(c, d))
        .collect();
    let factors = factors?;
    Some(match kind {
        CovarianceType::Tied => vec![factors[0].clone(); k],
        _ => factors,
    })
}

/// `log N(x_i | mu_c, Sigma_c)` for each sample `i` (row) and component `c` (column)
/// (scikit-learn's `_estimate_log_gaussian_prob`, in its arrangement of the sums).
pub(crate) fn log_gaussian_prob(x: &Matrix, g: &Gaussians) -> Matrix {
    let (n, d, k) = (x.rows, x.cols, g.means.rows);
    let pc = &g.precisions_cholesky;
    let mut out = Matrix::zeros(n, k);
    // log det of the precision's Cholesky factor: minus half the log det of the covariance.
    let log_det: Vec<f64> = match g.kind {
        CovarianceType::Full | CovarianceType::Tied => pc
            .chunks(d * d)
            .map(|u| np_sum(&(0..d).map(|j| u[j * d + j].ln()).collect::<Vec<_>>()))
            .collect(),
        CovarianceType::Diag => pc
            .chunks(d)
            .map(|u| u.iter().map(|v| v.ln()).sum())
            .collect(),
        CovarianceType::Spherical => pc.iter().map(|u| d as f64 * u.ln()).collect(),
    };
    match g.kind {
        CovarianceType::Full | CovarianceType::Tied => {
            // y = X U - mu U; the squared norm of y is the Mahalanobis distance.
            let mut y = vec![0.0; d];
            for c in 0..k {
                let u = if g.kind == CovarianceType::Full {
                    &pc[c * d * d..(c + 1) * d * d]
                } else {
                    &pc[..]
                };
                let mu_u = upper_times(g.means.row(c), u, d);
                for i in 0..n {
                    let row = x.row(i);
                    for (j, yj) in y.iter_mut().enumerate() {
                        let xu: f64 = (0..=j).map(|p| row[p] * u[p * d + j]).sum();
                        *yj = xu - mu_u[j];
                    }
                    out.data[i * k + c] = y.iter().map(|v| v * v).sum();
                }
            }
        }
        CovarianceType::Diag => {
            let prec: Vec<f64> = pc.iter().map(|u| u * u).collect();
            for c in 0..k {
                let (mu, p) = (g.means.row(c), &prec[c * d..(c + 1) * d]);
                let mm: f64 = mu.iter().zip(p).map(|(m, p)| m * m * p).sum();
                for i in 0..n {
                    let row = x.row(i);
                    let xm: f64 = (0..d).map(|j| row[j] * (mu[j] * p[j])).sum();
                    let xx: f64 = (0..d).map(|j| row[j] * row[j] * p[j]).sum();
                    out.data[i * k + c] = mm - 2.0 * xm + xx;
                }
            }
        }
        CovarianceType::Spherical => {
            for (c, u) in pc.iter().enumerate() {
                let (mu, p) = (g.means.row(c), u * u);
                let mm: f64 = mu.iter().map(|m| m * m).sum();
                for i in 0..n {
                    let row = x.row(i);
                    let xm: f64 = row.iter().zip(mu).map(|(v, m)| v * m).sum();
                    let xx: f64 = row.iter().map(|v| v * v).sum();
                    out.data[i * k + c] = mm * p - 2.0 * (xm * p) + xx * p;
                }
            }
        }
    }
    let norm = d as f64 * (2.0 * std::f64::consts::PI).ln();
    for i in 0..n {
        for c in 0..k {
            let det = log_det[if log_det.len() == 1 { 0 } else { c }];
            let v = &mut out.data[i * k + c];
            *v = -0.5 * (norm + *v) + det;
        }
    }
    out
}

/// The row vector `v` times the upper-triangular `d` x `d` matrix `u`.
fn upper_times(v: &[f64], u: &[f64], d: usize) -> Vec<f64> {
    (0..d)
        .map(|j| (0..=j).map(|p| v[p] * u[p * d + j]).sum())
        .collect()
}
