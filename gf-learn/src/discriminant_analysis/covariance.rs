//! The covariance estimates of discriminant analysis (scikit-learn's `_cov`): the empirical
//! (biased) covariance, optionally shrunk towards a multiple of the identity by a fixed amount
//! or by the Ledoit-Wolf formula.

use crate::validation::Matrix;

/// How the covariance estimates are shrunk (scikit-learn's `shrinkage`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shrinkage {
    /// The Ledoit-Wolf shrinkage, computed on the standardised features (scikit-learn's
    /// `"auto"`).
    Auto,
    /// A fixed shrinkage in `[0, 1]`: `(1 - s) Σ + s (tr Σ / d) I`.
    Fixed(f64),
}

/// `x` centred on its column means.
fn centered(x: &Matrix) -> Matrix {
    x.centered(&x.column_means())
}

/// `xᵀ x / n` for an already centred `x`.
fn scatter(xc: &Matrix) -> Matrix {
    let d = xc.cols;
    let mut cov = Matrix::zeros(d, d);
    for i in 0..xc.rows {
        let row = xc.row(i);
        for a in 0..d {
            for b in a..d {
                cov.data[a * d + b] += row[a] * row[b];
            }
        }
    }
    let n = xc.rows as f64;
    for a in 0..d {
        for b in a..d {
            let v = cov.data[a * d + b] / n;
            cov.data[a * d + b] = v;
            cov.data[b * d + a] = v;
        }
    }
    cov
}

/// The maximum-likelihood covariance (scikit-learn's `empirical_covariance`).
pub(crate) fn empirical(x: &Matrix) -> Matrix {
    scatter(&centered(x))
}

/// `(1 - s) cov + s mu I` with `mu = tr(cov) / d` (scikit-learn's `shrunk_covariance`).
fn shrunk(mut cov: Matrix, s: f64) -> Matrix {
    let d = cov.cols;
    let mu = (0..d).map(|i| cov.at(i, i)).sum::<f64>() / d as f64;
    cov.data.iter_mut().for_each(|v| *v *= 1.0 - s);
    (0..d).for_each(|i| cov.data[i * d + i] += s * mu);
    cov
}

/// The Ledoit-Wolf shrinkage of the centred `xc` (scikit-learn's `ledoit_wolf_shrinkage` with
/// `assume_centered=True`).
fn ledoit_wolf_shrinkage(xc: &Matrix) -> f64 {
    let (n, d) = (xc.rows as f64, xc.cols);
    if d == 1 {
        return 0.0;
    }
    let emp = scatter(xc);
    let trace: Vec<f64> = (0..d).map(|i| emp.at(i, i)).collect();
    let mu = trace.iter().sum::<f64>() / d as f64;
    // beta_ = Σ (X²ᵀ X²)_ab, delta_ = Σ (Xᵀ X)_ab² / n².
    let mut beta_ = 0.0;
    let mut delta_ = 0.0;
    for a in 0..d {
        for b in 0..d {
            let (mut sq, mut cross) = (0.0, 0.0);
            for i in 0..xc.rows {
                let (u, v) = (xc.at(i, a), xc.at(i, b));
                sq += u * u * v * v;
                cross += u * v;
            }
            beta_ += sq;
            delta_ += cross * cross;
        }
    }
    delta_ /= n * n;
    let beta = (beta_ / n - delta_) / (d as f64 * n);
    let trace_sum: f64 = trace.iter().sum();
    let delta = (delta_ - 2.0 * mu * trace_sum + d as f64 * mu * mu) / d as f64;
    let beta = beta.min(delta);
    if beta == 0.0 {
        0.0
    } else {
        beta / delta
    }
}

/// The covariance of `x` with `shrinkage` (scikit-learn's `_cov`): empirical for `None`; for
/// `Auto`, the Ledoit-Wolf estimate of the standardised features, scaled back.
pub(crate) fn cov(x: &Matrix, shrinkage: Option<Shrinkage>) -> Matrix {
    match shrinkage {
        None => empirical(x),
        Some(Shrinkage::Fixed(s)) => shrunk(empirical(x), s),
        Some(Shrinkage::Auto) => {
            let means = x.column_means();
            let n = x.rows as f64;
            let xc = x.centered(&means);
            // StandardScaler's scale: the standard deviation, 1 for a (near) constant feature.
            let scale: Vec<f64> = (0..x.cols)
                .map(|j| {
                    let var = (0..x.rows).map(|i| xc.at(i, j).powi(2)).sum::<f64>() / n;
                    let bound = n * f64::EPSILON * var + (n * means[j] * f64::EPSILON).powi(2);
                    if var <= bound {
                        1.0
                    } else {
                        var.sqrt()
                    }
                })
                .collect();
            let mut z = xc;
            for i in 0..z.rows {
                z.row_mut(i)
                    .iter_mut()
                    .zip(&scale)
                    .for_each(|(v, s)| *v /= s);
            }
            let zc = centered(&z);
            let s = ledoit_wolf_shrinkage(&zc);
            let mut out = shrunk(scatter(&zc), s);
            let d = x.cols;
            for a in 0..d {
                for b in 0..d {
                    out.data[a * d + b] *= scale[a] * scale[b];
                }
            }
            out
        }
    }
}
