//! A small L-BFGS for smooth unconstrained problems, with scipy's L-BFGS-B stopping rules as
//! scikit-learn sets them: stop when the largest gradient component is at most `gtol`, or when
//! the relative decrease of the objective `(f_k - f_k+1) / max(|f_k|, |f_k+1|, 1)` is at most
//! `ftol`, or after `max_iter` iterations.

use crate::validation::dot;

/// What [`minimize`] needs: the objective and its gradient at a point.
pub(crate) trait Objective {
    /// The value at `w`, with the gradient written into `grad`.
    fn value_grad(&self, w: &[f64], grad: &mut [f64]) -> f64;
}

/// How [`minimize`] stops.
pub(crate) struct Options {
    pub(crate) max_iter: usize,
    pub(crate) gtol: f64,
    pub(crate) ftol: f64,
    /// The number of correction pairs kept (scipy's `maxcor`, default 10).
    pub(crate) memory: usize,
    /// The most function evaluations in one line search (scikit-learn passes 50).
    pub(crate) max_ls: usize,
}

/// The minimiser found and the number of iterations taken.
pub(crate) struct Solution {
    pub(crate) w: Vec<f64>,
    pub(crate) n_iter: usize,
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Minimises `f` from `w0` by L-BFGS with a backtracking line search under the strong Wolfe
/// conditions' sufficient-decrease part and a curvature check on the update.
pub(crate) fn minimize(f: &impl Objective, w0: Vec<f64>, opts: &Options) -> Solution {
    let n = w0.len();
    let mut w = w0;
    let mut g = vec![0.0; n];
    let mut fx = f.value_grad(&w, &mut g);
    let mut s_hist: Vec<Vec<f64>> = Vec::new();
    let mut y_hist: Vec<Vec<f64>> = Vec::new();
    let mut rho: Vec<f64> = Vec::new();
    let mut n_iter = 0;
    let (mut w_new, mut g_new) = (vec![0.0; n], vec![0.0; n]);
    while n_iter < opts.max_iter && max_abs(&g) > opts.gtol {
        // Two-loop recursion: d = -H g.
        let mut q = g.clone();
        let mut alphas = vec![0.0; s_hist.len()];
        for k in (0..s_hist.len()).rev() {
            alphas[k] = rho[k] * dot(&s_hist[k], &q);
            q.iter_mut()
                .zip(&y_hist[k])
                .for_each(|(qi, yi)| *qi -= alphas[k] * yi);
        }
        let gamma = match (s_hist.last(), y_hist.last()) {
            (Some(s), Some(y)) => dot(s, y) / dot(y, y),
            _ => 1.0 / max_abs(&g).max(f64::MIN_POSITIVE).max(dot(&g, &g).sqrt()),
        };
        q.iter_mut().for_each(|v| *v *= gamma);
        for k in 0..s_hist.len() {
            let beta = rho[k] * dot(&y_hist[k], &q);
            q.iter_mut()
                .zip(&s_hist[k])
                .for_each(|(qi, si)| *qi += (alphas[k] - beta) * si);
        }
        let d: Vec<f64> = q.iter().map(|v| -v).collect();
        let mut slope = dot(&g, &d);
        let d = if slope >= 0.0 {
            // Not a descent direction (rounding): restart from the gradient.
            s_hist.clear();
            y_hist.clear();
            rho.clear();
            slope = -dot(&g, &g);
            g.iter().map(|v| -v).collect()
        } else {
            d
        };
        let mut step = 1.0;
        let mut f_new = fx;
        let mut accepted = false;
        for _ in 0..opts.max_ls {
            w_new
                .iter_mut()
                .zip(w.iter().zip(&d))
                .for_each(|(wn, (wi, di))| *wn = wi + step * di);
            f_new = f.value_grad(&w_new, &mut g_new);
            if f_new <= fx + 1e-4 * step * slope {
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        n_iter += 1;
        if !accepted {
            break;
        }
        let s: Vec<f64> = w_new.iter().zip(&w).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > f64::EPSILON * dot(&y, &y) {
            if s_hist.len() == opts.memory {
                s_hist.remove(0);
                y_hist.remove(0);
                rho.remove(0);
            }
            s_hist.push(s);
            y_hist.push(y);
            rho.push(1.0 / sy);
        }
        let decrease = (fx - f_new) / fx.abs().max(f_new.abs()).max(1.0);
        std::mem::swap(&mut w, &mut w_new);
        std::mem::swap(&mut g, &mut g_new);
        fx = f_new;
        if decrease <= opts.ftol {
            break;
        }
    }
    Solution { w, n_iter }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Rosenbrock;

    impl Objective for Rosenbrock {
        fn value_grad(&self, w: &[f64], g: &mut [f64]) -> f64 {
            let (a, b) = (w[0], w[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
        }
    }

    #[test]
    fn finds_the_rosenbrock_minimum() {
        let opts = Options {
            max_iter: 1000,
            gtol: 1e-10,
            ftol: 0.0,
            memory: 10,
            max_ls: 50,
        };
        let sol = minimize(&Rosenbrock, vec![-1.2, 1.0], &opts);
        assert!(
            (sol.w[0] - 1.0).abs() < 1e-8 && (sol.w[1] - 1.0).abs() < 1e-8,
            "{:?}",
            sol.w
        );
    }
}
