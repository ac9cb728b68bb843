//! Feature scaling: [`StandardScaler`], [`MinMaxScaler`], [`MaxAbsScaler`], [`RobustScaler`] and
//! the per-row [`Normalizer`].
//!
//! Like scikit-learn's, the scalers ignore NaNs when fitting and pass them through when
//! transforming, so that they can run before a [`SimpleImputer`](super::SimpleImputer).

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use super::{check_not_empty, check_width, eps, fitted, handle_zeros_in_scale, same_shape, Matrix};
use crate::error::{Error, Result};

/// Applies `f(value, column)` to every element of `x`, keeping its shape type.
fn map_columns<F: Dim, E: Dtype>(
    x: &Tensor<(usize, F), E, Cpu>,
    f: impl Fn(f64, usize) -> f64,
) -> Result<Tensor<(usize, F), E, Cpu>> {
    let m = Matrix::of(x);
    let data = m
        .data
        .iter()
        .enumerate()
        .map(|(k, &v)| f(v, k % m.cols.max(1)))
        .collect();
    same_shape(x, data)
}

/// The non-NaN values of column `j`.
fn finite_column(m: &Matrix, j: usize) -> Vec<f64> {
    m.column(j).filter(|v| !v.is_nan()).collect()
}

/// A fitted per-column affine map, `x -> (x - center) / scale` (each part optional), as a view
/// of a scaler's fitted statistics. Every scaler here is one: `StandardScaler`, `RobustScaler`
/// and `MaxAbsScaler` apply it forward; `MinMaxScaler` (`x * scale_ + min_`) applies it
/// backward, with `center = min_`.
#[derive(Clone, Copy)]
struct Affine<'a> {
    n_features: usize,
    center: Option<&'a [f64]>,
    scale: Option<&'a [f64]>,
}

impl Affine<'_> {
    /// `(v - center[j]) / scale[j]`.
    fn forward_at(&self, v: f64, j: usize) -> f64 {
        let v = self.center.map_or(v, |c| v - c[j]);
        self.scale.map_or(v, |s| v / s[j])
    }

    /// `v * scale[j] + center[j]`, the inverse of [`forward_at`](Self::forward_at).
    fn backward_at(&self, v: f64, j: usize) -> f64 {
        let v = self.scale.map_or(v, |s| v * s[j]);
        self.center.map_or(v, |c| v + c[j])
    }

    /// [`forward_at`](Self::forward_at) on every element of `x`.
    fn forward<F: Dim, E: Dtype>(
        &self,
        x: &Tensor<(usize, F), E, Cpu>,
    ) -> Result<Tensor<(usize, F), E, Cpu>> {
        map_columns(x, |v, j| self.forward_at(v, j))
    }

    /// [`backward_at`](Self::backward_at) on every element of `x`.
    fn backward<F: Dim, E: Dtype>(
        &self,
        x: &Tensor<(usize, F), E, Cpu>,
    ) -> Result<Tensor<(usize, F), E, Cpu>> {
        map_columns(x, |v, j| self.backward_at(v, j))
    }
}

/// A scaler whose fitted state is an [`Affine`] map: one place for the checks that its
/// `transform` and `inverse_transform` share.
trait AffineScaler {
    /// The estimator's name, for error messages.
    const NAME: &'static str;

    /// The fitted map; `None` before `fit`.
    fn fitted_map(&self) -> Option<Affine<'_>>;

