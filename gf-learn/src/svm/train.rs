//! libsvm's `svm_train` around the solver: C-SVC and ν-SVC one-vs-one over the class pairs
//! (with Platt scaling fitted by an internal 5-fold cross-validation), ε-SVR and ν-SVR, and
//! the one-class SVM, with the starting `α` of each ν formulation as scikit-learn's libsvm.

use super::kernel::KernelFn;
use super::model::{ClassModel, RegModel};
use super::probability::sigmoid_train;
use super::solver::{solve, Problem, Solution, SvcQ, SvrQ, Variant};
use crate::tree::numpy_random::RandomState;
use crate::validation::Matrix;

/// The solver settings every sub-problem shares.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    pub(crate) kernel: KernelFn,
    pub(crate) tol: f64,
    pub(crate) shrinking: bool,
    pub(crate) cache_bytes: usize,
    pub(crate) max_iter: Option<usize>,
    /// ν for ν-SVC (`None`: C-SVC).
    pub(crate) nu: Option<f64>,
}

/// A classification problem: sample rows, integer labels, per-sample weights.
pub(crate) struct Samples<'a> {
    pub(crate) rows: Vec<&'a [f64]>,
    pub(crate) labels: Vec<i64>,
    pub(crate) weights: Vec<f64>,
}

/// The generator libsvm draws its shuffles from: C++'s `std::mt19937` (seeded as numpy's
/// MT19937) with scikit-learn's `bounded_rand_int`, Lemire's multiply-and-reject.
pub(crate) struct LibsvmRng {
    mt: RandomState,
    seed: u32,
}

impl LibsvmRng {
    /// The generator `set_seed(seed)` leaves.
    pub(crate) fn new(seed: u32) -> Self {
        LibsvmRng {
            mt: RandomState::new(seed),
            seed,
        }
    }

    /// Back to the state `set_seed` leaves, which libsvm does at every `svm_train`.
    fn reseed(&mut self) {
        self.mt = RandomState::new(self.seed);
    }

    /// A uniform integer in `[0, range)`.
    fn bounded(&mut self, range: u32) -> u32 {
        let mut m = u64::from(self.mt.next_u32()) * u64::from(range);
        let mut low = m as u32;
        if low < range {
            let t = range.wrapping_neg() % range;
            while low < t {
                m = u64::from(self.mt.next_u32()) * u64::from(range);
                low = m as u32;
            }
        }
        (m >> 32) as u32
    }
}

/// One binary C-SVC (labels `±1`, bounds `W·Cp` and `W·Cn`), or ν-SVC when `s.nu` is set;
/// the returned `α` carries the sign of `y`.
fn train_binary(
    rows: Vec<&[f64]>,
    y: &[i8],
    weights: &[f64],
    cp: f64,
    cn: f64,
    s: &Settings,
) -> Solution {
    if let Some(nu) = s.nu {
        return train_binary_nu(rows, y, weights, nu, s);
    }
    let l = y.len();
    let c: Vec<f64> = y
        .iter()
        .zip(weights)
        .map(|(&yi, w)| w * if yi > 0 { cp } else { cn })
        .collect();
    let p = vec![-1.0; l];
    let mut q = SvcQ::new(s.kernel, rows, y, s.cache_bytes);
    let mut sol = solve(
        &mut q,
        &Problem {
            p: &p,
            y,
            c: &c,
            eps: s.tol,
            shrinking: s.shrinking,
            max_iter: s.max_iter,
            alpha: None,
            variant: Variant::Plain,
        },
    );
    sol.alpha
        .iter_mut()
        .zip(y)
        .for_each(|(a, &yi)| *a *= f64::from(yi));
    sol
}

