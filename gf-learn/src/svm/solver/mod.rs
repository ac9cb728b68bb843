//! libsvm's SMO solver (Fan, Chen and Lin, "Working set selection using second order
//! information for training support vector machines", JMLR 6, 2005), with its shrinking and
//! gradient reconstruction, and its ν variant (libsvm's `Solver_NU`, for ν-SVC and ν-SVR).
//!
//! It solves `min ½ αᵀQα + pᵀα` subject to `yᵀα = 0` and `0 ≤ αᵢ ≤ Cᵢ`, with `yᵢ = ±1`, from
//! a feasible starting `α`; the ν variant also keeps `Σ_{yᵢ=+1} αᵢ` and `Σ_{yᵢ=−1} αᵢ` fixed, so
//! it pairs only variables of one sign.
//! Each step follows libsvm's exactly (the same working sets, the same bounds handling, Q in
//! `f32`), so it walks libsvm's path and stops where scikit-learn's `SVC` stops.

mod nu;
mod q;

pub(crate) use q::{QMatrix, SvcQ, SvrQ};

/// The curvature used where a pair's is not positive.
const TAU: f64 = 1e-12;

/// Where a variable sits in its box `[0, Cᵢ]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bound {
    Lower,
    Upper,
    Free,
}

/// The solution of one dual problem.
#[derive(Clone, Debug)]
pub(crate) struct Solution {
    /// The dual variables, in the problem's order.
    pub(crate) alpha: Vec<f64>,
    /// The offset ρ of the decision function `Σ αᵢ yᵢ K(xᵢ, x) − ρ`.
    pub(crate) rho: f64,
    /// The ν variant's `r` (the mean of the two sides' offsets); 0 for the plain solver.
    pub(crate) r: f64,
    /// SMO iterations run.
    pub(crate) n_iter: usize,
    /// Whether `max_iter` stopped it before the tolerance was met.
    pub(crate) timed_out: bool,
}

/// What the solver is told besides Q.
pub(crate) struct Problem<'p> {
    /// The linear term.
    pub(crate) p: &'p [f64],
    /// The sign of each variable.
    pub(crate) y: &'p [i8],
    /// The upper bound of each variable.
    pub(crate) c: &'p [f64],
    /// The stopping tolerance on the maximal violation.
    pub(crate) eps: f64,
    /// Whether to shrink the active set.
    pub(crate) shrinking: bool,
    /// The iteration limit (`None`: none).
    pub(crate) max_iter: Option<usize>,
    /// The starting point (feasible; `None`: `α = 0`).
    pub(crate) alpha: Option<&'p [f64]>,
    /// Which solver: libsvm's `Solver` or `Solver_NU`.
    pub(crate) variant: Variant,
}

/// libsvm's two solvers, which differ only in the working set, the shrinking and ρ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Variant {
    /// `Solver`: C-SVC, ε-SVR and one-class.
    Plain,
    /// `Solver_NU`: ν-SVC and ν-SVR, whose two sums of `α` by sign are held fixed.
    Nu,
}

/// SMO's state: libsvm's `Solver`, over the variables in their current (shrunk) order.
struct Smo<'q, Q: QMatrix> {
    q: &'q mut Q,
    qd: Vec<f64>,
    l: usize,
    active_size: usize,
    y: Vec<i8>,
    g: Vec<f64>,
    g_bar: Vec<f64>,
    status: Vec<Bound>,
    alpha: Vec<f64>,
    c: Vec<f64>,
    p: Vec<f64>,
    active_set: Vec<usize>,
    eps: f64,
    unshrink: bool,
    variant: Variant,
}

