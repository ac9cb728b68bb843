//! Input validation and the host matrix the estimators compute on.
//!
//! Every estimator widens its input to `f64` (as scikit-learn computes in float64) and checks
//! it here once: not empty, the lengths of X and y agree, every value finite (an `Err` names the
//! first bad row and column), the width the estimator was fitted on.

use gf_core::ops::create::TensorCreate;
use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use crate::error::{Error, Result};

/// A dense row-major `f64` matrix: samples in rows, features in columns.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Matrix {
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) data: Vec<f64>,
}

impl Matrix {
    /// A `rows` x `cols` matrix of zeros.
    pub(crate) fn zeros(rows: usize, cols: usize) -> Self {
        Matrix {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    /// Row `i`.
    pub(crate) fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Row `i`, mutably.
    pub(crate) fn row_mut(&mut self, i: usize) -> &mut [f64] {
        &mut self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Element `(i, j)`.
    pub(crate) fn at(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.cols + j]
    }

    /// The mean of each column.
    pub(crate) fn column_means(&self) -> Vec<f64> {
        column_means(&self.data, self.rows, self.cols)
    }

    /// `self` with `shift` subtracted from every row.
    pub(crate) fn centered(&self, shift: &[f64]) -> Self {
        let mut out = self.clone();
        for i in 0..out.rows {
            for (v, s) in out.row_mut(i).iter_mut().zip(shift) {
                *v -= s;
            }
        }
        out
    }

    /// As a faer matrix.
    pub(crate) fn to_faer(&self) -> faer::Mat<f64> {
        faer::Mat::from_fn(self.rows, self.cols, |i, j| self.at(i, j))
    }

    /// A faer matrix as a row-major host matrix.
    pub(crate) fn from_faer(m: &faer::Mat<f64>) -> Self {
        Matrix {
            rows: m.nrows(),
            cols: m.ncols(),
            data: (0..m.nrows())
                .flat_map(|i| (0..m.ncols()).map(move |j| m[(i, j)]))
                .collect(),
        }
    }

    /// `self` as a `(rows, cols)` tensor of element type `E`.
    pub(crate) fn to_tensor<E: Dtype>(&self) -> Result<Tensor<(usize, usize), E, Cpu>> {
        let data = self.data.iter().map(|&v| E::from_f64(v)).collect();
        Ok(Cpu::default().try_tensor_from_vec(data, (self.rows, self.cols))?)
    }
}

/// The dot product of two slices of equal length.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `Err` naming the first non-finite value of `data` (row-major with `cols` columns).
fn check_finite(op: &'static str, input: &'static str, data: &[f64], cols: usize) -> Result<()> {
    check_values(op, input, data, cols, |v| v.is_finite())
}

/// `Err` naming the first value of `data` that fails `ok`.
fn check_values(
    op: &'static str,
    input: &'static str,
    data: &[f64],
    cols: usize,
    ok: impl Fn(f64) -> bool,
) -> Result<()> {
    match data.iter().position(|&v| !ok(v)) {
        None => Ok(()),
        Some(k) => Err(Error::NonFinite {
            op,
            input,
            row: k / cols.max(1),
            col: k % cols.max(1),
            value: data[k],
        }),
    }
}

/// `Err` unless X has at least one sample and one feature.
fn check_not_empty(op: &'static str, rows: usize, cols: usize) -> Result<()> {
    if rows == 0 {
        return Err(Error::input(
            op,
            "found array with 0 samples, while a minimum of 1 is required",
        ));
    }
    if cols == 0 {
        return Err(Error::input(
            op,
            "found array with 0 features, while a minimum of 1 is required",
        ));
    }
    Ok(())
}

/// `x` widened to `f64`, or `Err` if it is empty or holds a NaN or an infinity.
pub(crate) fn check_x<F: Dim, E: Dtype>(
    op: &'static str,
    x: &Tensor<(usize, F), E, Cpu>,
) -> Result<Matrix> {
    check_x_with(op, x, Missing::Reject)
}

/// Whether NaN in X is an error or a missing value the estimator handles itself.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Missing {
    /// NaN is an `Err`, as every infinity is.
    Reject,
    /// NaN passes through as a missing value (gradient boosting learns where it goes).
    Allow,
    /// NaN and infinities pass through (HDBSCAN labels such rows as outliers).
    AllowAll,
}

/// [`check_x`], with NaN and infinities rejected or allowed as `missing` says.
pub(crate) fn check_x_with<F: Dim, E: Dtype>(
    op: &'static str,
    x: &Tensor<(usize, F), E, Cpu>,
    missing: Missing,
) -> Result<Matrix> {
    let [rows, cols] = x.dims();
    check_not_empty(op, rows, cols)?;
    let data: Vec<f64> = x.try_to_vec()?.into_iter().map(Dtype::as_f64).collect();
    match missing {
        Missing::Reject => check_finite(op, "X", &data, cols)?,
        Missing::Allow => check_values(op, "X", &data, cols, |v| !v.is_infinite())?,
        Missing::AllowAll => {}
    }
    Ok(Matrix { rows, cols, data })
}

/// A row-major `f64` view of X: borrowed from an `f64` tensor laid out contiguously, widened
/// into a copy otherwise. For estimators that only read X, it saves the copy [`check_x`]
/// makes (on large data, the fresh pages of the copy cost as much as the computation).
pub(crate) struct MatrixRef<'a> {
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) data: std::borrow::Cow<'a, [f64]>,
}