    /// The fitted map, or `Err` before `fit` or for data of another width than `fit` saw.
    fn map(&self, op: &'static str, width: usize) -> Result<Affine<'_>> {
        let map = fitted(self.fitted_map(), op, Self::NAME)?;
        check_width(op, Self::NAME, map.n_features, width)?;
        Ok(map)
    }
}

/// The public `transform`, `fit_transform` and `inverse_transform` of a scaler whose
/// `transform` is its [`Affine`] map forward (all but `MinMaxScaler`), with the docs given.
macro_rules! forward_affine_methods {
    ($scaler:ident, $transform_doc:literal, $inverse_doc:literal) => {
        impl $scaler {
            #[doc = $transform_doc]
            pub fn transform<F: Dim, E: Dtype>(
                &self,
                x: &Tensor<(usize, F), E, Cpu>,
            ) -> Result<Tensor<(usize, F), E, Cpu>> {
                let op = concat!(stringify!($scaler), "::transform");
                self.map(op, x.dims()[1])?.forward(x)
            }

            /// [`fit`](Self::fit) then [`transform`](Self::transform).
            pub fn fit_transform<F: Dim, E: Dtype>(
                &mut self,
                x: &Tensor<(usize, F), E, Cpu>,
            ) -> Result<Tensor<(usize, F), E, Cpu>> {
                self.fit(x)?.transform(x)
            }

            #[doc = $inverse_doc]
            pub fn inverse_transform<F: Dim, E: Dtype>(
                &self,
                x: &Tensor<(usize, F), E, Cpu>,
            ) -> Result<Tensor<(usize, F), E, Cpu>> {
                let op = concat!(stringify!($scaler), "::inverse_transform");
                self.map(op, x.dims()[1])?.backward(x)
            }
        }
    };
}

/// numpy's `percentile` (method "linear") of sorted, NaN-free `sorted`; NaN if empty.
pub(crate) fn percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let virtual_index = (sorted.len() - 1) as f64 * (q / 100.0);
    let lo = (virtual_index.floor() as usize).min(sorted.len() - 1);
    let hi = (lo + 1).min(sorted.len() - 1);
    let t = virtual_index - lo as f64;
    let (a, b) = (sorted[lo], sorted[hi]);
    // numpy's _lerp: the form that is exact at the end nearer to t.
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// numpy's `median` of NaN-free values: the middle one, or the mean of the two middle ones.
pub(crate) fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// The standard normal quantile function (scipy's `norm.ppf`), by Wichura's algorithm AS 241
/// (PPND16), accurate to about 1e-16 relative. The constants are the published ones, digit for
/// digit.
#[allow(clippy::excessive_precision)]
pub(crate) fn norm_ppf(p: f64) -> f64 {
    const A: [f64; 8] = [
        3.387_132_872_796_366_608,
        1.331_416_678_917_843_774_5e2,
        1.971_590_950_306_551_442_7e3,
        1.373_169_376_550_946_112_5e4,
        4.592_195_393_154_987_145_7e4,
        6.726_577_092_700_870_085_3e4,
        3.343_057_558_358_812_810_5e4,
        2.509_080_928_730_122_672_7e3,
    ];
    const B: [f64; 8] = [
        1.0,
        4.231_333_070_160_091_125_2e1,
        6.871_870_074_920_579_083e2,
        5.394_196_021_424_751_107_7e3,
        2.121_379_430_158_659_586_7e4,
        3.930_789_580_009_271_061e4,
        2.872_908_573_572_194_267_4e4,
        5.226_495_278_852_854_561e3,
    ];
    const C: [f64; 8] = [
        1.423_437_110_749_683_577_34,
        4.630_337_846_156_545_295_9,
        5.769_497_221_460_691_405_5,
        3.647_848_324_763_204_605_04,
        1.270_458_252_452_368_382_58,
        2.417_807_251_774_506_117_7e-1,
        2.272_384_498_926_918_458_33e-2,
        7.745_450_142_783_414_076_4e-4,
    ];
    const D: [f64; 8] = [
        1.0,
        2.053_191_626_637_758_821_87,
        1.676_384_830_183_803_849_4,
        6.897_673_349_851_000_045_5e-1,
        1.481_039_764_274_800_745_9e-1,
        1.519_866_656_361_645_719_66e-2,
        5.475_938_084_995_344_946e-4,
        1.050_750_071_644_416_843_24e-9,
    ];
    const E: [f64; 8] = [
        6.657_904_643_501_103_777_2,
        5.463_784_911_164_114_369_9,
        1.784_826_539_917_291_335_8,
        2.965_605_718_285_048_912_3e-1,
        2.653_218_952_657_612_309_3e-2,
        1.242_660_947_388_078_438_6e-3,
        2.711_555_568_743_487_578_15e-5,
        2.010_334_399_292_288_132_65e-7,
    ];
    const F: [f64; 8] = [
        1.0,
        5.998_322_065_558_879_376_9e-1,
        1.369_298_809_227_358_053_1e-1,
        1.487_536_129_085_061_485_25e-2,
        7.868_691_311_456_132_591e-4,
        1.846_318_317_510_054_681_8e-5,
        1.421_511_758_316_445_888_7e-7,
        2.044_263_103_389_939_785_64e-15,
    ];
    fn poly(c: &[f64; 8], x: f64) -> f64 {
        c.iter().rev().fold(0.0, |acc, &k| acc * x + k)
    }
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * poly(&A, r) / poly(&B, r);
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    let r = (-r.ln()).sqrt();
    let value = if r <= 5.0 {
        poly(&C, r - 1.6) / poly(&D, r - 1.6)
    } else {
        poly(&E, r - 5.0) / poly(&F, r - 5.0)
    };
    if q < 0.0 {
        -value
    } else {
        value
    }
}

/// Standardizes features by removing the mean and scaling to unit variance: scikit-learn's
/// `StandardScaler`. `z = (x - mean_) / scale_`, with the population standard deviation
/// (`ddof = 0`); features of (numerically) zero variance get `scale_ = 1`.
#[derive(Clone, Debug)]
pub struct StandardScaler {
    with_mean: bool,
    with_std: bool,
    fitted: Option<StandardFit>,
}

#[derive(Clone, Debug)]
struct StandardFit {
    n_features: usize,
    n_samples_seen: Vec<usize>,
    mean: Option<Vec<f64>>,
    var: Option<Vec<f64>>,
    scale: Option<Vec<f64>>,
}

impl Default for StandardScaler {
    fn default() -> Self {
        Self::new()
    }
}

impl StandardScaler {
    /// A scaler with scikit-learn's defaults: `with_mean = true`, `with_std = true`.
    pub fn new() -> Self {
        StandardScaler {
            with_mean: true,
            with_std: true,
            fitted: None,
        }
    }

