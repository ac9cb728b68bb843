//! The three solvers of [`LinearDiscriminantAnalysis`](super::LinearDiscriminantAnalysis),
//! ports of scikit-learn's `_solve_svd`, `_solve_lstsq` and `_solve_eigen`.

use crate::discriminant_analysis::covariance::{cov, Shrinkage};
use crate::error::Result;
use crate::linalg::{generalized_eigh, lstsq, thin_svd};
use crate::validation::{dot, Matrix};

/// The training data of a fit, split by class.
#[derive(Clone, Copy)]
pub(super) struct Problem<'a> {
    pub(super) x: &'a Matrix,
    /// The rows of each class.
    pub(super) groups: &'a [Matrix],
    /// `(n_classes, n_features)`.
    pub(super) means: &'a Matrix,
    pub(super) priors: &'a [f64],
    /// The number of components `transform` keeps.
    pub(super) max_components: usize,
}

/// What a solver computes before the two-class case is folded.
pub(super) struct Solution {
    pub(super) coef: Matrix,
    pub(super) intercept: Vec<f64>,
    pub(super) covariance: Option<Matrix>,
    pub(super) explained_variance_ratio: Option<Vec<f64>>,
    pub(super) scalings: Option<Matrix>,
    pub(super) xbar: Option<Vec<f64>>,
}

/// `a b` for row-major matrices.
pub(super) fn matmul(a: &Matrix, b: &Matrix) -> Matrix {
    let mut out = Matrix::zeros(a.rows, b.cols);
    for i in 0..a.rows {
        for (k, &aik) in a.row(i).iter().enumerate() {
            let brow = b.row(k);
            out.row_mut(i)
                .iter_mut()
                .zip(brow)
                .for_each(|(o, v)| *o += aik * v);
        }
    }
    out
}

/// `a bᵀ` for row-major matrices.
pub(super) fn matmul_t(a: &Matrix, b: &Matrix) -> Matrix {
    let mut out = Matrix::zeros(a.rows, b.rows);
    for i in 0..a.rows {
        for j in 0..b.rows {
            out.data[i * b.rows + j] = dot(a.row(i), b.row(j));
        }
    }
    out
}

/// The priors-weighted sum of the class covariances (scikit-learn's `_class_cov`).
fn class_cov(groups: &[Matrix], priors: &[f64], shrinkage: Option<Shrinkage>) -> Matrix {
    let d = groups[0].cols;
    let mut out = Matrix::zeros(d, d);
    for (g, &p) in groups.iter().zip(priors) {
        let c = cov(g, shrinkage);
        out.data
            .iter_mut()
            .zip(&c.data)
            .for_each(|(o, v)| *o += p * v);
    }
    out
}

/// The mean of each class, `(n_classes, n_features)`.
pub(super) fn class_means(groups: &[Matrix]) -> Matrix {
    let d = groups[0].cols;
    Matrix {
        rows: groups.len(),
        cols: d,
        data: groups.iter().flat_map(|g| g.column_means()).collect(),
    }
}

/// `-0.5 diag(means coefᵀ) + log(priors)`.
fn intercepts(means: &Matrix, coef: &Matrix, priors: &[f64]) -> Vec<f64> {
    (0..means.rows)
        .map(|k| -0.5 * dot(means.row(k), coef.row(k)) + priors[k].ln())
        .collect()
}

