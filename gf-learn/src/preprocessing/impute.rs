//! Filling in missing values: [`SimpleImputer`].

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use super::scale::median;
use super::{check_not_empty, check_width, dyn_matrix, fitted, Matrix};
use crate::error::{Error, Result};

/// What a [`SimpleImputer`] fills a feature's missing values with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ImputeStrategy {
    /// The mean of the feature's present values (scikit-learn's default).
    #[default]
    Mean,
    /// The median of the feature's present values.
    Median,
    /// The most frequent present value; ties go to the smallest value.
    MostFrequent,
    /// [`SimpleImputer::fill_value`] (0 unless set).
    Constant,
}

/// Replaces missing values (NaN by default) with a per-feature statistic: scikit-learn's
/// `SimpleImputer`.
///
/// Features with no present value at all during `fit` are **dropped** from the output, as
/// scikit-learn does with its default `keep_empty_features = false` (their `statistics_` entry
/// is NaN) — this holds for every strategy, `Constant` included. With `keep_empty_features(true)`
/// they are kept and filled with 0 (with `fill_value` for `Constant`). Because the width can
/// change, the output is `Tensor<(usize, usize), E, Cpu>`; use `try_into_shape` to get a
/// `Const` width back.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::preprocessing::{ImputeStrategy, SimpleImputer};
///
/// let nan = f64::NAN;
/// let x = Cpu::default().tensor_from_vec(vec![1.0, nan, nan, nan, 3.0, nan], (3usize, 2usize));
/// let mut imputer = SimpleImputer::new().strategy(ImputeStrategy::Median);
/// let y = imputer.fit_transform(&x).unwrap();
/// // The second column was all missing: dropped.
/// assert_eq!((y.dims(), y.to_vec()), ([3, 1], vec![1.0, 2.0, 3.0]));
/// ```
#[derive(Clone, Debug)]
pub struct SimpleImputer {
    missing_values: f64,
    strategy: ImputeStrategy,
    fill_value: f64,
    keep_empty_features: bool,
    add_indicator: bool,
    fitted: Option<ImputeFit>,
}

#[derive(Clone, Debug)]
struct ImputeFit {
    statistics: Vec<f64>,
    kept: Vec<usize>,
    indicator_features: Vec<usize>,
}

impl Default for SimpleImputer {
    fn default() -> Self {
        Self::new()
    }
}

impl SimpleImputer {
    /// An imputer with scikit-learn's defaults: missing values are NaN, strategy
    /// [`ImputeStrategy::Mean`], `fill_value = 0`, `keep_empty_features = false`,
    /// `add_indicator = false`.
    pub fn new() -> Self {
        SimpleImputer {
            missing_values: f64::NAN,
            strategy: ImputeStrategy::Mean,
            fill_value: 0.0,
            keep_empty_features: false,
            add_indicator: false,
            fitted: None,
        }
    }

    /// The value that marks a missing entry (default NaN). With a number here, NaNs in the data
    /// are an error, as in scikit-learn.
    pub fn missing_values(mut self, missing_values: f64) -> Self {
        self.missing_values = missing_values;
        self
    }

    /// How to compute the fill value of each feature (default [`ImputeStrategy::Mean`]).
    pub fn strategy(mut self, strategy: ImputeStrategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// The value used by [`ImputeStrategy::Constant`] (default 0).
    pub fn fill_value(mut self, fill_value: f64) -> Self {
        self.fill_value = fill_value;
        self
    }

    /// Whether to keep features that are entirely missing during `fit` (default `false`: they
    /// are dropped).
    pub fn keep_empty_features(mut self, keep: bool) -> Self {
        self.keep_empty_features = keep;
        self
    }

    /// Whether to append a 0/1 indicator column for each feature that had missing values during
    /// `fit` (scikit-learn's `MissingIndicator` with `features = "missing-only"`).
    pub fn add_indicator(mut self, add: bool) -> Self {
        self.add_indicator = add;
        self
    }

    fn is_missing(&self, v: f64) -> bool {
        if self.missing_values.is_nan() {
            v.is_nan()
        } else {
            v == self.missing_values
        }
    }

    fn check_values(&self, op: &'static str, m: &Matrix) -> Result<()> {
        if !self.missing_values.is_nan() && m.data.iter().any(|v| v.is_nan()) {
            return Err(Error::input(
                op,
                format!(
                    "input X contains NaN, but missing_values is {}",
                    self.missing_values
                ),
            ));
        }
        Ok(())
    }

    /// Computes the fill value of each feature of `x` from its present values.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Tensor<(usize, F), E, Cpu>) -> Result<&mut Self> {
        let m = Matrix::of(x);
        check_not_empty("SimpleImputer::fit", m.rows)?;
        self.check_values("SimpleImputer::fit", &m)?;
        let mut statistics = Vec::with_capacity(m.cols);
        let mut indicator_features = Vec::new();
        for j in 0..m.cols {
            let mut present: Vec<f64> = m.column(j).filter(|&v| !self.is_missing(v)).collect();
            if present.len() < m.rows {
                indicator_features.push(j);
            }
            let stat = if present.is_empty() {
                match (self.keep_empty_features, self.strategy) {
                    (false, _) => f64::NAN,
                    (true, ImputeStrategy::Constant) => self.fill_value,
                    (true, _) => 0.0,
                }
            } else {
                match self.strategy {
                    ImputeStrategy::Mean => present.iter().sum::<f64>() / present.len() as f64,
                    ImputeStrategy::Median => median(&mut present),
                    ImputeStrategy::MostFrequent => most_frequent(&mut present),
                    ImputeStrategy::Constant => self.fill_value,
                }
            };
            statistics.push(stat);
        }
        let kept = (0..m.cols)
            .filter(|&j| self.keep_empty_features || !statistics[j].is_nan())
            .collect();
        self.fitted = Some(ImputeFit {
            statistics,
            kept,
            indicator_features,
        });
        Ok(self)
    }