/// libsvm's `solve_nu_svc`: bounds `W`, each sign's `α` filled greedily up to `ν·ΣW/2`, then
/// `α`, ρ and the bounds rescaled by `1/r`.
fn train_binary_nu(
    rows: Vec<&[f64]>,
    y: &[i8],
    weights: &[f64],
    nu: f64,
    s: &Settings,
) -> Solution {
    let l = y.len();
    let c = weights.to_vec();
    let mut nu_l = 0.0;
    for ci in &c {
        nu_l += nu * ci;
    }
    let (mut sum_pos, mut sum_neg) = (nu_l / 2.0, nu_l / 2.0);
    let mut alpha = vec![0.0; l];
    for i in 0..l {
        let sum = if y[i] == 1 {
            &mut sum_pos
        } else {
            &mut sum_neg
        };
        alpha[i] = c[i].min(*sum);
        *sum -= alpha[i];
    }
    let p = vec![0.0; l];
    let mut q = SvcQ::new(s.kernel, rows, y, s.cache_bytes);
    let mut sol = solve(
        &mut q,
        &Problem {
            p: &p,
            y,
            c: &c,
            eps: s.tol,
            shrinking: s.shrinking,
            max_iter: s.max_iter,
            alpha: Some(&alpha),
            variant: Variant::Nu,
        },
    );
    let r = sol.r;
    sol.alpha
        .iter_mut()
        .zip(y)
        .for_each(|(a, &yi)| *a *= f64::from(yi) / r);
    sol.rho /= r;
    sol
}

/// libsvm's `solve_one_class`: bounds `W`, `Q = K`, and `α` filled greedily from the first
/// sample up to `ν·ΣW` (with unit weights: the first ⌊νl⌋ at 1, the next at the fraction).
pub(crate) fn train_one_class(rows: &[&[f64]], weights: &[f64], nu: f64, s: &Settings) -> RegModel {
    let kept: Vec<usize> = (0..rows.len()).filter(|&i| weights[i] > 0.0).collect();
    let l = kept.len();
    let c: Vec<f64> = kept.iter().map(|&i| weights[i]).collect();
    let mut nu_l = 0.0;
    for ci in &c {
        nu_l += ci * nu;
    }
    let mut alpha = vec![0.0; l];
    let mut i = 0;
    while nu_l > 0.0 && i < l {
        alpha[i] = c[i].min(nu_l);
        nu_l -= alpha[i];
        i += 1;
    }
    let ones = vec![1i8; l];
    let p = vec![0.0; l];
    let sub_rows: Vec<&[f64]> = kept.iter().map(|&i| rows[i]).collect();
    let mut q = SvcQ::new(s.kernel, sub_rows, &ones, s.cache_bytes);
    let sol = solve(
        &mut q,
        &Problem {
            p: &p,
            y: &ones,
            c: &c,
            eps: s.tol,
            shrinking: s.shrinking,
            max_iter: s.max_iter,
            alpha: Some(&alpha),
            variant: Variant::Plain,
        },
    );
    let coef: Vec<f64> = sol.alpha.clone();
    reg_model(rows, &kept, &coef, &sol)
}

/// The regression-shaped model of the coefficients `coef` (over the samples `kept`): the
/// samples whose coefficient is not zero.
fn reg_model(rows: &[&[f64]], kept: &[usize], coef: &[f64], sol: &Solution) -> RegModel {
    let mut support = Vec::new();
    let mut sv_coef = Vec::new();
    for (&i, &a) in kept.iter().zip(coef) {
        if a.abs() > 0.0 {
            support.push(i);
            sv_coef.push(a);
        }
    }
    RegModel {
        sv: gather(rows, &support),
        support,
        coef: sv_coef,
        rho: sol.rho,
        n_iter: sol.n_iter,
        timed_out: sol.timed_out,
    }
}

/// Copies the rows `idx` of `rows` into a matrix.
fn gather(rows: &[&[f64]], idx: &[usize]) -> Matrix {
    let cols = rows.first().map_or(0, |r| r.len());
    let mut m = Matrix::zeros(idx.len(), cols);
    for (k, &i) in idx.iter().enumerate() {
        m.row_mut(k).copy_from_slice(rows[i]);
    }
    m
}

