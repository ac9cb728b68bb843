//! The isotonic regression of non-metric SMACOF: scikit-learn's
//! `IsotonicRegression(out_of_bounds="clip").fit_transform(x, y)`, increasing, unit weights.

/// The increasing least-squares fit of `y` against `x`, at each `x`: the samples sorted by
/// `(x, y)`, those whose `x` lies within `1e-15` of the first of their group pooled (their
/// mean `y`, weighted by their count, as scikit-learn's `_make_unique`), then the pool
/// adjacent violators on the groups.
pub(super) fn isotonic_fit_transform(x: &[f64], y: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(y[a].total_cmp(&y[b])));
    // numpy's float64 resolution, the tolerance of scikit-learn's _make_unique.
    const EPS: f64 = 1e-15;
    let mut values: Vec<f64> = Vec::new();
    let mut weights: Vec<f64> = Vec::new();
    let mut group = vec![0usize; n];
    let mut current_x = f64::NAN;
    let (mut sum_y, mut sum_w) = (0.0, 0.0);
    for &i in &order {
        if values.is_empty() && sum_w == 0.0 {
            current_x = x[i];
        } else if x[i] - current_x >= EPS {
            values.push(sum_y / sum_w);
            weights.push(sum_w);
            current_x = x[i];
            sum_y = 0.0;
            sum_w = 0.0;
        }
        sum_y += y[i];
        sum_w += 1.0;
        group[i] = values.len();
    }
    if sum_w > 0.0 {
        values.push(sum_y / sum_w);
        weights.push(sum_w);
    }
    pava(&mut values, &mut weights);
    group.iter().map(|&g| values[g]).collect()
}

/// scikit-learn's `_inplace_contiguous_isotonic_regression`: the single-pass pool adjacent
/// violators with backtracking, `y` replaced by its increasing fit.
fn pava(y: &mut [f64], w: &mut [f64]) {
    let n = y.len();
    let mut target: Vec<usize> = (0..n).collect();
    let mut i = 0;
    while i < n {
        let mut k = target[i] + 1;
        if k == n {
            break;
        }
        if y[i] < y[k] {
            i = k;
            continue;
        }
        let mut sum_wy = w[i] * y[i];
        let mut sum_w = w[i];
        loop {
            // Within a decreasing run.
            let prev_y = y[k];
            sum_wy += w[k] * y[k];
            sum_w += w[k];
            k = target[k] + 1;
            if k == n || prev_y < y[k] {
                y[i] = sum_wy / sum_w;
                w[i] = sum_w;
                target[i] = k - 1;
                target[k - 1] = i;
                if i > 0 {
                    // Backtrack, which keeps the pass single and O(n).
                    i = target[i - 1];
                }
                break;
            }
        }
    }
    let mut i = 0;
    while i < n {
        let k = target[i] + 1;
        let v = y[i];
        y[i + 1..k].iter_mut().for_each(|e| *e = v);
        i = k;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_violators_and_ties() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [1.0, 3.0, 2.0, 4.0];
        assert_eq!(isotonic_fit_transform(&x, &y), vec![1.0, 2.5, 2.5, 4.0]);
        // Equal x share one value, whatever their order.
        let x = [2.0, 1.0, 2.0];
        let y = [0.0, 5.0, 4.0];
        assert_eq!(isotonic_fit_transform(&x, &y), vec![3.0, 3.0, 3.0]);
    }
}