impl MatrixRef<'_> {
    /// The data as an owned [`Matrix`] (a copy when borrowed).
    pub(crate) fn into_matrix(self) -> Matrix {
        Matrix {
            rows: self.rows,
            cols: self.cols,
            data: self.data.into_owned(),
        }
    }

    /// The mean of each column.
    pub(crate) fn column_means(&self) -> Vec<f64> {
        column_means(&self.data, self.rows, self.cols)
    }
}

/// [`check_x`] without the copy where X allows it (see [`MatrixRef`]).
pub(crate) fn check_x_ref<'a, F: Dim, E: Dtype>(
    op: &'static str,
    x: &'a Tensor<(usize, F), E, Cpu>,
) -> Result<MatrixRef<'a>> {
    let [rows, cols] = x.dims();
    let n = rows * cols;
    let borrowed = if x.is_contiguous() && n > 0 {
        let buf: &[E] = x.data();
        buf.get(x.offset()..x.offset() + n)
            .and_then(E::as_f64_slice)
    } else {
        None
    };
    let Some(data) = borrowed else {
        let m = check_x(op, x)?;
        return Ok(MatrixRef {
            rows: m.rows,
            cols: m.cols,
            data: std::borrow::Cow::Owned(m.data),
        });
    };
    check_not_empty(op, rows, cols)?;
    check_finite(op, "X", data, cols)?;
    Ok(MatrixRef {
        rows,
        cols,
        data: std::borrow::Cow::Borrowed(data),
    })
}

/// The mean of each column of the row-major `rows × cols` `data`.
fn column_means(data: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    let mut means = vec![0.0; cols];
    for row in data.chunks_exact(cols.max(1)).take(rows) {
        for (m, v) in means.iter_mut().zip(row) {
            *m += v;
        }
    }
    means.iter_mut().for_each(|m| *m /= rows as f64);
    means
}

/// `x` validated by [`check_x`] and of the width `expected` that the estimator was fitted on.
pub(crate) fn check_x_width<F: Dim, E: Dtype>(
    op: &'static str,
    estimator: &str,
    x: &Tensor<(usize, F), E, Cpu>,
    expected: usize,
) -> Result<Matrix> {
    check_x_width_with(op, estimator, x, expected, Missing::Reject)
}