/// libsvm's C-SVC `svm_train`: samples of zero weight dropped, classes grouped in label order,
/// one classifier per pair of classes with bounds `class_c(label) · weight`, and Platt's
/// sigmoid per pair when `probability`.
pub(crate) fn train_svc(
    data: &Samples<'_>,
    class_c: &dyn Fn(i64) -> f64,
    s: &Settings,
    probability: bool,
    rng: &mut LibsvmRng,
) -> ClassModel {
    rng.reseed();
    let kept: Vec<usize> = (0..data.labels.len())
        .filter(|&i| data.weights[i] > 0.0)
        .collect();
    let mut labels: Vec<i64> = kept.iter().map(|&i| data.labels[i]).collect();
    labels.sort_unstable();
    labels.dedup();
    let k = labels.len();
    // `perm`: the kept samples grouped by class, in order within each class.
    let class_of = |i: usize| {
        labels
            .binary_search(&data.labels[i])
            .expect("a known label")
    };
    let mut perm = Vec::with_capacity(kept.len());
    let mut start = vec![0; k];
    let mut count = vec![0; k];
    for c in 0..k {
        start[c] = perm.len();
        perm.extend(kept.iter().copied().filter(|&i| class_of(i) == c));
        count[c] = perm.len() - start[c];
    }
    let weighted_c: Vec<f64> = labels.iter().map(|&lab| class_c(lab)).collect();
    let mut nonzero = vec![false; perm.len()];
    let mut fits = Vec::with_capacity(k * (k - 1) / 2);
    let (mut prob_a, mut prob_b) = (Vec::new(), Vec::new());
    for i in 0..k {
        for j in i + 1..k {
            let members: Vec<usize> = perm[start[i]..start[i] + count[i]]
                .iter()
                .chain(&perm[start[j]..start[j] + count[j]])
                .copied()
                .collect();
            let rows: Vec<&[f64]> = members.iter().map(|&m| data.rows[m]).collect();
            let y: Vec<i8> = (0..members.len())
                .map(|m| if m < count[i] { 1 } else { -1 })
                .collect();
            let w: Vec<f64> = members.iter().map(|&m| data.weights[m]).collect();
            if probability {
                let (a, b) =
                    binary_probability(&rows, &y, &w, weighted_c[i], weighted_c[j], s, rng);
                prob_a.push(a);
                prob_b.push(b);
            }
            let fit = train_binary(rows, &y, &w, weighted_c[i], weighted_c[j], s);
            for (m, a) in fit.alpha.iter().enumerate() {
                let pos = if m < count[i] {
                    start[i] + m
                } else {
                    start[j] + m - count[i]
                };
                nonzero[pos] |= a.abs() > 0.0;
            }
            fits.push(fit);
        }
    }
    let n_support: Vec<usize> = (0..k)
        .map(|c| {
            nonzero[start[c]..start[c] + count[c]]
                .iter()
                .filter(|&&z| z)
                .count()
        })
        .collect();
    let sv_pos: Vec<usize> = (0..perm.len()).filter(|&p| nonzero[p]).collect();
    let support: Vec<usize> = sv_pos.iter().map(|&p| perm[p]).collect();
    let mut nz_start = vec![0; k];
    for c in 1..k {
        nz_start[c] = nz_start[c - 1] + n_support[c - 1];
    }
    let mut sv_coef = vec![vec![0.0; support.len()]; k.saturating_sub(1)];
    let mut p = 0;
    for i in 0..k {
        for j in i + 1..k {
            let alpha = &fits[p].alpha;
            let mut q = nz_start[i];
            for m in 0..count[i] {
                if nonzero[start[i] + m] {
                    sv_coef[j - 1][q] = alpha[m];
                    q += 1;
                }
            }
            let mut q = nz_start[j];
            for m in 0..count[j] {
                if nonzero[start[j] + m] {
                    sv_coef[i][q] = alpha[count[i] + m];
                    q += 1;
                }
            }
            p += 1;
        }
    }
    ClassModel {
        labels,
        sv: gather(&data.rows, &support),
        support,
        n_support,
        sv_coef,
        rho: fits.iter().map(|f| f.rho).collect(),
        n_iter: fits.iter().map(|f| f.n_iter).collect(),
        timed_out: fits.iter().any(|f| f.timed_out),
        prob_ab: probability.then_some((prob_a, prob_b)),
    }
}