    /// Whether to subtract the mean (default `true`).
    pub fn with_mean(mut self, with_mean: bool) -> Self {
        self.with_mean = with_mean;
        self
    }

    /// Whether to divide by the standard deviation (default `true`).
    pub fn with_std(mut self, with_std: bool) -> Self {
        self.with_std = with_std;
        self
    }

    /// Computes the per-feature mean and variance of `x`, ignoring NaNs.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Tensor<(usize, F), E, Cpu>) -> Result<&mut Self> {
        let m = Matrix::of(x);
        check_not_empty("StandardScaler::fit", m.rows)?;
        let mut counts = Vec::with_capacity(m.cols);
        let mut means = Vec::with_capacity(m.cols);
        let mut vars = Vec::with_capacity(m.cols);
        for j in 0..m.cols {
            let col = finite_column(&m, j);
            let n = col.len() as f64;
            let mean = col.iter().sum::<f64>() / n;
            // scikit-learn's two-pass variance with its rounding correction.
            let correction: f64 = col.iter().map(|v| v - mean).sum();
            let squares: f64 = col.iter().map(|v| (v - mean) * (v - mean)).sum();
            let var = (squares - correction * correction / n) / n;
            counts.push(col.len());
            means.push(mean);
            vars.push(var);
        }
        let needs_stats = self.with_mean || self.with_std;
        let scale = self.with_std.then(|| {
            vars.iter()
                .zip(&means)
                .zip(&counts)
                .map(|((&var, &mean), &n)| {
                    // scikit-learn's _is_constant_feature: a variance within the rounding error
                    // of the two-pass algorithm is zero.
                    let n = n as f64;
                    let e = f64::EPSILON;
                    let bound = n * e * var + (n * mean * e) * (n * mean * e);
                    if var <= bound {
                        1.0
                    } else {
                        var.sqrt()
                    }
                })
                .collect()
        });
        self.fitted = Some(StandardFit {
            n_features: m.cols,
            n_samples_seen: counts,
            mean: needs_stats.then_some(means),
            var: self.with_std.then_some(vars),
            scale,
        });
        Ok(self)
    }

