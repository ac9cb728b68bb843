//! The starting points of NMF as scikit-learn's `_initialize_nmf` computes them: non-negative
//! Gaussian noise (`random`), and Boutsidis and Gallopoulos's NNDSVD from the leading singular
//! triplets, its zeros kept (`nndsvd`), filled with the mean of X (`nndsvda`) or with small
//! noise (`nndsvdar`). The SVD is scikit-learn's `randomized_svd` and all the noise numpy's
//! legacy `RandomState`, drawn in scikit-learn's order, so a seed gives scikit-learn's
//! initialisation for `random_state=seed`.

use faer::Mat;

use crate::error::{Error, Result};
pub(super) use crate::tree::numpy_random::NumpyRandom;
use crate::validation::{np_sum, Matrix};

/// The generator of the component orders of coordinate descent with `shuffle`.
pub(super) type Permuter = NumpyRandom;

/// The initialisations computed from X (scikit-learn's `init` other than "custom").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Start {
    Random,
    Nndsvd,
    Nndsvda,
    Nndsvdar,
}

/// An orthonormal basis of the range of `m` (thin QR, `min(rows, cols)` columns): the same
/// subspace as the LU factor scikit-learn's power iterations normalise with.
fn orthonormal(m: &Mat<f64>) -> Mat<f64> {
    m.qr().compute_thin_Q()
}

