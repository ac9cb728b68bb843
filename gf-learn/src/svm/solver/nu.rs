//! libsvm's `Solver_NU`: the working set, the shrinking and ρ of the ν formulations, where the
//! sums of `α` over each sign are held fixed, so both variables of a step share their sign.

use super::{Bound, QMatrix, Smo, TAU};

impl<Q: QMatrix> Smo<'_, Q> {
    /// The second-order working set within one sign: for each sign the most violating `i`,
    /// then the `j` (of either sign, paired with that sign's `i`) that decreases the objective
    /// most. `None` when optimal within `eps`.
    pub(super) fn select_working_set_nu(&mut self) -> Option<(usize, usize)> {
        let n = self.active_size;
        let (mut gmaxp, mut gmaxp2, mut gmaxp_idx) = (f64::NEG_INFINITY, f64::NEG_INFINITY, None);
        let (mut gmaxn, mut gmaxn2, mut gmaxn_idx) = (f64::NEG_INFINITY, f64::NEG_INFINITY, None);
        for t in 0..n {
            if self.y[t] == 1 {
                if !self.is_upper(t) && -self.g[t] >= gmaxp {
                    gmaxp = -self.g[t];
                    gmaxp_idx = Some(t);
                }
            } else if !self.is_lower(t) && self.g[t] >= gmaxn {
                gmaxn = self.g[t];
                gmaxn_idx = Some(t);
            }
        }
        // A side without a candidate has gmax = −∞, so its column is never read: either
        // column stands in for it.
        let (ip, in_) = match (gmaxp_idx, gmaxn_idx) {
            (Some(p), Some(m)) => (p, m),
            (Some(p), None) => (p, p),
            (None, Some(m)) => (m, m),
            (None, None) => return None,
        };
        let (qd_ip, qd_in) = (self.qd[ip], self.qd[in_]);
        let (q_ip, q_in) = if ip == in_ {
            let c = self.q.column(ip, n);
            (c, c)
        } else {
            self.q.columns(ip, in_, n)
        };
        let mut gmin_idx = None;
        let mut obj_diff_min = f64::INFINITY;
        for j in 0..n {
            let (grad_diff, quad) = if self.y[j] == 1 {
                if self.status[j] == Bound::Lower {
                    continue;
                }
                if self.g[j] >= gmaxp2 {
                    gmaxp2 = self.g[j];
                }
                (
                    gmaxp + self.g[j],
                    qd_ip + self.qd[j] - 2.0 * f64::from(q_ip[j]),
                )
            } else {
                if self.status[j] == Bound::Upper {
                    continue;
                }
                if -self.g[j] >= gmaxn2 {
                    gmaxn2 = -self.g[j];
                }
                (
                    gmaxn - self.g[j],
                    qd_in + self.qd[j] - 2.0 * f64::from(q_in[j]),
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
        if max(gmaxp + gmaxp2, gmaxn + gmaxn2) < self.eps {
            return None;
        }
        let j = gmin_idx?;
        let i = if self.y[j] == 1 { gmaxp_idx } else { gmaxn_idx };
        i.map(|i| (i, j))
    }

    /// Whether variable `i`, at a bound, cannot move while its sign's violations are
    /// `gmax[0..2]` (+1) or `gmax[2..4]` (−1).
    fn be_shrunk_nu(&self, i: usize, gmax: [f64; 4]) -> bool {
        let up = self.y[i] == 1;
        match self.status[i] {
            Bound::Upper => -self.g[i] > if up { gmax[0] } else { gmax[3] },
            Bound::Lower => self.g[i] > if up { gmax[1] } else { gmax[2] },
            Bound::Free => false,
        }
    }

    /// Moves the variables stuck at a bound behind the active set, judging each sign by its
    /// own maximal violating pair.
    pub(super) fn do_shrinking_nu(&mut self) {
        // −G over +1 that can grow, G over +1 that can shrink, G over −1 that can shrink,
        // −G over −1 that can grow (libsvm's Gmax1..Gmax4).
        let mut gmax = [f64::NEG_INFINITY; 4];
        for i in 0..self.active_size {
            let g = self.g[i];
            let up = self.y[i] == 1;
            if !self.is_upper(i) {
                let k = if up { 0 } else { 3 };
                if -g > gmax[k] {
                    gmax[k] = -g;
                }
            }
            if !self.is_lower(i) {
                let k = if up { 1 } else { 2 };
                if g > gmax[k] {
                    gmax[k] = g;
                }
            }
        }
        if !self.unshrink && max(gmax[0] + gmax[1], gmax[2] + gmax[3]) <= self.eps * 10.0 {
            self.unshrink = true;
            self.reconstruct_gradient();
            self.active_size = self.l;
        }
        let mut i = 0;
        while i < self.active_size {
            if self.be_shrunk_nu(i, gmax) {
                self.active_size -= 1;
                while self.active_size > i {
                    if !self.be_shrunk_nu(self.active_size, gmax) {
                        self.swap_index(i, self.active_size);
                        break;
                    }
                    self.active_size -= 1;
                }
            }
            i += 1;
        }
    }

    /// `(ρ, r)`: with `r₊`, `r₋` each sign's mean gradient over its free variables (or the
    /// middle of its feasible range), `ρ = (r₊ − r₋)/2` and `r = (r₊ + r₋)/2`.
    pub(super) fn calculate_rho_nu(&self) -> (f64, f64) {
        // Per sign: [ub, lb, sum_free] and the count of free variables.
        let mut side = [[f64::INFINITY, f64::NEG_INFINITY, 0.0]; 2];
        let mut nr_free = [0usize; 2];
        for i in 0..self.active_size {
            let s = usize::from(self.y[i] != 1);
            let g = self.g[i];
            match self.status[i] {
                Bound::Upper => side[s][1] = side[s][1].max(g),
                Bound::Lower => side[s][0] = side[s][0].min(g),
                Bound::Free => {
                    nr_free[s] += 1;
                    side[s][2] += g;
                }
            }
        }
        let r = |s: usize| {
            if nr_free[s] > 0 {
                side[s][2] / nr_free[s] as f64
            } else {
                (side[s][0] + side[s][1]) / 2.0
            }
        };
        let (r1, r2) = (r(0), r(1));
        ((r1 - r2) / 2.0, (r1 + r2) / 2.0)
    }
}

/// libsvm's `max`, `(x > y) ? x : y`.
fn max(x: f64, y: f64) -> f64 {
    if x > y {
        x
    } else {
        y
    }
}