    /// The per-feature mean (`None` before `fit`, or with neither centring nor scaling).
    pub fn mean_(&self) -> Option<&[f64]> {
        self.fitted.as_ref()?.mean.as_deref()
    }

    /// The per-feature population variance (`None` before `fit` or with `with_std = false`).
    pub fn var_(&self) -> Option<&[f64]> {
        self.fitted.as_ref()?.var.as_deref()
    }

    /// The per-feature divisor: `sqrt(var_)`, or 1 for constant features (`None` before `fit`
    /// or with `with_std = false`).
    pub fn scale_(&self) -> Option<&[f64]> {
        self.fitted.as_ref()?.scale.as_deref()
    }

    /// The number of non-NaN samples seen per feature.
    pub fn n_samples_seen_(&self) -> Option<&[usize]> {
        self.fitted.as_ref().map(|f| f.n_samples_seen.as_slice())
    }

    /// The number of features seen by `fit`.
    pub fn n_features_in_(&self) -> Option<usize> {
        self.fitted.as_ref().map(|f| f.n_features)
    }
}

impl AffineScaler for StandardScaler {
    const NAME: &'static str = "StandardScaler";

    fn fitted_map(&self) -> Option<Affine<'_>> {
        // `with_mean` is read here, not at `fit`: `mean_` is kept for `with_std` alone.
        self.fitted.as_ref().map(|fit| Affine {
            n_features: fit.n_features,
            center: fit.mean.as_deref().filter(|_| self.with_mean),
            scale: fit.scale.as_deref(),
        })
    }
}

forward_affine_methods!(
    StandardScaler,
    "Standardizes `x` with the fitted statistics.",
    "Undoes [`transform`](Self::transform): `x * scale_ + mean_`."
);

/// Scales each feature to a range, by default `[0, 1]`: scikit-learn's `MinMaxScaler`.
/// `z = x * scale_ + min_` with `scale_ = (max - min) / (data_max_ - data_min_)`; constant
/// features get a range of 1.
#[derive(Clone, Debug)]
pub struct MinMaxScaler {
    feature_range: (f64, f64),
    clip: bool,
    fitted: Option<MinMaxFit>,
}

#[derive(Clone, Debug)]
struct MinMaxFit {
    data_min: Vec<f64>,
    data_max: Vec<f64>,
    data_range: Vec<f64>,
    scale: Vec<f64>,
    min: Vec<f64>,
}

impl Default for MinMaxScaler {
    fn default() -> Self {
        Self::new()
    }
}

impl MinMaxScaler {
    /// A scaler with scikit-learn's defaults: `feature_range = (0, 1)`, `clip = false`.
    pub fn new() -> Self {
        MinMaxScaler {
            feature_range: (0.0, 1.0),
            clip: false,
            fitted: None,
        }
    }

    /// The range `(min, max)` the training data is mapped to; `fit` checks `min < max`.
    pub fn feature_range(mut self, min: f64, max: f64) -> Self {
        self.feature_range = (min, max);
        self
    }

    /// Whether `transform` clips values of new data to `feature_range` (default `false`).
    pub fn clip(mut self, clip: bool) -> Self {
        self.clip = clip;
        self
    }