/// scikit-learn's `_solve_svd`.
pub(super) fn svd(p: &Problem, tol: f64, store_covariance: bool) -> Result<Solution> {
    let Problem {
        x,
        groups,
        means,
        priors,
        max_components,
    } = *p;
    const OP: &str = "LinearDiscriminantAnalysis::fit";
    let (n, d, k) = (x.rows, x.cols, groups.len());
    let covariance = store_covariance.then(|| class_cov(groups, priors, None));
    let xbar: Vec<f64> = (0..d)
        .map(|j| (0..k).map(|c| priors[c] * means.at(c, j)).sum())
        .collect();
    let mut xc = Matrix::zeros(0, d);
    for (c, g) in groups.iter().enumerate() {
        let centred = g.centered(means.row(c));
        xc.data.extend_from_slice(&centred.data);
        xc.rows += g.rows;
    }
    let mut std: Vec<f64> = xc
        .column_means()
        .iter()
        .enumerate()
        .map(|(j, m)| {
            ((0..xc.rows).map(|i| (xc.at(i, j) - m).powi(2)).sum::<f64>() / xc.rows as f64).sqrt()
        })
        .collect();
    std.iter_mut().filter(|s| **s == 0.0).for_each(|s| *s = 1.0);
    let fac = (1.0 / n as f64).sqrt();
    let mut scaled = xc;
    for i in 0..scaled.rows {
        scaled
            .row_mut(i)
            .iter_mut()
            .zip(&std)
            .for_each(|(v, s)| *v = fac * (*v / s));
    }
    let (_, s, v) = thin_svd(OP, &scaled)?;
    let rank = s.iter().filter(|&&v| v > tol).count();
    // scalings = (Vt[:rank] / std)ᵀ / S[:rank], (d, rank).
    let mut scalings = Matrix::zeros(d, rank);
    for f in 0..d {
        for r in 0..rank {
            scalings.data[f * rank + r] = v[(f, r)] / std[f] / s[r];
        }
    }
    let fac = if k == 1 { 1.0 } else { 1.0 / (k - 1) as f64 };
    let mut centres = Matrix::zeros(k, d);
    for (c, &prior) in priors.iter().enumerate() {
        let w = (n as f64 * prior * fac).sqrt();
        let row = centres.row_mut(c);
        for ((out, m), b) in row.iter_mut().zip(means.row(c)).zip(&xbar) {
            *out = w * (m - b);
        }
    }
    let between = matmul(&centres, &scalings);
    let (_, s2, v2) = thin_svd(OP, &between)?;
    let total: f64 = s2.iter().map(|v| v * v).sum();
    let explained_variance_ratio = s2
        .iter()
        .take(max_components)
        .map(|v| v * v / total)
        .collect();
    let rank2 = s2.iter().filter(|&&v| v > tol * s2[0]).count();
    let rot = Matrix {
        rows: v2.nrows(),
        cols: rank2,
        data: (0..v2.nrows())
            .flat_map(|i| (0..rank2).map(move |j| (i, j)))
            .map(|(i, j)| v2[(i, j)])
            .collect(),
    };
    let scalings = matmul(&scalings, &rot);
    let mut centred_means = means.clone();
    for c in 0..k {
        centred_means
            .row_mut(c)
            .iter_mut()
            .zip(&xbar)
            .for_each(|(m, b)| *m -= b);
    }
    let low = matmul(&centred_means, &scalings);
    let coef = matmul_t(&low, &scalings);
    let intercept = (0..k)
        .map(|c| {
            let norm: f64 = low.row(c).iter().map(|v| v * v).sum();
            -0.5 * norm + priors[c].ln() - dot(&xbar, coef.row(c))
        })
        .collect();
    Ok(Solution {
        coef,
        intercept,
        covariance,
        explained_variance_ratio: Some(explained_variance_ratio),
        scalings: Some(scalings),
        xbar: Some(xbar),
    })
}

/// scikit-learn's `_solve_lstsq`.
pub(super) fn lsqr(p: &Problem, shrinkage: Option<Shrinkage>) -> Result<Solution> {
    let Problem {
        groups,
        means,
        priors,
        ..
    } = *p;
    const OP: &str = "LinearDiscriminantAnalysis::fit";
    let covariance = class_cov(groups, priors, shrinkage);
    let targets: Vec<Vec<f64>> = (0..means.rows).map(|c| means.row(c).to_vec()).collect();
    let cols = lstsq(OP, &covariance, &targets)?;
    let coef = Matrix {
        rows: means.rows,
        cols: means.cols,
        data: cols.into_iter().flatten().collect(),
    };
    let intercept = intercepts(means, &coef, priors);
    Ok(Solution {
        coef,
        intercept,
        covariance: Some(covariance),
        explained_variance_ratio: None,
        scalings: None,
        xbar: None,
    })
}

/// scikit-learn's `_solve_eigen`.
pub(super) fn eigen(p: &Problem, shrinkage: Option<Shrinkage>) -> Result<Solution> {
    let Problem {
        x,
        groups,
        means,
        priors,
        max_components,
    } = *p;
    const OP: &str = "LinearDiscriminantAnalysis::fit";
    let within = class_cov(groups, priors, shrinkage);
    let total = cov(x, shrinkage);
    let mut between = total;
    between
        .data
        .iter_mut()
        .zip(&within.data)
        .for_each(|(b, w)| *b -= w);
    let (evals, evecs) = generalized_eigh(OP, &between.to_faer(), &within.to_faer())?;
    let sum: f64 = evals.iter().sum();
    // Largest first; faer's eigenvalues come smallest first.
    let order: Vec<usize> = (0..evals.len()).rev().collect();
    let explained_variance_ratio = order
        .iter()
        .take(max_components)
        .map(|&i| evals[i] / sum)
        .collect();
    let evecs = Matrix::from_faer(&evecs);
    let d = x.cols;
    let scalings = Matrix {
        rows: d,
        cols: d,
        data: (0..d)
            .flat_map(|f| order.iter().map(move |&i| (f, i)))
            .map(|(f, i)| evecs.at(f, i))
            .collect(),
    };
    let coef = matmul_t(&matmul(means, &scalings), &scalings);
    let intercept = intercepts(means, &coef, priors);
    Ok(Solution {
        coef,
        intercept,
        covariance: Some(within),
        explained_variance_ratio: Some(explained_variance_ratio),
        scalings: Some(scalings),
        xbar: None,
    })
}