/// Solves the dual problem from `problem.alpha` (or `α = 0`), with libsvm's gradient
/// initialisation `G = p + Σ_{αⱼ > 0} αⱼ Qⱼ` and `G_bar = Σ_{αⱼ = Cⱼ} Cⱼ Qⱼ`.
pub(crate) fn solve<Q: QMatrix>(q: &mut Q, problem: &Problem<'_>) -> Solution {
    let l = problem.p.len();
    let mut s = Smo {
        qd: q.diagonal(),
        q,
        l,
        active_size: l,
        y: problem.y.to_vec(),
        g: problem.p.to_vec(),
        g_bar: vec![0.0; l],
        status: vec![Bound::Lower; l],
        alpha: problem.alpha.map_or_else(|| vec![0.0; l], <[f64]>::to_vec),
        c: problem.c.to_vec(),
        p: problem.p.to_vec(),
        active_set: (0..l).collect(),
        eps: problem.eps,
        unshrink: false,
        variant: problem.variant,
    };
    (0..l).for_each(|i| s.update_status(i));
    s.init_gradient();
    let (n_iter, timed_out) = s.run(problem.shrinking, problem.max_iter);
    let (rho, r) = match s.variant {
        Variant::Plain => (s.calculate_rho(), 0.0),
        Variant::Nu => s.calculate_rho_nu(),
    };
    let mut alpha = vec![0.0; l];
    for i in 0..l {
        alpha[s.active_set[i]] = s.alpha[i];
    }
    Solution {
        alpha,
        rho,
        r,
        n_iter,
        timed_out,
    }
}