    /// Computes the per-feature minimum and maximum of `x`, ignoring NaNs.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Tensor<(usize, F), E, Cpu>) -> Result<&mut Self> {
        let (lo, hi) = self.feature_range;
        if lo.is_nan() || hi.is_nan() || lo >= hi {
            return Err(Error::input(
                "MinMaxScaler::fit",
                format!("minimum of desired feature range must be smaller than maximum, got ({lo}, {hi})"),
            ));
        }
        let m = Matrix::of(x);
        check_not_empty("MinMaxScaler::fit", m.rows)?;
        let mut data_min = Vec::with_capacity(m.cols);
        let mut data_max = Vec::with_capacity(m.cols);
        for j in 0..m.cols {
            let col = finite_column(&m, j);
            let (mn, mx) = if col.is_empty() {
                (f64::NAN, f64::NAN)
            } else {
                col.iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                        (a.min(v), b.max(v))
                    })
            };
            data_min.push(mn);
            data_max.push(mx);
        }
        let data_range: Vec<f64> = data_max.iter().zip(&data_min).map(|(a, b)| a - b).collect();
        let mut safe_range = data_range.clone();
        handle_zeros_in_scale(&mut safe_range, eps::<E>());
        let scale: Vec<f64> = safe_range.iter().map(|r| (hi - lo) / r).collect();
        let min = data_min
            .iter()
            .zip(&scale)
            .map(|(d, s)| lo - d * s)
            .collect();
        self.fitted = Some(MinMaxFit {
            data_min,
            data_max,
            data_range,
            scale,
            min,
        });
        Ok(self)
    }

    /// Maps `x` with the fitted range (clipped to `feature_range` if `clip`).
    pub fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Tensor<(usize, F), E, Cpu>,
    ) -> Result<Tensor<(usize, F), E, Cpu>> {
        let map = self.map("MinMaxScaler::transform", x.dims()[1])?;
        let (lo, hi) = self.feature_range;
        map_columns(x, |v, j| {
            let z = map.backward_at(v, j);
            if self.clip {
                z.clamp(lo, hi)
            } else {
                z
            }
        })
    }

    /// [`fit`](Self::fit) then [`transform`](Self::transform).
    pub fn fit_transform<F: Dim, E: Dtype>(
        &mut self,
        x: &Tensor<(usize, F), E, Cpu>,
    ) -> Result<Tensor<(usize, F), E, Cpu>> {
        self.fit(x)?.transform(x)
    }

    /// Undoes [`transform`](Self::transform): `(x - min_) / scale_`.
    pub fn inverse_transform<F: Dim, E: Dtype>(
        &self,
        x: &Tensor<(usize, F), E, Cpu>,
    ) -> Result<Tensor<(usize, F), E, Cpu>> {
        self.map("MinMaxScaler::inverse_transform", x.dims()[1])?
            .forward(x)
    }

    /// The per-feature minimum seen by `fit`.
    pub fn data_min_(&self) -> Option<&[f64]> {
        self.fitted.as_ref().map(|f| f.data_min.as_slice())
    }

    /// The per-feature maximum seen by `fit`.
    pub fn data_max_(&self) -> Option<&[f64]> {
        self.fitted.as_ref().map(|f| f.data_max.as_slice())
    }

    /// `data_max_ - data_min_`.
    pub fn data_range_(&self) -> Option<&[f64]> {
        self.fitted.as_ref().map(|f| f.data_range.as_slice())
    }

    /// The per-feature factor of `transform`.
    pub fn scale_(&self) -> Option<&[f64]> {
        self.fitted.as_ref().map(|f| f.scale.as_slice())
    }

    /// The per-feature offset of `transform`.
    pub fn min_(&self) -> Option<&[f64]> {
        self.fitted.as_ref().map(|f| f.min.as_slice())
    }

    /// The number of features seen by `fit`.
    pub fn n_features_in_(&self) -> Option<usize> {
        self.fitted.as_ref().map(|f| f.scale.len())
    }
}

impl AffineScaler for MinMaxScaler {
    const NAME: &'static str = "MinMaxScaler";

    fn fitted_map(&self) -> Option<Affine<'_>> {
        // `transform` is `x * scale_ + min_`: this map backward.
        self.fitted.as_ref().map(|fit| Affine {
            n_features: fit.scale.len(),
            center: Some(&fit.min),
            scale: Some(&fit.scale),
        })
    }
}

/// Scales each feature by its maximum absolute value, to `[-1, 1]`, without shifting (so
/// sparsity is kept): scikit-learn's `MaxAbsScaler`.
#[derive(Clone, Debug, Default)]
pub struct MaxAbsScaler {
    fitted: Option<(Vec<f64>, Vec<f64>)>,
}

impl MaxAbsScaler {
    /// A scaler (it has no parameters).
    pub fn new() -> Self {
        MaxAbsScaler { fitted: None }
    }

