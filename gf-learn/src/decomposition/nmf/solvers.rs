//! The two NMF solvers of scikit-learn's `_nmf.py`, step for step: coordinate descent
//! (`_fit_coordinate_descent` with the inner loop of `_cdnmf_fast.pyx`) for the Frobenius
//! loss, and the multiplicative updates of Lee and Seung, and of Févotte and Idier for any
//! beta-divergence (`_fit_multiplicative_update`), with the beta-divergence itself
//! (`_beta_divergence`) that measures the fit.

use super::init::Permuter;
use crate::validation::{np_sum, Matrix};

/// numpy's `np.finfo(np.float32).eps`, scikit-learn's floor against division by zero.
pub(super) const EPSILON: f64 = f32::EPSILON as f64;

/// `a b` for row-major `a` (m x p) and `b` (p x n).
pub(super) fn matmul(a: &Matrix, b: &Matrix) -> Matrix {
    debug_assert_eq!(a.cols, b.rows);
    let mut out = Matrix::zeros(a.rows, b.cols);
    for i in 0..a.rows {
        let row = &mut out.data[i * b.cols..(i + 1) * b.cols];
        for (l, &av) in a.row(i).iter().enumerate() {
            row.iter_mut()
                .zip(b.row(l))
                .for_each(|(o, bv)| *o += av * bv);
        }
    }
    out
}

/// `aᵀ b` for row-major `a` (p x m) and `b` (p x n).
pub(super) fn matmul_tn(a: &Matrix, b: &Matrix) -> Matrix {
    debug_assert_eq!(a.rows, b.rows);
    let mut out = Matrix::zeros(a.cols, b.cols);
    for l in 0..a.rows {
        let brow = b.row(l);
        for (i, &av) in a.row(l).iter().enumerate() {
            out.data[i * b.cols..(i + 1) * b.cols]
                .iter_mut()
                .zip(brow)
                .for_each(|(o, bv)| *o += av * bv);
        }
    }
    out
}

/// `a bᵀ` for row-major `a` (m x p) and `b` (n x p).
pub(super) fn matmul_nt(a: &Matrix, b: &Matrix) -> Matrix {
    debug_assert_eq!(a.cols, b.cols);
    let mut out = Matrix::zeros(a.rows, b.rows);
    for i in 0..a.rows {
        for j in 0..b.rows {
            out.data[i * b.rows + j] = dot(a.row(i), b.row(j));
        }
    }
    out
}