/// Platt's `(A, B)` for one binary problem, from decision values of 5-fold cross-validation
/// over a shuffle (libsvm's `svm_binary_svc_probability`).
fn binary_probability(
    rows: &[&[f64]],
    y: &[i8],
    w: &[f64],
    cp: f64,
    cn: f64,
    s: &Settings,
    rng: &mut LibsvmRng,
) -> (f64, f64) {
    const FOLDS: usize = 5;
    let l = y.len();
    let mut perm: Vec<usize> = (0..l).collect();
    for i in 0..l {
        let j = i + rng.bounded((l - i) as u32) as usize;
        perm.swap(i, j);
    }
    let mut dec = vec![0.0; l];
    for fold in 0..FOLDS {
        let (begin, end) = (fold * l / FOLDS, (fold + 1) * l / FOLDS);
        let train: Vec<usize> = perm[..begin].iter().chain(&perm[end..]).copied().collect();
        let positives = train.iter().filter(|&&t| y[t] > 0).count();
        let negatives = train.len() - positives;
        let fixed = match (positives, negatives) {
            (0, 0) => Some(0.0),
            (_, 0) => Some(1.0),
            (0, _) => Some(-1.0),
            _ => None,
        };
        if let Some(v) = fixed {
            perm[begin..end].iter().for_each(|&t| dec[t] = v);
            continue;
        }
        let sub = Samples {
            rows: train.iter().map(|&t| rows[t]).collect(),
            labels: train.iter().map(|&t| i64::from(y[t])).collect(),
            weights: train.iter().map(|&t| w[t]).collect(),
        };
        let class_c = |label: i64| if label > 0 { cp } else { cn };
        let model = train_svc(&sub, &class_c, s, false, rng);
        let mut d = [0.0];
        for &t in &perm[begin..end] {
            model.decision(&s.kernel, rows[t], &mut d);
            // The sub-model's first class is −1: flip to "positive favours +1".
            dec[t] = d[0] * model.labels[0] as f64;
        }
    }
    let labels: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
    sigmoid_train(&dec, &labels)
}

/// The tube of a support vector regression.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Tube {
    /// ε-SVR: errors below ε cost nothing.
    Epsilon(f64),
    /// ν-SVR: the tube's width is fitted so that about a fraction ν of samples lie outside.
    Nu(f64),
}

/// libsvm's ε-SVR and ν-SVR `svm_train`: the `2l`-variable dual with bounds `W·C` and linear
/// term `ε ∓ y` (ε-SVR, from `α = 0`) or `∓ y` (ν-SVR, from both copies filled greedily up to
/// `ν·ΣW·C/2`).
pub(crate) fn train_svr(
    rows: &[&[f64]],
    y: &[f64],
    weights: &[f64],
    c: f64,
    tube: Tube,
    s: &Settings,
) -> RegModel {
    let kept: Vec<usize> = (0..y.len()).filter(|&i| weights[i] > 0.0).collect();
    let l = kept.len();
    let epsilon = match tube {
        Tube::Epsilon(e) => e,
        Tube::Nu(_) => 0.0,
    };
    let mut linear = vec![0.0; 2 * l];
    let mut signs = vec![1i8; 2 * l];
    let mut bounds = vec![0.0; 2 * l];
    for (k, &i) in kept.iter().enumerate() {
        if let Tube::Nu(_) = tube {
            linear[k] = -y[i];
            linear[k + l] = y[i];
        } else {
            linear[k] = epsilon - y[i];
            linear[k + l] = epsilon + y[i];
        }
        signs[k + l] = -1;
        bounds[k] = weights[i] * c;
        bounds[k + l] = weights[i] * c;
    }
    let start = match tube {
        Tube::Epsilon(_) => None,
        Tube::Nu(nu) => {
            let mut sum = 0.0;
            for b in &bounds[..l] {
                sum += b * nu;
            }
            sum /= 2.0;
            let mut alpha = vec![0.0; 2 * l];
            for k in 0..l {
                alpha[k] = sum.min(bounds[k]);
                alpha[k + l] = alpha[k];
                sum -= alpha[k];
            }
            Some(alpha)
        }
    };
    let sub_rows: Vec<&[f64]> = kept.iter().map(|&i| rows[i]).collect();
    let mut q = SvrQ::new(s.kernel, sub_rows, s.cache_bytes);
    let sol = solve(
        &mut q,
        &Problem {
            p: &linear,
            y: &signs,
            c: &bounds,
            eps: s.tol,
            shrinking: s.shrinking,
            max_iter: s.max_iter,
            alpha: start.as_deref(),
            variant: match tube {
                Tube::Epsilon(_) => Variant::Plain,
                Tube::Nu(_) => Variant::Nu,
            },
        },
    );
    let coef: Vec<f64> = (0..l).map(|k| sol.alpha[k] - sol.alpha[k + l]).collect();
    reg_model(rows, &kept, &coef, &sol)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_draws_match_lemire() {
        // Lemire's method: the high 32 bits of x · range, x the raw MT19937 output.
        let mut raw = RandomState::new(5);
        let mut rng = LibsvmRng::new(5);
        for range in [10u32, 7, 1000, 3] {
            let x = raw.next_u32();
            let expect = ((u64::from(x) * u64::from(range)) >> 32) as u32;
            assert_eq!(rng.bounded(range), expect);
        }
    }
}