    /// Computes the per-feature maximum absolute value of `x`, ignoring NaNs.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Tensor<(usize, F), E, Cpu>) -> Result<&mut Self> {
        let m = Matrix::of(x);
        check_not_empty("MaxAbsScaler::fit", m.rows)?;
        let max_abs: Vec<f64> = (0..m.cols)
            .map(|j| {
                let col = finite_column(&m, j);
                if col.is_empty() {
                    f64::NAN
                } else {
                    col.iter().fold(0.0, |a: f64, v| a.max(v.abs()))
                }
            })
            .collect();
        let mut scale = max_abs.clone();
        handle_zeros_in_scale(&mut scale, eps::<E>());
        self.fitted = Some((max_abs, scale));
        Ok(self)
    }

    /// The per-feature maximum absolute value seen by `fit`.
    pub fn max_abs_(&self) -> Option<&[f64]> {
        self.fitted.as_ref().map(|f| f.0.as_slice())
    }

    /// The per-feature divisor (`max_abs_`, with zeros replaced by 1).
    pub fn scale_(&self) -> Option<&[f64]> {
        self.fitted.as_ref().map(|f| f.1.as_slice())
    }
}

impl AffineScaler for MaxAbsScaler {
    const NAME: &'static str = "MaxAbsScaler";

    fn fitted_map(&self) -> Option<Affine<'_>> {
        self.fitted.as_ref().map(|(_, scale)| Affine {
            n_features: scale.len(),
            center: None,
            scale: Some(scale),
        })
    }
}

forward_affine_methods!(
    MaxAbsScaler,
    "Divides `x` by the fitted maxima.",
    "Undoes [`transform`](Self::transform)."
);

/// Scales features with statistics robust to outliers: subtracts the median and divides by the
/// interquartile range (or another `quantile_range`): scikit-learn's `RobustScaler`. Percentiles
/// are numpy's (linear interpolation), NaNs are ignored, a zero range becomes 1.
#[derive(Clone, Debug)]
pub struct RobustScaler {
    with_centering: bool,
    with_scaling: bool,
    quantile_range: (f64, f64),
    unit_variance: bool,
    fitted: Option<RobustFit>,
}

#[derive(Clone, Debug)]
struct RobustFit {
    n_features: usize,
    center: Option<Vec<f64>>,
    scale: Option<Vec<f64>>,
}

impl Default for RobustScaler {
    fn default() -> Self {
        Self::new()
    }
}

impl RobustScaler {
    /// A scaler with scikit-learn's defaults: centring and scaling on, `quantile_range =
    /// (25, 75)`, `unit_variance = false`.
    pub fn new() -> Self {
        RobustScaler {
            with_centering: true,
            with_scaling: true,
            quantile_range: (25.0, 75.0),
            unit_variance: false,
            fitted: None,
        }
    }

    /// Whether to subtract the median (default `true`).
    pub fn with_centering(mut self, with_centering: bool) -> Self {
        self.with_centering = with_centering;
        self
    }

    /// Whether to divide by the quantile range (default `true`).
    pub fn with_scaling(mut self, with_scaling: bool) -> Self {
        self.with_scaling = with_scaling;
        self
    }

    /// The percentiles `(q_min, q_max)`, `0 <= q_min <= q_max <= 100`, whose difference is the
    /// scale (default `(25, 75)`, the interquartile range).
    pub fn quantile_range(mut self, q_min: f64, q_max: f64) -> Self {
        self.quantile_range = (q_min, q_max);
        self
    }

    /// Whether to divide the scale by the quantile range of a standard normal, so that normally
    /// distributed features end with variance 1 (default `false`).
    pub fn unit_variance(mut self, unit_variance: bool) -> Self {
        self.unit_variance = unit_variance;
        self
    }