impl<Q: QMatrix> Smo<'_, Q> {
    /// `G = p + Σ_{αⱼ > 0} αⱼ Qⱼ` and `G_bar = Σ_{αⱼ = Cⱼ} Cⱼ Qⱼ` (nothing to add from `α = 0`).
    fn init_gradient(&mut self) {
        let l = self.l;
        for i in 0..l {
            if self.is_lower(i) {
                continue;
            }
            let (alpha_i, c_i, upper) = (self.alpha[i], self.c[i], self.is_upper(i));
            let q_i = self.q.column(i, l);
            for (gj, &q) in self.g.iter_mut().zip(q_i) {
                *gj += alpha_i * f64::from(q);
            }
            if upper {
                for (gb, &q) in self.g_bar.iter_mut().zip(q_i) {
                    *gb += c_i * f64::from(q);
                }
            }
        }
    }

    fn update_status(&mut self, i: usize) {
        self.status[i] = if self.alpha[i] >= self.c[i] {
            Bound::Upper
        } else if self.alpha[i] <= 0.0 {
            Bound::Lower
        } else {
            Bound::Free
        };
    }

    fn is_upper(&self, i: usize) -> bool {
        self.status[i] == Bound::Upper
    }

    fn is_lower(&self, i: usize) -> bool {
        self.status[i] == Bound::Lower
    }

    fn is_free(&self, i: usize) -> bool {
        self.status[i] == Bound::Free
    }

    /// The main loop; returns the iterations run and whether `max_iter` stopped it.
    fn run(&mut self, shrinking: bool, max_iter: Option<usize>) -> (usize, bool) {
        let l = self.l;
        let mut iter = 0;
        let mut counter = l.min(1000) + 1;
        loop {
            if max_iter.is_some_and(|m| iter >= m) {
                return (iter, true);
            }
            counter -= 1;
            if counter == 0 {
                counter = l.min(1000);
                if shrinking {
                    match self.variant {
                        Variant::Plain => self.do_shrinking(),
                        Variant::Nu => self.do_shrinking_nu(),
                    }
                }
            }
            let (i, j) = match self.working_set() {
                Some(pair) => pair,
                None => {
                    self.reconstruct_gradient();
                    self.active_size = l;
                    match self.working_set() {
                        Some(pair) => {
                            counter = 1;
                            pair
                        }
                        None => return (iter, false),
                    }
                }
            };
            iter += 1;
            self.step(i, j);
        }
    }

    /// The variant's working set.
    fn working_set(&mut self) -> Option<(usize, usize)> {
        match self.variant {
            Variant::Plain => self.select_working_set(),
            Variant::Nu => self.select_working_set_nu(),
        }
    }

    /// Optimises `αᵢ` and `αⱼ` together, then updates the gradients.
    fn step(&mut self, i: usize, j: usize) {
        let n = self.active_size;
        let (q_i, q_j) = self.q.columns(i, j, n);
        let (c_i, c_j) = (self.c[i], self.c[j]);
        let (old_i, old_j) = (self.alpha[i], self.alpha[j]);
        let (mut ai, mut aj) = (old_i, old_j);
        let g = &mut self.g;
        if self.y[i] != self.y[j] {
            let mut quad = self.qd[i] + self.qd[j] + 2.0 * f64::from(q_i[j]);
            if quad <= 0.0 {
                quad = TAU;
            }
            let delta = (-g[i] - g[j]) / quad;
            let diff = ai - aj;
            ai += delta;
            aj += delta;
            if diff > 0.0 {
                if aj < 0.0 {
                    aj = 0.0;
                    ai = diff;
                }
            } else if ai < 0.0 {
                ai = 0.0;
                aj = -diff;
            }
            if diff > c_i - c_j {
                if ai > c_i {
                    ai = c_i;
                    aj = c_i - diff;
                }
            } else if aj > c_j {
                aj = c_j;
                ai = c_j + diff;
            }
        } else {
            let mut quad = self.qd[i] + self.qd[j] - 2.0 * f64::from(q_i[j]);
            if quad <= 0.0 {
                quad = TAU;
            }
            let delta = (g[i] - g[j]) / quad;
            let sum = ai + aj;
            ai -= delta;
            aj += delta;
            if sum > c_i {
                if ai > c_i {
                    ai = c_i;
                    aj = sum - c_i;
                }
            } else if aj < 0.0 {
                aj = 0.0;
                ai = sum;
            }
            if sum > c_j {
                if aj > c_j {
                    aj = c_j;
                    ai = sum - c_j;
                }
            } else if ai < 0.0 {
                ai = 0.0;
                aj = sum;
            }
        }
        self.alpha[i] = ai;
        self.alpha[j] = aj;
        let (dai, daj) = (ai - old_i, aj - old_j);
        for ((gk, &qik), &qjk) in g[..n].iter_mut().zip(q_i).zip(q_j) {
            *gk += f64::from(qik) * dai + f64::from(qjk) * daj;
        }
        for (k, c_k) in [(i, c_i), (j, c_j)] {
            let was_upper = self.is_upper(k);
            self.update_status(k);
            if was_upper != self.is_upper(k) {
                let sign = if was_upper { -c_k } else { c_k };
                let q_k = self.q.column(k, self.l);
                for (gb, &q) in self.g_bar.iter_mut().zip(q_k) {
                    *gb += sign * f64::from(q);
                }
            }
        }
    }

    /// The second-order working set (WSS3): `i` the most violating variable, `j` the one
    /// whose pairing with `i` decreases the objective most. `None` when optimal within `eps`.
    fn select_working_set(&mut self) -> Option<(usize, usize)> {
        let n = self.active_size;
        let mut gmax = f64::NEG_INFINITY;
        let mut gmax_idx = None;
        for t in 0..n {
            if self.y[t] == 1 {
                if !self.is_upper(t) && -self.g[t] >= gmax {
                    gmax = -self.g[t];
                    gmax_idx = Some(t);
                }
            } else if !self.is_lower(t) && self.g[t] >= gmax {
                gmax = self.g[t];
                gmax_idx = Some(t);
            }
        }
        let i = gmax_idx?;
        let q_i = self.q.column(i, n);
        let yi = f64::from(self.y[i]);
        let mut gmax2 = f64::NEG_INFINITY;
        let mut gmin_idx = None;
        let mut obj_diff_min = f64::INFINITY;
        for j in 0..n {
            let (grad_diff, quad) = if self.y[j] == 1 {
                if self.status[j] == Bound::Lower {
                    continue;
                }
                gmax2 = gmax2.max_ge(self.g[j]);
                (
                    gmax + self.g[j],
                    self.qd[i] + self.qd[j] - 2.0 * yi * f64::from(q_i[j]),
                )
            } else {
                if self.status[j] == Bound::Upper {
                    continue;
                }
                gmax2 = gmax2.max_ge(-self.g[j]);
                (
                    gmax - self.g[j],
                    self.qd[i] + self.qd[j] + 2.0 * yi * f64::from(q_i[j]),
                )
            };
            if grad_diff > 0.0 {
                let obj_diff = -(grad_diff * grad_diff) / if quad > 0.0 { quad } else { TAU };
                if obj_diff <= obj_diff_min {
                    gmin_idx = Some(j);
                    obj_diff_min = obj_diff;
                }
            }
        }
        if gmax + gmax2 < self.eps {
            return None;
        }
        gmin_idx.map(|j| (i, j))
    }

    /// Whether variable `i`, at a bound, cannot move while the violations are `gmax1`, `gmax2`.
    fn be_shrunk(&self, i: usize, gmax1: f64, gmax2: f64) -> bool {
        let up = self.y[i] == 1;
        match self.status[i] {
            Bound::Upper => -self.g[i] > if up { gmax1 } else { gmax2 },
            Bound::Lower => self.g[i] > if up { gmax2 } else { gmax1 },
            Bound::Free => false,
        }
    }

    /// Moves the variables stuck at a bound behind the active set.
    fn do_shrinking(&mut self) {
        let mut gmax1 = f64::NEG_INFINITY;
        let mut gmax2 = f64::NEG_INFINITY;
        for i in 0..self.active_size {
            let g = self.g[i];
            // −yG over the variables that can grow feeds gmax1, yG over those that can
            // shrink feeds gmax2 (libsvm's maximal violating pair).
            let (can_grow, can_shrink) = (!self.is_upper(i), !self.is_lower(i));
            if self.y[i] == 1 {
                if can_grow {
                    gmax1 = gmax1.max_ge(-g);
                }
                if can_shrink {
                    gmax2 = gmax2.max_ge(g);
                }
            } else {
                if can_grow {
                    gmax2 = gmax2.max_ge(-g);
                }
                if can_shrink {
                    gmax1 = gmax1.max_ge(g);
                }
            }
        }
        if !self.unshrink && gmax1 + gmax2 <= self.eps * 10.0 {
            self.unshrink = true;
            self.reconstruct_gradient();
            self.active_size = self.l;
        }
        let mut i = 0;
        while i < self.active_size {
            if self.be_shrunk(i, gmax1, gmax2) {
                self.active_size -= 1;
                while self.active_size > i {
                    if !self.be_shrunk(self.active_size, gmax1, gmax2) {
                        self.swap_index(i, self.active_size);
                        break;
                    }
                    self.active_size -= 1;
                }
            }
            i += 1;
        }
    }

    fn swap_index(&mut self, i: usize, j: usize) {
        self.q.swap_index(i, j);
        self.qd.swap(i, j);
        self.y.swap(i, j);
        self.g.swap(i, j);
        self.status.swap(i, j);
        self.alpha.swap(i, j);
        self.p.swap(i, j);
        self.active_set.swap(i, j);
        self.g_bar.swap(i, j);
        self.c.swap(i, j);
    }

    /// Recomputes the gradient of the shrunk variables from `G_bar` and the free ones.
    fn reconstruct_gradient(&mut self) {
        let (n, l) = (self.active_size, self.l);
        if n == l {
            return;
        }
        for j in n..l {
            self.g[j] = self.g_bar[j] + self.p[j];
        }
        let nr_free = (0..n).filter(|&j| self.is_free(j)).count();
        if nr_free * l > 2 * n * (l - n) {
            for i in n..l {
                let q_i = self.q.column(i, n);
                let mut gi = self.g[i];
                for j in 0..n {
                    if self.status[j] == Bound::Free {
                        gi += self.alpha[j] * f64::from(q_i[j]);
                    }
                }
                self.g[i] = gi;
            }
        } else {
            for i in 0..n {
                if self.is_free(i) {
                    let q_i = self.q.column(i, l);
                    let alpha_i = self.alpha[i];
                    for (gj, &q) in self.g[n..l].iter_mut().zip(&q_i[n..l]) {
                        *gj += alpha_i * f64::from(q);
                    }
                }
            }
        }
    }

    /// ρ: the mean of `yᵢ Gᵢ` over the free variables, or the middle of its feasible range.
    fn calculate_rho(&self) -> f64 {
        let (mut ub, mut lb) = (f64::INFINITY, f64::NEG_INFINITY);
        let (mut nr_free, mut sum_free) = (0usize, 0.0);
        for i in 0..self.active_size {
            let yg = f64::from(self.y[i]) * self.g[i];
            let up = self.y[i] == 1;
            match self.status[i] {
                Bound::Upper if up => lb = lb.max(yg),
                Bound::Upper => ub = ub.min(yg),
                Bound::Lower if up => ub = ub.min(yg),
                Bound::Lower => lb = lb.max(yg),
                Bound::Free => {
                    nr_free += 1;
                    sum_free += yg;
                }
            }
        }
        if nr_free > 0 {
            sum_free / nr_free as f64
        } else {
            (ub + lb) / 2.0
        }
    }
}

/// libsvm's `if (v >= m) m = v`, which, unlike `f64::max`, never lets a NaN through.
trait MaxGe {
    fn max_ge(self, v: f64) -> f64;
}

impl MaxGe for f64 {
    fn max_ge(self, v: f64) -> f64 {
        if v >= self {
            v
        } else {
            self
        }
    }
}