/// [`check_x_width`], with NaN rejected or allowed as `missing` says.
pub(crate) fn check_x_width_with<F: Dim, E: Dtype>(
    op: &'static str,
    estimator: &str,
    x: &Tensor<(usize, F), E, Cpu>,
    expected: usize,
    missing: Missing,
) -> Result<Matrix> {
    let got = x.dims()[1];
    if got != expected {
        return Err(Error::input(
            op,
            format!(
                "X has {got} features, but {estimator} is expecting {expected} features as input"
            ),
        ));
    }
    check_x_with(op, x, missing)
}

/// `Err` unless `y` has one entry per row of X.
pub(crate) fn check_lengths(op: &'static str, n_x: usize, n_y: usize) -> Result<()> {
    if n_x == n_y {
        Ok(())
    } else {
        Err(Error::input(
            op,
            format!("found input variables with inconsistent numbers of samples: X has {n_x}, y has {n_y}"),
        ))
    }
}

/// A regression target widened to `f64`, checked for length and finiteness.
pub(crate) fn check_y_reg<E: Dtype>(
    op: &'static str,
    y: &Tensor<(usize,), E, Cpu>,
    n_samples: usize,
) -> Result<Vec<f64>> {
    let y: Vec<f64> = y.try_to_vec()?.into_iter().map(Dtype::as_f64).collect();
    check_lengths(op, n_samples, y.len())?;
    check_finite(op, "y", &y, 1)?;
    Ok(y)
}

/// Class labels encoded as indices into their sorted distinct values (scikit-learn's `classes_`).
#[derive(Clone, Debug)]
pub(crate) struct Labels {
    /// The distinct labels, sorted.
    pub(crate) classes: Vec<usize>,
    /// For each sample, the index of its label in `classes`.
    pub(crate) codes: Vec<usize>,
}

impl Labels {
    /// The number of samples of each class.
    pub(crate) fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes.len()];
        self.codes.iter().for_each(|&c| counts[c] += 1);
        counts
    }
}

/// Encodes classification labels; `Err` for a length mismatch or fewer than `min_classes`
/// distinct labels.
pub(crate) fn check_y_class(
    op: &'static str,
    y: &Tensor<(usize,), usize, Cpu>,
    n_samples: usize,
    min_classes: usize,
) -> Result<Labels> {
    let y = y.try_to_vec()?;
    check_lengths(op, n_samples, y.len())?;
    let mut classes = y.clone();
    classes.sort_unstable();
    classes.dedup();
    if classes.len() < min_classes {
        return Err(Error::input(
            op,
            format!(
                "this solver needs samples of at least {min_classes} classes in the data, but the data contains only {}: {classes:?}",
                classes.len()
            ),
        ));
    }
    let codes = y
        .iter()
        .map(|v| classes.binary_search(v).expect("every label is a class"))
        .collect();
    Ok(Labels { classes, codes })
}

/// The per-sample weights (all 1 when `None`), or `Err` unless there is one finite,
/// non-negative weight per sample.
pub(crate) fn sample_weights<E: Dtype>(
    op: &'static str,
    weights: Option<&Tensor<(usize,), E, Cpu>>,
    n: usize,
) -> Result<Vec<f64>> {
    let Some(w) = weights else {
        return Ok(vec![1.0; n]);
    };
    let w: Vec<f64> = w.try_to_vec()?.into_iter().map(E::as_f64).collect();
    if w.len() != n {
        return Err(Error::input(
            op,
            format!(
                "sample_weight has {} entries, but X has {n} samples",
                w.len()
            ),
        ));
    }
    match w.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
        Some(i) => Err(Error::input(
            op,
            format!(
                "sample_weight[{i}] = {} is not a finite non-negative number",
                w[i]
            ),
        )),
        None => Ok(w),
    }
}