    /// Computes the per-feature median and quantile range of `x`, ignoring NaNs.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Tensor<(usize, F), E, Cpu>) -> Result<&mut Self> {
        let (q_min, q_max) = self.quantile_range;
        let valid = 0.0 <= q_min && q_min <= q_max && q_max <= 100.0;
        if !valid {
            return Err(Error::input(
                "RobustScaler::fit",
                format!("invalid quantile range: ({q_min}, {q_max})"),
            ));
        }
        let m = Matrix::of(x);
        check_not_empty("RobustScaler::fit", m.rows)?;
        let mut center = Vec::with_capacity(m.cols);
        let mut scale = Vec::with_capacity(m.cols);
        for j in 0..m.cols {
            let mut col = finite_column(&m, j);
            center.push(median(&mut col));
            // `median` sorted the column.
            scale.push(percentile_sorted(&col, q_max) - percentile_sorted(&col, q_min));
        }
        handle_zeros_in_scale(&mut scale, eps::<E>());
        if self.unit_variance {
            let adjust = norm_ppf(q_max / 100.0) - norm_ppf(q_min / 100.0);
            scale.iter_mut().for_each(|s| *s /= adjust);
        }
        self.fitted = Some(RobustFit {
            n_features: m.cols,
            center: self.with_centering.then_some(center),
            scale: self.with_scaling.then_some(scale),
        });
        Ok(self)
    }

    /// The per-feature median (`None` before `fit` or with `with_centering = false`).
    pub fn center_(&self) -> Option<&[f64]> {
        self.fitted.as_ref()?.center.as_deref()
    }

    /// The per-feature quantile range (`None` before `fit` or with `with_scaling = false`).
    pub fn scale_(&self) -> Option<&[f64]> {
        self.fitted.as_ref()?.scale.as_deref()
    }
}

impl AffineScaler for RobustScaler {
    const NAME: &'static str = "RobustScaler";

    fn fitted_map(&self) -> Option<Affine<'_>> {
        self.fitted.as_ref().map(|fit| Affine {
            n_features: fit.n_features,
            center: fit.center.as_deref(),
            scale: fit.scale.as_deref(),
        })
    }
}

forward_affine_methods!(
    RobustScaler,
    "Centres and scales `x` with the fitted statistics.",
    "Undoes [`transform`](Self::transform)."
);

/// The norm a [`Normalizer`] divides each row by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Norm {
    /// Sum of absolute values.
    L1,
    /// Euclidean length (scikit-learn's default).
    #[default]
    L2,
    /// Largest absolute value.
    Max,
}

/// Scales each sample (row) to unit norm: scikit-learn's `Normalizer`. Stateless: `fit` only
/// records the width (then checked by `transform`), and `transform` works without it. Rows of
/// (near) zero norm are left as they are.
#[derive(Clone, Debug, Default)]
pub struct Normalizer {
    norm: Norm,
    n_features: Option<usize>,
}

impl Normalizer {
    /// A normalizer with scikit-learn's default `norm = L2`.
    pub fn new() -> Self {
        Normalizer::default()
    }

    /// The norm to divide by (default [`Norm::L2`]).
    pub fn norm(mut self, norm: Norm) -> Self {
        self.norm = norm;
        self
    }

