//! umap-learn's `find_ab_params`: the `a`, `b` of the embedding's similarity curve
//! `1 / (1 + a d^{2b})`, fitted by least squares to the target `1` for `d < min_dist` and
//! `exp(-(d - min_dist) / spread)` beyond, on 300 points of `[0, 3 spread]` (umap-learn calls
//! scipy's `curve_fit`, a Levenberg-Marquardt from `a = b = 1`; this is the same fit, run to
//! a tighter tolerance).

/// The least-squares `(a, b)` for `spread` and `min_dist` (`0 <= min_dist <= spread`,
/// `spread > 0`).
pub(crate) fn find_ab_params(spread: f64, min_dist: f64) -> (f64, f64) {
    const N: usize = 300;
    let stop = spread * 3.0;
    // np.linspace(0, stop, 300): `i * step`, the last point exactly `stop`.
    let step = stop / (N - 1) as f64;
    let xs: Vec<f64> = (0..N)
        .map(|i| if i == N - 1 { stop } else { i as f64 * step })
        .collect();
    let ys: Vec<f64> = xs
        .iter()
        .map(|&x| {
            if x < min_dist {
                1.0
            } else {
                (-(x - min_dist) / spread).exp()
            }
        })
        .collect();
    levenberg_marquardt(&xs, &ys)
}

/// The sum of squared residuals of the curve at `(a, b)`.
fn cost(xs: &[f64], ys: &[f64], a: f64, b: f64) -> f64 {
    xs.iter()
        .zip(ys)
        .map(|(&x, &y)| (curve(x, a, b) - y).powi(2))
        .sum()
}

fn curve(x: f64, a: f64, b: f64) -> f64 {
    1.0 / (1.0 + a * x.powf(2.0 * b))
}

/// Levenberg-Marquardt on the two parameters, with the analytic Jacobian (at `x = 0` the
/// derivative in `b`, `x^{2b} ln x`, tends to 0 and is taken as 0).
fn levenberg_marquardt(xs: &[f64], ys: &[f64]) -> (f64, f64) {
    let (mut a, mut b) = (1.0f64, 1.0f64);
    let mut lambda = 1e-3;
    let mut c = cost(xs, ys, a, b);
    for _ in 0..1000 {
        // Normal equations JᵀJ δ = -Jᵀr.
        let (mut jaa, mut jab, mut jbb, mut ga, mut gb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (&x, &y) in xs.iter().zip(ys) {
            let u = if x > 0.0 { x.powf(2.0 * b) } else { 0.0 };
            let f = 1.0 / (1.0 + a * u);
            let r = f - y;
            let da = -u * f * f;
            let db = if x > 0.0 {
                -a * u * 2.0 * x.ln() * f * f
            } else {
                0.0
            };
            jaa += da * da;
            jab += da * db;
            jbb += db * db;
            ga += da * r;
            gb += db * r;
        }
        let mut improved = false;
        for _ in 0..50 {
            let (m11, m22) = (jaa * (1.0 + lambda), jbb * (1.0 + lambda));
            let det = m11 * m22 - jab * jab;
            if det == 0.0 || !det.is_finite() {
                lambda *= 10.0;
                continue;
            }
            let sa = -(m22 * ga - jab * gb) / det;
            let sb = -(m11 * gb - jab * ga) / det;
            let (na, nb) = (a + sa, b + sb);
            let nc = cost(xs, ys, na, nb);
            if nc.is_finite() && nc <= c {
                let small =
                    sa.abs() <= 1e-15 * (1.0 + a.abs()) && sb.abs() <= 1e-15 * (1.0 + b.abs());
                a = na;
                b = nb;
                let done = small || (c - nc) <= 1e-16 * c;
                c = nc;
                lambda = (lambda / 10.0).max(1e-12);
                improved = !done;
                break;
            }
            lambda *= 10.0;
        }
        if !improved {
            break;
        }
    }
    (a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fit is a minimum: the gradient of the cost vanishes there, and umap-learn's
    /// documented defaults (a ≈ 1.577, b ≈ 0.895 for min_dist 0.1, spread 1).
    #[test]
    fn default_curve_is_umaps() {
        let (a, b) = find_ab_params(1.0, 0.1);
        assert!(
            (a - 1.577).abs() < 1e-3 && (b - 0.895).abs() < 1e-3,
            "{a} {b}"
        );
        let (xs, ys): (Vec<f64>, Vec<f64>) = (0..300)
            .map(|i| {
                let x = i as f64 * 3.0 / 299.0;
                (x, if x < 0.1 { 1.0 } else { (-(x - 0.1f64)).exp() })
            })
            .unzip();
        let c = cost(&xs, &ys, a, b);
        for (da, db) in [(1e-4, 0.0), (-1e-4, 0.0), (0.0, 1e-4), (0.0, -1e-4)] {
            assert!(cost(&xs, &ys, a + da, b + db) > c);
        }
    }
}