/// The transpose of `a`.
pub(super) fn transpose(a: &Matrix) -> Matrix {
    let mut out = Matrix::zeros(a.cols, a.rows);
    for i in 0..a.rows {
        for j in 0..a.cols {
            out.data[j * a.rows + i] = a.at(i, j);
        }
    }
    out
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `x ** e` as numpy computes it for a scalar exponent: the exponents -1, 0, 0.5, 1 and 2 are
/// the reciprocal, one, the square root, the identity and the square (numpy's
/// `fast_scalar_power`); others go through `pow`.
pub(super) fn np_pow(x: f64, e: f64) -> f64 {
    if e == -1.0 {
        1.0 / x
    } else if e == 0.0 {
        1.0
    } else if e == 0.5 {
        x.sqrt()
    } else if e == 1.0 {
        x
    } else if e == 2.0 {
        x * x
    } else {
        x.powf(e)
    }
}

/// The beta-divergence of `x` from `w h` (scikit-learn's `_beta_divergence`): half the squared
/// Frobenius norm for beta = 2, the generalised Kullback-Leibler divergence for 1, Itakura-Saito
/// for 0; with `square_root`, `sqrt(2 * divergence)`. Entries of `x` up to float32's epsilon
/// are left out of the logarithmic terms, and `w h` is floored at that epsilon there.
pub(super) fn beta_divergence(x: &Matrix, w: &Matrix, h: &Matrix, beta: f64, root: bool) -> f64 {
    let wh = matmul(w, h);
    if beta == 2.0 {
        let res = x
            .data
            .iter()
            .zip(&wh.data)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            / 2.0;
        return if root { (res * 2.0).sqrt() } else { res };
    }
    let (x_data, wh_data): (Vec<f64>, Vec<f64>) = x
        .data
        .iter()
        .zip(&wh.data)
        .filter(|(&a, _)| a > EPSILON)
        .map(|(&a, &b)| (a, if b < EPSILON { EPSILON } else { b }))
        .unzip();
    let res = if beta == 1.0 {
        let w_sum: Vec<f64> = (0..w.cols)
            .map(|t| (0..w.rows).map(|i| w.at(i, t)).sum())
            .collect();
        let h_sum: Vec<f64> = (0..h.rows).map(|t| np_sum(h.row(t))).collect();
        let sum_wh = dot(&w_sum, &h_sum);
        let logs: f64 = x_data
            .iter()
            .zip(&wh_data)
            .map(|(a, b)| a * (a / b).ln())
            .sum();
        logs + (sum_wh - np_sum(&x_data))
    } else if beta == 0.0 {
        let div: Vec<f64> = x_data.iter().zip(&wh_data).map(|(a, b)| a / b).collect();
        np_sum(&div)
            - (x.rows * x.cols) as f64
            - np_sum(&div.iter().map(|d| d.ln()).collect::<Vec<_>>())
    } else {
        let sum_wh_beta = np_sum(&wh.data.iter().map(|&v| np_pow(v, beta)).collect::<Vec<_>>());
        let sum_x_wh: f64 = x_data
            .iter()
            .zip(&wh_data)
            .map(|(&a, &b)| a * np_pow(b, beta - 1.0))
            .sum();
        let x_beta = np_sum(&x_data.iter().map(|&a| np_pow(a, beta)).collect::<Vec<_>>());
        let mut res = x_beta - beta * sum_x_wh;
        res += sum_wh_beta * (beta - 1.0);
        res / (beta * (beta - 1.0))
    };
    if root {
        (2.0 * res.max(0.0)).sqrt()
    } else {
        res
    }
}

/// The fixed settings of one solver run.
pub(super) struct Settings {
    pub(super) tol: f64,
    pub(super) max_iter: usize,
    pub(super) l1_w: f64,
    pub(super) l1_h: f64,
    pub(super) l2_w: f64,
    pub(super) l2_h: f64,
    /// False in `transform`: `h` stays fixed and only `w` is solved for.
    pub(super) update_h: bool,
}

/// One sweep of coordinate descent over every entry of `w` (n x k) for `x ≈ w htᵀ`, with `ht`
/// (m x k) fixed and `x` (n x m); returns the sum of the absolute projected gradients (the
/// violation). scikit-learn's `_update_coordinate_descent` and `_update_cdnmf_fast`: the L2
/// penalty is added to the diagonal of `htᵀ ht`, the L1 penalty subtracted from `x ht`, and
/// the components visited in the order of `permutation`, each over all rows.
fn cd_sweep(x: &Matrix, w: &mut Matrix, ht: &Matrix, l1: f64, l2: f64, perm: &[usize]) -> f64 {
    let k = w.cols;
    let mut hht = matmul_tn(ht, ht);
    let mut xht = matmul(x, ht);
    if l2 != 0.0 {
        (0..k).for_each(|t| hht.data[t * k + t] += l2);
    }
    if l1 != 0.0 {
        xht.data.iter_mut().for_each(|v| *v -= l1);
    }
    let mut violation = 0.0;
    for &t in perm {
        let hess = hht.at(t, t);
        let hrow = hht.row(t);
        for i in 0..w.rows {
            let wi = &mut w.data[i * k..(i + 1) * k];
            let mut grad = -xht.at(i, t);
            for r in 0..k {
                grad += hrow[r] * wi[r];
            }
            let pg = if wi[t] == 0.0 { grad.min(0.0) } else { grad };
            violation += pg.abs();
            if hess != 0.0 {
                wi[t] = (wi[t] - grad / hess).max(0.0);
            }
        }
    }
    violation
}

/// Coordinate descent for the Frobenius loss (scikit-learn's `_fit_coordinate_descent`):
/// alternate sweeps over `w` and `h` until the violation falls to `tol` times that of the
/// first iteration, or `max_iter` iterations. With `shuffle`, each sweep visits the components
/// in a fresh random order from `permuter`. Returns the number of iterations.
pub(super) fn coordinate_descent(
    x: &Matrix,
    w: &mut Matrix,
    h: &mut Matrix,
    s: &Settings,
    mut permuter: Option<Permuter>,
) -> usize {
    let k = w.cols;
    let xt = transpose(x);
    let mut ht = transpose(h);
    let order = |p: &mut Option<Permuter>| match p {
        Some(p) => p.permutation(k),
        None => (0..k).collect::<Vec<_>>(),
    };
    let mut violation_init = 0.0;
    let mut n_iter = 0;
    for it in 1..=s.max_iter {
        n_iter = it;
        let perm = order(&mut permuter);
        let mut violation = cd_sweep(x, w, &ht, s.l1_w, s.l2_w, &perm);
        if s.update_h {
            let perm = order(&mut permuter);
            violation += cd_sweep(&xt, &mut ht, w, s.l1_h, s.l2_h, &perm);
        }
        if it == 1 {
            violation_init = violation;
        }
        if violation_init == 0.0 || violation / violation_init <= s.tol {
            break;
        }
    }
    *h = transpose(&ht);
    n_iter
}

/// A denominator of the multiplicative update: a full matrix, or one value per column (per
/// row for H) broadcast, as numpy broadcasts `H_sum[np.newaxis, :]` and `W_sum[:, np.newaxis]`.
enum Denominator {
    Full(Matrix),
    Broadcast(Vec<f64>),
}

/// `x / wh` (beta 1), `x / wh²` (beta 0) or `x wh^(beta - 2)`, with `wh` floored at
/// [`EPSILON`] for beta < 2; and `wh` for the second term of the update, floored for beta < 1
/// and raised to `beta - 1` (scikit-learn's `WH_safe_X` and `WH`).
fn weighted_ratio(x: &Matrix, wh: &Matrix, beta: f64) -> (Matrix, Matrix) {
    let mut ratio = wh.clone();
    let mut power = wh.clone();
    if beta < 1.0 {
        power
            .data
            .iter_mut()
            .for_each(|v| *v = if *v < EPSILON { EPSILON } else { *v });
    }
    if beta < 2.0 {
        ratio
            .data
            .iter_mut()
            .for_each(|v| *v = if *v < EPSILON { EPSILON } else { *v });
    }
    for (r, &xv) in ratio.data.iter_mut().zip(&x.data) {
        *r = if beta == 1.0 {
            xv / *r
        } else if beta == 0.0 {
            let inv = 1.0 / *r;
            inv * inv * xv
        } else {
            np_pow(*r, beta - 2.0) * xv
        };
    }
    if beta != 1.0 {
        power
            .data
            .iter_mut()
            .for_each(|v| *v = np_pow(*v, beta - 1.0));
    }
    (ratio, power)
}

/// What the W update reuses while `h` is fixed (in `transform`): scikit-learn's `H_sum`,
/// `HHt` and `XHt`.
#[derive(Default)]
struct Cache {
    h_sum: Option<Vec<f64>>,
    hht: Option<Matrix>,
    xht: Option<Matrix>,
}

/// The regularisation, floor and exponent applied to `numerator / denominator`, then `factor`
/// multiplied by it (the end of `_multiplicative_update_w` and `_h`). `by_row` says that a
/// broadcast denominator holds one value per row (H's update) instead of one per column.
fn apply_update(
    factor: &mut Matrix,
    mut numerator: Matrix,
    denominator: &mut Denominator,
    by_row: bool,
    (l1, l2, gamma): (f64, f64, f64),
) {
    if l1 > 0.0 {
        match denominator {
            Denominator::Full(m) => m.data.iter_mut().for_each(|v| *v += l1),
            Denominator::Broadcast(v) => v.iter_mut().for_each(|v| *v += l1),
        }
    }
    let cols = factor.cols;
    let mut full;
    let den: &mut Denominator = if l2 > 0.0 {
        let mut m = Matrix::zeros(factor.rows, cols);
        for i in 0..factor.rows {
            for j in 0..cols {
                let d = match &*denominator {
                    Denominator::Full(d) => d.at(i, j),
                    Denominator::Broadcast(v) => v[if by_row { i } else { j }],
                };
                m.data[i * cols + j] = d + l2 * factor.at(i, j);
            }
        }
        full = Denominator::Full(m);
        &mut full
    } else {
        denominator
    };
    match den {
        Denominator::Full(m) => m.data.iter_mut().for_each(|v| {
            if *v == 0.0 {
                *v = EPSILON
            }
        }),
        Denominator::Broadcast(v) => v.iter_mut().for_each(|v| {
            if *v == 0.0 {
                *v = EPSILON
            }
        }),
    }
    for i in 0..factor.rows {
        for j in 0..cols {
            let d = match &*den {
                Denominator::Full(d) => d.at(i, j),
                Denominator::Broadcast(v) => v[if by_row { i } else { j }],
            };
            let mut delta = numerator.at(i, j) / d;
            if gamma != 1.0 {
                delta = np_pow(delta, gamma);
            }
            numerator.data[i * cols + j] = delta;
            factor.data[i * cols + j] *= delta;
        }
    }
}

/// One multiplicative update of `w` (scikit-learn's `_multiplicative_update_w`). While `h` is
/// fixed, `cache` keeps `H_sum`, `HHt` and `XHt` between calls; as in scikit-learn, the L1
/// penalty and the zero floor of the Kullback-Leibler denominator then land in the kept
/// `H_sum` itself, so that they accumulate over the iterations of `transform`.
fn mu_update_w(
    x: &Matrix,
    w: &mut Matrix,
    h: &Matrix,
    beta: f64,
    (l1, l2, gamma): (f64, f64, f64),
    cache: &mut Cache,
) {
    if beta == 2.0 {
        let numerator = cache.xht.get_or_insert_with(|| matmul_nt(x, h)).clone();
        let hht = cache.hht.get_or_insert_with(|| matmul_nt(h, h));
        let mut den = Denominator::Full(matmul(w, hht));
        apply_update(w, numerator, &mut den, false, (l1, l2, gamma));
        return;
    }
    let wh = matmul(w, h);
    let (ratio, power) = weighted_ratio(x, &wh, beta);
    let numerator = matmul_nt(&ratio, h);
    if beta == 1.0 {
        let h_sum = cache
            .h_sum
            .get_or_insert_with(|| (0..h.rows).map(|t| np_sum(h.row(t))).collect());
        let mut den = Denominator::Broadcast(std::mem::take(h_sum));
        apply_update(w, numerator, &mut den, false, (l1, l2, gamma));
        if let Denominator::Broadcast(v) = den {
            cache.h_sum = Some(v);
        }
    } else {
        let mut den = Denominator::Full(matmul_nt(&power, h));
        apply_update(w, numerator, &mut den, false, (l1, l2, gamma));
    }
}

/// One multiplicative update of `h` (scikit-learn's `_multiplicative_update_h`).
fn mu_update_h(x: &Matrix, w: &Matrix, h: &mut Matrix, beta: f64, regs: (f64, f64, f64)) {
    let (numerator, mut den) = if beta == 2.0 {
        let numerator = matmul_tn(w, x);
        // numpy's multi_dot of Wᵀ, W and H picks the cheaper bracketing.
        let (k, n, f) = (w.cols, w.rows, h.cols);
        let den = if k * k * (n + f) < n * f * (k + k) {
            matmul(&matmul_tn(w, w), h)
        } else {
            matmul_tn(w, &matmul(w, h))
        };
        (numerator, Denominator::Full(den))
    } else {
        let wh = matmul(w, h);
        let (ratio, power) = weighted_ratio(x, &wh, beta);
        let numerator = matmul_tn(w, &ratio);
        if beta == 1.0 {
            let w_sum = (0..w.cols)
                .map(|t| {
                    let s = (0..w.rows).map(|i| w.at(i, t)).sum::<f64>();
                    if s == 0.0 {
                        1.0
                    } else {
                        s
                    }
                })
                .collect();
            (numerator, Denominator::Broadcast(w_sum))
        } else {
            (numerator, Denominator::Full(matmul_tn(w, &power)))
        }
    };
    apply_update(h, numerator, &mut den, true, regs);
}

/// The multiplicative updates for the beta-divergence `beta` (scikit-learn's
/// `_fit_multiplicative_update`), with the exponent `gamma` of Févotte and Idier's
/// majorisation-minimisation outside `[1, 2]`. Every 10 iterations (when `tol > 0`) the run
/// stops once the divergence fell by less than `tol` times its initial value since the last
/// check. Returns the number of iterations.
pub(super) fn multiplicative_update(
    x: &Matrix,
    w: &mut Matrix,
    h: &mut Matrix,
    beta: f64,
    s: &Settings,
) -> usize {
    let gamma = if beta < 1.0 {
        1.0 / (2.0 - beta)
    } else if beta > 2.0 {
        1.0 / (beta - 1.0)
    } else {
        1.0
    };
    let error_at_init = beta_divergence(x, w, h, beta, true);
    let mut previous_error = error_at_init;
    let mut cache = Cache::default();
    let mut n_iter = 0;
    for it in 1..=s.max_iter {
        n_iter = it;
        mu_update_w(x, w, h, beta, (s.l1_w, s.l2_w, gamma), &mut cache);
        if beta < 1.0 {
            w.data.iter_mut().for_each(|v| {
                if *v < f64::EPSILON {
                    *v = 0.0
                }
            });
        }
        if s.update_h {
            mu_update_h(x, w, h, beta, (s.l1_h, s.l2_h, gamma));
            cache = Cache::default();
            if beta <= 1.0 {
                h.data.iter_mut().for_each(|v| {
                    if *v < f64::EPSILON {
                        *v = 0.0
                    }
                });
            }
        }
        if s.tol > 0.0 && it % 10 == 0 {
            let error = beta_divergence(x, w, h, beta, true);
            if (previous_error - error) / error_at_init < s.tol {
                break;
            }
            previous_error = error;
        }
    }
    n_iter
}