    /// Fills the missing values of `x`, drops the features that were empty during `fit`, and
    /// appends the indicator columns if `add_indicator`.
    pub fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Tensor<(usize, F), E, Cpu>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "SimpleImputer::transform";
        let fit = fitted(self.fitted.as_ref(), OP, "SimpleImputer")?;
        let m = Matrix::of(x);
        check_width(OP, "SimpleImputer", fit.statistics.len(), m.cols)?;
        self.check_values(OP, &m)?;
        let indicators = if self.add_indicator {
            fit.indicator_features.len()
        } else {
            0
        };
        let width = fit.kept.len() + indicators;
        let mut out = Vec::with_capacity(m.rows * width);
        for row in m.data.chunks(m.cols.max(1)).take(m.rows) {
            for &j in &fit.kept {
                let v = row[j];
                out.push(if self.is_missing(v) {
                    fit.statistics[j]
                } else {
                    v
                });
            }
            if self.add_indicator {
                for &j in &fit.indicator_features {
                    out.push(if self.is_missing(row[j]) { 1.0 } else { 0.0 });
                }
            }
        }
        dyn_matrix(m.rows, width, out)
    }

    /// [`fit`](Self::fit) then [`transform`](Self::transform).
    pub fn fit_transform<F: Dim, E: Dtype>(
        &mut self,
        x: &Tensor<(usize, F), E, Cpu>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        self.fit(x)?.transform(x)
    }

    /// Puts the missing values back where the indicator columns say they were: scikit-learn's
    /// `inverse_transform`, which needs `add_indicator(true)`. Features dropped by `transform`
    /// come back entirely missing. (scikit-learn 1.9 fails here with
    /// `keep_empty_features = true`; this does not.)
    pub fn inverse_transform<F: Dim, E: Dtype>(
        &self,
        x: &Tensor<(usize, F), E, Cpu>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "SimpleImputer::inverse_transform";
        let fit = fitted(self.fitted.as_ref(), OP, "SimpleImputer")?;
        if !self.add_indicator {
            return Err(Error::input(
                OP,
                "inverse_transform works only when SimpleImputer is built with add_indicator(true)",
            ));
        }
        let m = Matrix::of(x);
        let width = fit.kept.len() + fit.indicator_features.len();
        check_width(OP, "SimpleImputer", width, m.cols)?;
        let n_features = fit.statistics.len();
        let mut out = vec![self.missing_values; m.rows * n_features];
        for (row, original) in m
            .data
            .chunks(width.max(1))
            .zip(out.chunks_mut(n_features.max(1)))
            .take(m.rows)
        {
            for (k, &j) in fit.kept.iter().enumerate() {
                original[j] = row[k];
            }
            for (k, &j) in fit.indicator_features.iter().enumerate() {
                if row[fit.kept.len() + k] != 0.0 {
                    original[j] = self.missing_values;
                }
            }
        }
        dyn_matrix(m.rows, n_features, out)
    }

    /// The fill value of each feature; NaN for a feature that `transform` drops.
    pub fn statistics_(&self) -> Option<&[f64]> {
        self.fitted.as_ref().map(|f| f.statistics.as_slice())
    }

    /// The features that had missing values during `fit` (the indicator columns' sources).
    pub fn indicator_features_(&self) -> Option<&[usize]> {
        self.fitted
            .as_ref()
            .map(|f| f.indicator_features.as_slice())
    }

    /// The number of features seen by `fit`.
    pub fn n_features_in_(&self) -> Option<usize> {
        self.fitted.as_ref().map(|f| f.statistics.len())
    }
}

/// The most frequent of `values` (non-empty, NaN-free), the smallest one among ties (scipy's
/// `mode`).
fn most_frequent(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mut best = (values[0], 0usize);
    let mut start = 0;
    while start < values.len() {
        let mut end = start;
        while end < values.len() && values[end] == values[start] {
            end += 1;
        }
        if end - start > best.1 {
            best = (values[start], end - start);
        }
        start = end;
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use gf_core::ops::create::TensorCreate;

    #[test]
    fn most_frequent_breaks_ties_towards_the_smallest() {
        assert_eq!(most_frequent(&mut [3.0, 1.0, 3.0, 1.0, 2.0]), 1.0);
        assert_eq!(most_frequent(&mut [-0.0, 5.0, 5.0]), 5.0);
    }

    #[test]
    fn constant_strategy_indicator_and_number_as_missing() {
        let dev = Cpu::default();
        let x = dev.tensor_from_vec(vec![-1.0f32, 2.0, 3.0, -1.0], (2usize, 2usize));
        let mut imp = SimpleImputer::new()
            .missing_values(-1.0)
            .strategy(ImputeStrategy::Constant)
            .fill_value(7.0)
            .add_indicator(true);
        let y = imp.fit_transform(&x).unwrap();
        assert_eq!(y.dims(), [2, 4]);
        assert_eq!(y.to_vec(), [7.0, 2.0, 1.0, 0.0, 3.0, 7.0, 0.0, 1.0]);
        let back = imp.inverse_transform(&y).unwrap();
        assert_eq!(back.to_vec(), x.to_vec());
        assert!(SimpleImputer::new()
            .add_indicator(false)
            .fit(&x)
            .unwrap()
            .inverse_transform(&y)
            .is_err());
        let nan = dev.tensor_from_vec(vec![f32::NAN, 2.0], (1usize, 2usize));
        assert!(imp.transform(&nan).is_err());
        assert!(SimpleImputer::new().transform(&x).is_err());
    }
}