    /// Records the width of `x`; nothing else is learned.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Tensor<(usize, F), E, Cpu>) -> Result<&mut Self> {
        self.n_features = Some(x.dims()[1]);
        Ok(self)
    }

    /// Divides each row of `x` by its norm.
    pub fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Tensor<(usize, F), E, Cpu>,
    ) -> Result<Tensor<(usize, F), E, Cpu>> {
        if let Some(n) = self.n_features {
            check_width("Normalizer::transform", "Normalizer", n, x.dims()[1])?;
        }
        let mut m = Matrix::of(x);
        let cols = m.cols;
        if cols > 0 {
            for row in m.data.chunks_mut(cols) {
                let mut norm = match self.norm {
                    Norm::L1 => row.iter().map(|v| v.abs()).sum(),
                    Norm::L2 => row.iter().map(|v| v * v).sum::<f64>().sqrt(),
                    Norm::Max => row.iter().fold(0.0, |a: f64, v| a.max(v.abs())),
                };
                if norm < 10.0 * eps::<E>() {
                    norm = 1.0;
                }
                row.iter_mut().for_each(|v| *v /= norm);
            }
        }
        same_shape(x, m.data)
    }

    /// [`fit`](Self::fit) then [`transform`](Self::transform).
    pub fn fit_transform<F: Dim, E: Dtype>(
        &mut self,
        x: &Tensor<(usize, F), E, Cpu>,
    ) -> Result<Tensor<(usize, F), E, Cpu>> {
        self.fit(x)?.transform(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gf_core::ops::create::TensorCreate;
    use gf_core::shape::Const;

    fn tensor(rows: usize, data: Vec<f64>) -> Tensor<(usize, usize), f64, Cpu> {
        let cols = data.len() / rows;
        Cpu::default().tensor_from_vec(data, (rows, cols))
    }

    #[test]
    fn percentiles_match_numpy_linear() {
        let v = [1.0, 2.0, 4.0, 10.0];
        assert_eq!(percentile_sorted(&v, 0.0), 1.0);
        assert_eq!(percentile_sorted(&v, 100.0), 10.0);
        assert_eq!(percentile_sorted(&v, 25.0), 1.75); // np.percentile([1,2,4,10], 25)
        assert_eq!(percentile_sorted(&v, 50.0), 3.0);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
    }

    #[test]
    fn norm_ppf_matches_scipy() {
        // scipy.stats.norm.ppf at these points.
        let cases = [
            (0.5, 0.0),
            (0.75, 0.6744897501960817),
            (0.9, 1.2815515655446004),
            (0.025, -1.9599639845400545),
            (1e-10, -6.361340902404056),
            (1e-300, -37.0470962993612),
        ];
        for (p, want) in cases {
            let got = norm_ppf(p);
            assert!(
                (got - want).abs() <= 1e-14 * (1.0 + want.abs()),
                "ppf({p}) = {got}"
            );
        }
        assert_eq!(norm_ppf(1.0), f64::INFINITY);
        assert!(norm_ppf(1.5).is_nan());
    }

    #[test]
    fn standard_scaler_keeps_const_width_and_ignores_nan() {
        let x: Tensor<(usize, Const<2>), f32, Cpu> =
            Cpu::default().tensor_from_vec(vec![1.0, f32::NAN, 3.0, 2.0, 5.0, 4.0], (3, Const));
        let mut s = StandardScaler::new();
        let z = s.fit_transform(&x).unwrap();
        assert_eq!(s.mean_().unwrap(), &[3.0, 3.0]);
        assert_eq!(s.n_samples_seen_().unwrap(), &[3, 2]);
        assert!(z.to_vec()[1].is_nan());
    }

    #[test]
    fn errors_before_fit_and_on_other_widths() {
        let x = tensor(2, vec![1.0, 2.0, 3.0, 4.0]);
        let wide = tensor(1, vec![1.0, 2.0, 3.0]);
        let s = StandardScaler::new();
        assert!(s
            .transform(&x)
            .unwrap_err()
            .to_string()
            .contains("not fitted"));
        let mut m = MinMaxScaler::new();
        m.fit(&x).unwrap();
        let msg = m.transform(&wide).unwrap_err().to_string();
        assert!(
            msg.contains("X has 3 features, but MinMaxScaler is expecting 2"),
            "{msg}"
        );
        assert!(MinMaxScaler::new().feature_range(1.0, 1.0).fit(&x).is_err());
        assert!(RobustScaler::new()
            .quantile_range(80.0, 20.0)
            .fit(&x)
            .is_err());
    }

    #[test]
    fn normalizer_leaves_zero_rows_and_max_abs_scales() {
        let x = tensor(2, vec![3.0, -4.0, 0.0, 0.0]);
        let l2 = Normalizer::new().transform(&x).unwrap().to_vec();
        assert_eq!(l2, [0.6, -0.8, 0.0, 0.0]);
        let l1 = Normalizer::new()
            .norm(Norm::L1)
            .transform(&x)
            .unwrap()
            .to_vec();
        assert_eq!(l1, [3.0 / 7.0, -4.0 / 7.0, 0.0, 0.0]);
        let mut m = MaxAbsScaler::new();
        assert_eq!(m.fit_transform(&x).unwrap().to_vec(), [1.0, -1.0, 0.0, 0.0]);
    }
}