/// `Err` for a parameter that fails `ok`.
pub(crate) fn check_param<T: std::fmt::Debug + Copy>(
    estimator: &'static str,
    name: &'static str,
    value: T,
    allowed: &'static str,
    ok: impl Fn(T) -> bool,
) -> Result<()> {
    if ok(value) {
        Ok(())
    } else {
        Err(Error::parameter(estimator, name, allowed, value))
    }
}

/// A fitted state, or [`Error::NotFitted`].
pub(crate) fn fitted<'a, S>(
    state: &'a Option<S>,
    estimator: &'static str,
    op: &'static str,
) -> Result<&'a S> {
    state.as_ref().ok_or(Error::NotFitted { estimator, op })
}

/// A 1-D tensor of `E` holding `values`.
pub(crate) fn vector<E: Dtype>(values: &[f64]) -> Result<Tensor<(usize,), E, Cpu>> {
    let data = values.iter().map(|&v| E::from_f64(v)).collect();
    Ok(Cpu::default().try_tensor_from_vec(data, (values.len(),))?)
}

/// A 1-D tensor of labels.
pub(crate) fn label_vector(labels: Vec<usize>) -> Result<Tensor<(usize,), usize, Cpu>> {
    let n = labels.len();
    Ok(Cpu::default().try_tensor_from_vec(labels, (n,))?)
}

/// The index of the largest value, the first of ties (numpy's `argmax`).
pub(crate) fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (j, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = j;
        }
    }
    best
}

/// The sum of `values` in numpy's order (pairwise blocks of 128, eight accumulators), so that a
/// sum matches `np.sum` on the same values to the last bit.
pub(crate) fn np_sum(values: &[f64]) -> f64 {
    const BLOCK: usize = 128;
    let n = values.len();
    if n < 8 {
        values.iter().fold(0.0, |acc, v| acc + v)
    } else if n <= BLOCK {
        let mut r = [0.0; 8];
        r.copy_from_slice(&values[..8]);
        let whole = n - n % 8;
        for chunk in values[8..whole].chunks_exact(8) {
            r.iter_mut().zip(chunk).for_each(|(acc, v)| *acc += v);
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        values[whole..].iter().for_each(|v| res += v);
        res
    } else {
        let half = n / 2;
        let half = half - half % 8;
        np_sum(&values[..half]) + np_sum(&values[half..])
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use gf_core::ops::create::TensorCreate;
    use gf_core::Cpu;

    use super::*;

    #[test]
    fn check_x_ref_borrows_f64_and_widens_f32() {
        let dev = Cpu::default();
        let values = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let x64 = dev.tensor_from_vec(values.clone(), (3usize, 2usize));
        let r = check_x_ref("test", &x64).unwrap();
        assert!(matches!(r.data, Cow::Borrowed(_)));
        assert_eq!((r.rows, r.cols, r.data.to_vec()), (3, 2, values.clone()));
        assert_eq!(r.column_means(), vec![3.0, 4.0]);
        let x32 = dev.tensor_from_vec(
            values.iter().map(|&v| v as f32).collect::<Vec<_>>(),
            (3usize, 2usize),
        );
        let r = check_x_ref("test", &x32).unwrap();
        assert!(matches!(r.data, Cow::Owned(_)));
        assert_eq!(r.into_matrix(), check_x("test", &x64).unwrap());
    }

    #[test]
    fn check_x_ref_rejects_what_check_x_rejects() {
        let dev = Cpu::default();
        let x = dev.tensor_from_vec(vec![1.0, 2.0, f64::NAN, 4.0], (2usize, 2usize));
        match check_x_ref("test", &x) {
            Err(Error::NonFinite { row, col, .. }) => assert_eq!((row, col), (1, 0)),
            other => panic!(
                "expected a NonFinite error, got {:?}",
                other.map(|r| r.rows)
            ),
        }
        let empty = dev.tensor_from_vec(Vec::<f64>::new(), (0usize, 2usize));
        assert!(check_x_ref("test", &empty).is_err());
    }
}