/// The leading `k` singular triplets of `x` as scikit-learn's `randomized_svd(x, k,
/// random_state=seed)` finds them: a Gaussian sketch of `k + 10` columns drawn by numpy's
/// `RandomState(seed).normal`, 7 power iterations when `k` is below a tenth of the smaller
/// dimension and 4 otherwise, each normalised, then the exact SVD of the projection; on `xᵀ`
/// when `x` is wide. Returns `(U, s, Vᵀ)` with `U` n x k and `Vᵀ` k x m; the signs do not
/// matter to NNDSVD, which is the same for `(u, v)` and `(-u, -v)`.
fn randomized_svd(x: &Matrix, k: usize, seed: u32) -> Result<(Matrix, Vec<f64>, Matrix)> {
    let a = x.to_faer();
    let transpose = x.rows < x.cols;
    let m = if transpose {
        a.transpose().to_owned()
    } else {
        a
    };
    let n_random = k + 10;
    let n_iter = if (k as f64) < 0.1 * x.rows.min(x.cols) as f64 {
        7
    } else {
        4
    };
    let mut rng = NumpyRandom::new(seed);
    let mut omega = Mat::<f64>::zeros(m.ncols(), n_random);
    for i in 0..m.ncols() {
        for j in 0..n_random {
            omega[(i, j)] = rng.standard_normal();
        }
    }
    let mut q = omega;
    for _ in 0..n_iter {
        q = orthonormal(&(&m * &q));
        q = orthonormal(&(m.transpose() * &q));
    }
    let q = orthonormal(&(&m * &q));
    let b = q.transpose() * &m;
    let svd = b.thin_svd().map_err(|e| Error::Linalg {
        op: "NMF::fit",
        message: format!("the SVD of the NNDSVD initialisation did not converge: {e:?}"),
    })?;
    let left = &q * svd.U();
    let right = svd.V();
    let sv = svd.S().column_vector();
    let s: Vec<f64> = (0..k).map(|i| sv[i]).collect();
    // Without the transpose, U = Q Û and V = V̂; with it, the roles swap.
    let (u, v) = if transpose {
        (right.to_owned(), left)
    } else {
        (left, right.to_owned())
    };
    let mut um = Matrix::zeros(x.rows, k);
    let mut vt = Matrix::zeros(k, x.cols);
    for j in 0..k {
        for i in 0..x.rows {
            um.data[i * k + j] = u[(i, j)];
        }
        for f in 0..x.cols {
            vt.data[j * x.cols + f] = v[(f, j)];
        }
    }
    Ok((um, s, vt))
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

/// The mean of all the entries of `x` (numpy's `X.mean()`, in its summation order).
pub(super) fn mean(x: &Matrix) -> f64 {
    np_sum(&x.data) / x.data.len() as f64
}

/// `W` (n x k) and `H` (k x m) to start from, as scikit-learn's `_initialize_nmf(x, k, init,
/// random_state=seed)`: `k <= min(n, m)` is checked by the caller for the NNDSVD variants.
pub(super) fn initialize(
    x: &Matrix,
    k: usize,
    start: Start,
    seed: u32,
) -> Result<(Matrix, Matrix)> {
    let (n, m) = (x.rows, x.cols);
    if start == Start::Random {
        let avg = (mean(x) / k as f64).sqrt();
        let mut rng = NumpyRandom::new(seed);
        let mut draw = |rows, cols| Matrix {
            rows,
            cols,
            data: (0..rows * cols)
                .map(|_| (avg * rng.standard_normal()).abs())
                .collect(),
        };
        let h = draw(k, m);
        let w = draw(n, k);
        return Ok((w, h));
    }
    let (u, s, vt) = randomized_svd(x, k, seed)?;
    let mut w = Matrix::zeros(n, k);
    let mut h = Matrix::zeros(k, m);
    // The leading singular triplet is non-negative up to its sign.
    for i in 0..n {
        w.data[i * k] = s[0].sqrt() * u.at(i, 0).abs();
    }
    for f in 0..m {
        h.data[f] = s[0].sqrt() * vt.at(0, f).abs();
    }
    for (j, &s_j) in s.iter().enumerate().skip(1) {
        let x_col: Vec<f64> = (0..n).map(|i| u.at(i, j)).collect();
        let y_row = vt.row(j);
        let pos = |v: &[f64]| v.iter().map(|&a| a.max(0.0)).collect::<Vec<_>>();
        let neg = |v: &[f64]| v.iter().map(|&a| a.min(0.0).abs()).collect::<Vec<_>>();
        let (x_p, y_p, x_n, y_n) = (pos(&x_col), pos(y_row), neg(&x_col), neg(y_row));
        let (x_p_nrm, y_p_nrm) = (norm(&x_p), norm(&y_p));
        let (x_n_nrm, y_n_nrm) = (norm(&x_n), norm(&y_n));
        let (m_p, m_n) = (x_p_nrm * y_p_nrm, x_n_nrm * y_n_nrm);
        let (uu, vv, sigma, un, vn) = if m_p > m_n {
            (x_p, y_p, m_p, x_p_nrm, y_p_nrm)
        } else {
            (x_n, y_n, m_n, x_n_nrm, y_n_nrm)
        };
        // Both parts empty (a singular pair of opposite one-signed vectors) would be 0 / 0 in
        // scikit-learn; the component starts at zero here instead.
        if sigma == 0.0 {
            continue;
        }
        let lbd = (s_j * sigma).sqrt();
        for (i, &ui) in uu.iter().enumerate() {
            w.data[i * k + j] = lbd * (ui / un);
        }
        for (hv, &vf) in h.row_mut(j).iter_mut().zip(&vv) {
            *hv = lbd * (vf / vn);
        }
    }
    const EPS: f64 = 1e-6;
    for v in w.data.iter_mut().chain(h.data.iter_mut()) {
        if *v < EPS {
            *v = 0.0;
        }
    }
    match start {
        Start::Nndsvda => {
            let avg = mean(x);
            for v in w.data.iter_mut().chain(h.data.iter_mut()) {
                if *v == 0.0 {
                    *v = avg;
                }
            }
        }
        Start::Nndsvdar => {
            let avg = mean(x);
            let mut rng = NumpyRandom::new(seed);
            for v in w.data.iter_mut().chain(h.data.iter_mut()) {
                if *v == 0.0 {
                    *v = (avg * rng.standard_normal() / 100.0).abs();
                }
            }
        }
        _ => {}
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaussian_draws_and_permutations_match_numpy() {
        // numpy: np.random.RandomState(0).standard_normal(3)
        let mut r = NumpyRandom::new(0);
        let got: Vec<f64> = (0..3).map(|_| r.standard_normal()).collect();
        assert_eq!(
            got,
            [1.764052345967664, 0.4001572083672233, 0.9787379841057392]
        );
        // numpy: np.random.RandomState(0).permutation(8)
        assert_eq!(NumpyRandom::new(0).permutation(8), [6, 2, 1, 7, 3, 0, 5, 4]);
    }
}
