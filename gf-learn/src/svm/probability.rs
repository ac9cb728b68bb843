//! Probabilities from decision values, as libsvm computes them for `probability=True`: Platt's
//! sigmoid fitted by Lin, Lin and Weng's Newton method, and Wu, Lin and Weng's pairwise
//! coupling of the one-vs-one probabilities.

/// The sigmoid `1 / (1 + exp(A f + B))` at the decision value `f`, evaluated stably.
pub(crate) fn sigmoid_predict(f: f64, a: f64, b: f64) -> f64 {
    let fapb = f * a + b;
    if fapb >= 0.0 {
        (-fapb).exp() / (1.0 + (-fapb).exp())
    } else {
        1.0 / (1.0 + fapb.exp())
    }
}

/// The cross-entropy of the sigmoid `(a, b)` against the smoothed targets `t`.
fn sigmoid_loss(dec: &[f64], t: &[f64], a: f64, b: f64) -> f64 {
    let mut f = 0.0;
    for (&d, &ti) in dec.iter().zip(t) {
        let fapb = d * a + b;
        f += if fapb >= 0.0 {
            ti * fapb + (1.0 + (-fapb).exp()).ln()
        } else {
            (ti - 1.0) * fapb + (1.0 + fapb.exp()).ln()
        };
    }
    f
}

/// Platt's `(A, B)` for the decision values `dec` of samples labelled `labels` (positive for
/// the first class), by libsvm's `sigmoid_train`.
pub(crate) fn sigmoid_train(dec: &[f64], labels: &[f64]) -> (f64, f64) {
    let prior1 = labels.iter().filter(|&&y| y > 0.0).count() as f64;
    let prior0 = labels.len() as f64 - prior1;
    const MAX_ITER: usize = 100;
    const MIN_STEP: f64 = 1e-10;
    const SIGMA: f64 = 1e-12;
    const EPS: f64 = 1e-5;
    let hi = (prior1 + 1.0) / (prior1 + 2.0);
    let lo = 1.0 / (prior0 + 2.0);
    let t: Vec<f64> = labels
        .iter()
        .map(|&y| if y > 0.0 { hi } else { lo })
        .collect();
    let (mut a, mut b) = (0.0, ((prior0 + 1.0) / (prior1 + 1.0)).ln());
    let mut fval = sigmoid_loss(dec, &t, a, b);
    for _ in 0..MAX_ITER {
        let (mut h11, mut h22, mut h21, mut g1, mut g2) = (SIGMA, SIGMA, 0.0, 0.0, 0.0);
        for (&d, &ti) in dec.iter().zip(&t) {
            let fapb = d * a + b;
            let (p, q) = if fapb >= 0.0 {
                let e = (-fapb).exp();
                (e / (1.0 + e), 1.0 / (1.0 + e))
            } else {
                let e = fapb.exp();
                (1.0 / (1.0 + e), e / (1.0 + e))
            };
            let d2 = p * q;
            h11 += d * d * d2;
            h22 += d2;
            h21 += d * d2;
            let d1 = ti - p;
            g1 += d * d1;
            g2 += d1;
        }
        if g1.abs() < EPS && g2.abs() < EPS {
            break;
        }
        let det = h11 * h22 - h21 * h21;
        let da = -(h22 * g1 - h21 * g2) / det;
        let db = -(-h21 * g1 + h11 * g2) / det;
        let gd = g1 * da + g2 * db;
        let mut step = 1.0;
        while step >= MIN_STEP {
            let (na, nb) = (a + step * da, b + step * db);
            let newf = sigmoid_loss(dec, &t, na, nb);
            if newf < fval + 0.0001 * step * gd {
                (a, b, fval) = (na, nb, newf);
                break;
            }
            step /= 2.0;
        }
        if step < MIN_STEP {
            break;
        }
    }
    (a, b)
}

/// The class probabilities `p` (length `k`) agreeing best with the pairwise probabilities
/// `r[i][j]` = P(class i | class i or j), by libsvm's `multiclass_probability`.
pub(crate) fn multiclass_probability(r: &[Vec<f64>]) -> Vec<f64> {
    let k = r.len();
    let max_iter = k.max(100);
    let eps = 0.005 / k as f64;
    let mut q = vec![vec![0.0; k]; k];
    let mut p = vec![1.0 / k as f64; k];
    for t in 0..k {
        for j in 0..t {
            q[t][t] += r[j][t] * r[j][t];
            q[t][j] = q[j][t];
        }
        for j in t + 1..k {
            q[t][t] += r[j][t] * r[j][t];
            q[t][j] = -r[j][t] * r[t][j];
        }
    }
    let mut qp = vec![0.0; k];
    for _ in 0..max_iter {
        let mut pqp = 0.0;
        for t in 0..k {
            qp[t] = (0..k).fold(0.0, |acc, j| acc + q[t][j] * p[j]);
            pqp += p[t] * qp[t];
        }
        let max_error = qp.iter().fold(0.0f64, |m, &v| {
            let e = (v - pqp).abs();
            if e > m {
                e
            } else {
                m
            }
        });
        if max_error < eps {
            break;
        }
        for t in 0..k {
            let diff = (-qp[t] + pqp) / q[t][t];
            p[t] += diff;
            pqp = (pqp + diff * (diff * q[t][t] + 2.0 * qp[t])) / (1.0 + diff) / (1.0 + diff);
            for j in 0..k {
                qp[j] = (qp[j] + diff * q[t][j]) / (1.0 + diff);
                p[j] /= 1.0 + diff;
            }
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmoid_is_stable_at_both_ends() {
        assert!((sigmoid_predict(0.0, 1.0, 0.0) - 0.5).abs() < 1e-15);
        assert!(sigmoid_predict(1000.0, 1.0, 0.0) < 1e-300);
        assert!((sigmoid_predict(-1000.0, 1.0, 0.0) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn platt_fit_orders_probabilities_by_decision_value() {
        let dec = [-2.0, -1.5, -0.3, 0.2, 1.1, 2.5, -0.1, 0.4];
        let y = [-1.0, -1.0, -1.0, 1.0, 1.0, 1.0, 1.0, -1.0];
        let (a, b) = sigmoid_train(&dec, &y);
        // A positive decision value favours the positive class: A < 0.
        assert!(a < 0.0, "A = {a}");
        assert!(sigmoid_predict(2.0, a, b) > sigmoid_predict(-2.0, a, b));
    }

    #[test]
    fn coupling_recovers_consistent_pairwise_probabilities() {
        // Pairwise probabilities from p = (0.5, 0.3, 0.2): r_ij = p_i / (p_i + p_j).
        let p = [0.5, 0.3, 0.2];
        let r: Vec<Vec<f64>> = (0..3)
            .map(|i| (0..3).map(|j| p[i] / (p[i] + p[j])).collect())
            .collect();
        let got = multiclass_probability(&r);
        for (g, e) in got.iter().zip(p) {
            assert!((g - e).abs() < 1e-3, "{got:?}");
        }
    }
}
