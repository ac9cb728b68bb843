//! Categorical encoders: [`OneHotEncoder`], [`OrdinalEncoder`] and [`LabelEncoder`].
//!
//! Categorical data is given as rows of values, `&[R]` with `R: AsRef<[T]>` — so `&[Vec<T>]`,
//! `&[[T; N]]` or `&[&[T]]` — where `T` is any ordered type: `String`, `&str`, `i64`, `char`,
//! an enum deriving `Ord`. Each position in a row is a feature. The categories of a feature are
//! its distinct values sorted ascending, as scikit-learn's `categories='auto'` sorts them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{Debug, Display};

use gf_core::ops::create::TensorCreate;
use gf_core::{Cpu, Dtype, Tensor};

use super::{check_width, dyn_matrix, fitted, input_names};
use crate::error::{Error, Result};

/// The width of `rows` (all rows must agree); `Err` naming the first row that does not.
fn row_width<T, R: AsRef<[T]>>(op: &'static str, rows: &[R]) -> Result<usize> {
    let width = rows.first().map_or(0, |r| r.as_ref().len());
    if let Some((i, r)) = rows
        .iter()
        .enumerate()
        .find(|(_, r)| r.as_ref().len() != width)
    {
        return Err(Error::input(
            op,
            format!(
                "row {i} has {} values, but row 0 has {width}",
                r.as_ref().len()
            ),
        ));
    }
    Ok(width)
}

/// The sorted distinct values of each feature of `rows`.
fn sorted_categories<T: Ord + Clone, R: AsRef<[T]>>(rows: &[R], width: usize) -> Vec<Vec<T>> {
    (0..width)
        .map(|j| {
            let set: BTreeSet<&T> = rows.iter().map(|r| &r.as_ref()[j]).collect();
            set.into_iter().cloned().collect()
        })
        .collect()
}

/// Categories given by the user (kept in their order) or found in `rows`; with given ones,
/// values of `rows` outside them are an error when `check` is set.
fn fit_categories<T: Ord + Clone + Debug, R: AsRef<[T]>>(
    op: &'static str,
    rows: &[R],
    given: Option<&Vec<Vec<T>>>,
    check: bool,
) -> Result<Vec<Vec<T>>> {
    if rows.is_empty() {
        return Err(Error::input(
            op,
            "found array with 0 samples, while a minimum of 1 is required",
        ));
    }
    let width = row_width(op, rows)?;
    let Some(given) = given else {
        return Ok(sorted_categories(rows, width));
    };
    if given.len() != width {
        return Err(Error::input(
            op,
            format!(
                "shape mismatch: if categories is given, it has to be of length {width} (the number of features), got {}",
                given.len()
            ),
        ));
    }
    for (j, cats) in given.iter().enumerate() {
        if cats.iter().collect::<BTreeSet<_>>().len() != cats.len() {
            return Err(Error::input(
                op,
                format!("in column {j}, the predefined categories contain duplicate elements"),
            ));
        }
        if check {
            let known: BTreeSet<&T> = cats.iter().collect();
            let unknown: BTreeSet<&T> = rows
                .iter()
                .map(|r| &r.as_ref()[j])
                .filter(|v| !known.contains(v))
                .collect();
            if !unknown.is_empty() {
                return Err(Error::input(
                    op,
                    format!("found unknown categories {unknown:?} in column {j} during fit"),
                ));
            }
        }
    }
    Ok(given.clone())
}

/// The position of each category, per feature.
fn index_maps<T: Ord + Clone>(categories: &[Vec<T>]) -> Vec<BTreeMap<T, usize>> {
    categories
        .iter()
        .map(|cats| {
            cats.iter()
                .cloned()
                .enumerate()
                .map(|(i, c)| (c, i))
                .collect()
        })
        .collect()
}

/// The codes of `rows` (`None` for an unknown value); with `error_on_unknown`, `Err` listing the
/// unknown values of the first column that has some.
fn encode_rows<T: Ord + Debug, R: AsRef<[T]>>(
    op: &'static str,
    estimator: &str,
    rows: &[R],
    maps: &[BTreeMap<T, usize>],
    error_on_unknown: bool,
) -> Result<Vec<Vec<Option<usize>>>> {
    let width = row_width(op, rows)?;
    if !rows.is_empty() {
        check_width(op, estimator, maps.len(), width)?;
    }
    let codes: Vec<Vec<Option<usize>>> = rows
        .iter()
        .map(|r| {
            r.as_ref()
                .iter()
                .zip(maps)
                .map(|(v, m)| m.get(v).copied())
                .collect()
        })
        .collect();
    if error_on_unknown {
        for j in 0..maps.len() {
            let unknown: BTreeSet<&T> = rows
                .iter()
                .zip(&codes)
                .filter(|(_, c)| c[j].is_none())
                .map(|(r, _)| &r.as_ref()[j])
                .collect();
            if !unknown.is_empty() {
                return Err(Error::input(
                    op,
                    format!("found unknown categories {unknown:?} in column {j} during transform"),
                ));
            }
        }
    }
    Ok(codes)
}

/// What [`OneHotEncoder::transform`] does with a category it did not see in `fit`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OneHotUnknown {
    /// Return an error naming the unknown categories (scikit-learn's default).
    #[default]
    Error,
    /// Encode the feature as all zeros; `inverse_transform` gives `None` for it.
    Ignore,
}

/// Which category of each feature a [`OneHotEncoder`] drops, to avoid collinear columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OneHotDrop {
    /// Drop the first category of every feature.
    First,
    /// Drop the first category of features with exactly two categories.
    IfBinary,
}

/// Encodes categorical features as one-hot columns: scikit-learn's `OneHotEncoder` (with dense
/// output, `sparse_output=False`).
///
/// Each feature becomes one 0/1 column per category, in the order of `categories_` (sorted),
/// features one after another.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::preprocessing::{OneHotEncoder, OneHotUnknown};
///
/// let train = [["red", "S"], ["green", "M"], ["red", "L"]];
/// let mut enc = OneHotEncoder::new().handle_unknown(OneHotUnknown::Ignore);
/// enc.fit(&train).unwrap();
/// assert_eq!(enc.categories_().unwrap()[1], ["L", "M", "S"]);
/// let x: Tensor<(usize, usize), f32, Cpu> = enc.transform(&[["blue", "M"]]).unwrap();
/// assert_eq!(x.to_vec(), [0.0, 0.0, 0.0, 1.0, 0.0]); // an unknown colour: all zeros
/// assert_eq!(enc.get_feature_names_out(None).unwrap()[0], "x0_green");
/// assert_eq!(enc.inverse_transform(&x).unwrap(), [[None, Some("M")]]);
/// ```
#[derive(Clone, Debug)]
pub struct OneHotEncoder<T> {
    categories: Option<Vec<Vec<T>>>,
    drop: Option<OneHotDrop>,
    handle_unknown: OneHotUnknown,
    fitted: Option<OneHotFit<T>>,
}

#[derive(Clone, Debug)]
struct OneHotFit<T> {
    categories: Vec<Vec<T>>,
    maps: Vec<BTreeMap<T, usize>>,
    drop_idx: Vec<Option<usize>>,
}

impl<T> OneHotFit<T> {
    /// The number of output columns of feature `j`.
    fn width(&self, j: usize) -> usize {
        self.categories[j].len() - usize::from(self.drop_idx[j].is_some())
    }
}

impl<T: Ord + Clone + Debug> Default for OneHotEncoder<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Ord + Clone + Debug> OneHotEncoder<T> {
    /// An encoder with scikit-learn's defaults: categories found in the data, no drop,
    /// `handle_unknown = Error`.
    pub fn new() -> Self {
        OneHotEncoder {
            categories: None,
            drop: None,
            handle_unknown: OneHotUnknown::Error,
            fitted: None,
        }
    }

    /// Fixed categories per feature (kept in the given order) instead of those found by `fit`.
    pub fn categories(mut self, categories: Vec<Vec<T>>) -> Self {
        self.categories = Some(categories);
        self
    }

    /// Drops a category per feature (default: none).
    pub fn drop(mut self, drop: Option<OneHotDrop>) -> Self {
        self.drop = drop;
        self
    }

    /// What to do with categories not seen in `fit` (default [`OneHotUnknown::Error`]).
    pub fn handle_unknown(mut self, handle_unknown: OneHotUnknown) -> Self {
        self.handle_unknown = handle_unknown;
        self
    }

    /// Learns the categories of each feature of `rows`.
    pub fn fit<R: AsRef<[T]>>(&mut self, rows: &[R]) -> Result<&mut Self> {
        let check = self.handle_unknown == OneHotUnknown::Error;
        let categories =
            fit_categories("OneHotEncoder::fit", rows, self.categories.as_ref(), check)?;
        let drop_idx = categories
            .iter()
            .map(|cats| match self.drop {
                Some(OneHotDrop::First) => Some(0),
                Some(OneHotDrop::IfBinary) if cats.len() == 2 => Some(0),
                _ => None,
            })
            .collect();
        self.fitted = Some(OneHotFit {
            maps: index_maps(&categories),
            categories,
            drop_idx,
        });
        Ok(self)
    }

    /// The one-hot encoding of `rows`: a `(rows, sum of category counts)` matrix of 0s and 1s.
    pub fn transform<E: Dtype, R: AsRef<[T]>>(
        &self,
        rows: &[R],
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "OneHotEncoder::transform";
        let fit = fitted(self.fitted.as_ref(), OP, "OneHotEncoder")?;
        let error = self.handle_unknown == OneHotUnknown::Error;
        let codes = encode_rows(OP, "OneHotEncoder", rows, &fit.maps, error)?;
        let widths: Vec<usize> = (0..fit.categories.len()).map(|j| fit.width(j)).collect();
        let total: usize = widths.iter().sum();
        let mut out = vec![0.0; rows.len() * total];
        for (i, row) in codes.iter().enumerate() {
            let mut offset = i * total;
            for (j, code) in row.iter().enumerate() {
                let column = match (*code, fit.drop_idx[j]) {
                    (Some(c), Some(d)) if c == d => None,
                    (Some(c), Some(d)) if c > d => Some(c - 1),
                    (c, _) => c,
                };
                if let Some(c) = column {
                    out[offset + c] = 1.0;
                }
                offset += widths[j];
            }
        }
        dyn_matrix(rows.len(), total, out)
    }

    /// [`fit`](Self::fit) then [`transform`](Self::transform).
    pub fn fit_transform<E: Dtype, R: AsRef<[T]>>(
        &mut self,
        rows: &[R],
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        self.fit(rows)?.transform(rows)
    }

    /// The categories back from one-hot rows (the largest entry of each feature's block wins).
    /// An all-zero block is the dropped category if there is one, `None` with
    /// [`OneHotUnknown::Ignore`], and an error otherwise.
    pub fn inverse_transform<E: Dtype>(
        &self,
        x: &Tensor<(usize, usize), E, Cpu>,
    ) -> Result<Vec<Vec<Option<T>>>> {
        const OP: &str = "OneHotEncoder::inverse_transform";
        let fit = fitted(self.fitted.as_ref(), OP, "OneHotEncoder")?;
        let [rows, cols] = x.dims();
        let total: usize = (0..fit.categories.len()).map(|j| fit.width(j)).sum();
        if cols != total {
            return Err(Error::input(
                OP,
                format!("shape of the passed X data is not correct: expected {total} columns, got {cols}"),
            ));
        }
        let data: Vec<f64> = x.to_vec().into_iter().map(Dtype::as_f64).collect();
        let mut out = Vec::with_capacity(rows);
        for i in 0..rows {
            let mut offset = i * cols;
            let mut row = Vec::with_capacity(fit.categories.len());
            for (j, cats) in fit.categories.iter().enumerate() {
                let width = fit.width(j);
                let block = &data[offset..offset + width];
                offset += width;
                let dropped = fit.drop_idx[j].map(|d| cats[d].clone());
                if block.iter().sum::<f64>() == 0.0 {
                    match (dropped, self.handle_unknown) {
                        (Some(c), _) => row.push(Some(c)),
                        (None, OneHotUnknown::Ignore) => row.push(None),
                        (None, OneHotUnknown::Error) => {
                            return Err(Error::input(
                                OP,
                                format!("sample {i} can not be inverted when drop=None and handle_unknown=Error because feature {j} is all zeros"),
                            ))
                        }
                    }
                    continue;
                }
                // numpy's argmax: the first largest entry.
                let mut best = 0;
                for (k, v) in block.iter().enumerate() {
                    if *v > block[best] {
                        best = k;
                    }
                }
                let code = match fit.drop_idx[j] {
                    Some(d) if best >= d => best + 1,
                    _ => best,
                };
                row.push(Some(cats[code].clone()));
            }
            out.push(row);
        }
        Ok(out)
    }

    /// The categories of each feature, in column order.
    pub fn categories_(&self) -> Option<&[Vec<T>]> {
        self.fitted.as_ref().map(|f| f.categories.as_slice())
    }

    /// The index in `categories_` of the dropped category of each feature (`None`: none).
    pub fn drop_idx_(&self) -> Option<&[Option<usize>]> {
        self.fitted.as_ref().map(|f| f.drop_idx.as_slice())
    }

    /// The number of features seen by `fit`.
    pub fn n_features_in_(&self) -> Option<usize> {
        self.fitted.as_ref().map(|f| f.categories.len())
    }
}

impl<T: Ord + Clone + Debug + Display> OneHotEncoder<T> {
    /// The output columns' names, `"{feature}_{category}"`, with features named by
    /// `input_features` (default `x0, x1, ...`).
    pub fn get_feature_names_out(&self, input_features: Option<&[&str]>) -> Result<Vec<String>> {
        const OP: &str = "OneHotEncoder::get_feature_names_out";
        let fit = fitted(self.fitted.as_ref(), OP, "OneHotEncoder")?;
        let names = input_names(OP, fit.categories.len(), input_features)?;
        let mut out = Vec::new();
        for (j, cats) in fit.categories.iter().enumerate() {
            for (k, c) in cats.iter().enumerate() {
                if fit.drop_idx[j] != Some(k) {
                    out.push(format!("{}_{c}", names[j]));
                }
            }
        }
        Ok(out)
    }
}

/// What [`OrdinalEncoder::transform`] does with a category it did not see in `fit`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum OrdinalUnknown {
    /// Return an error naming the unknown categories (scikit-learn's default).
    #[default]
    Error,
    /// scikit-learn's `handle_unknown='use_encoded_value'` with this `unknown_value`: an integer
    /// that is not a code of any feature (such as -1), or NaN.
    UseEncodedValue(f64),
}

impl OrdinalUnknown {
    /// The code of an unknown category; `None` when unknown categories are an error.
    fn unknown_value(self) -> Option<f64> {
        match self {
            OrdinalUnknown::Error => None,
            OrdinalUnknown::UseEncodedValue(v) => Some(v),
        }
    }
}

/// Encodes each categorical feature as the index of its category: scikit-learn's
/// `OrdinalEncoder`. Codes are floats (`0.0, 1.0, ...`), as scikit-learn's default `dtype` is.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::preprocessing::{OrdinalEncoder, OrdinalUnknown};
///
/// let mut enc = OrdinalEncoder::new().handle_unknown(OrdinalUnknown::UseEncodedValue(-1.0));
/// enc.fit(&[vec![3i64, 10], vec![1, 20], vec![2, 10]]).unwrap();
/// let x: Tensor<(usize, usize), f64, Cpu> = enc.transform(&[vec![2i64, 30]]).unwrap();
/// assert_eq!(x.to_vec(), [1.0, -1.0]);
/// assert_eq!(enc.inverse_transform(&x).unwrap(), [[Some(2), None]]);
/// ```
#[derive(Clone, Debug)]
pub struct OrdinalEncoder<T> {
    categories: Option<Vec<Vec<T>>>,
    handle_unknown: OrdinalUnknown,
    fitted: Option<OrdinalFit<T>>,
}

/// The categories of each feature and their positions.
type OrdinalFit<T> = (Vec<Vec<T>>, Vec<BTreeMap<T, usize>>);

impl<T: Ord + Clone + Debug> Default for OrdinalEncoder<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Ord + Clone + Debug> OrdinalEncoder<T> {
    /// An encoder with scikit-learn's defaults: categories found in the data,
    /// `handle_unknown = Error`.
    pub fn new() -> Self {
        OrdinalEncoder {
            categories: None,
            handle_unknown: OrdinalUnknown::Error,
            fitted: None,
        }
    }

    /// Fixed categories per feature (kept in the given order) instead of those found by `fit`.
    pub fn categories(mut self, categories: Vec<Vec<T>>) -> Self {
        self.categories = Some(categories);
        self
    }

    /// What to do with categories not seen in `fit` (default [`OrdinalUnknown::Error`]).
    pub fn handle_unknown(mut self, handle_unknown: OrdinalUnknown) -> Self {
        self.handle_unknown = handle_unknown;
        self
    }

    /// Learns the categories of each feature of `rows`.
    pub fn fit<R: AsRef<[T]>>(&mut self, rows: &[R]) -> Result<&mut Self> {
        const OP: &str = "OrdinalEncoder::fit";
        let check = self.handle_unknown == OrdinalUnknown::Error;
        let categories = fit_categories(OP, rows, self.categories.as_ref(), check)?;
        if let OrdinalUnknown::UseEncodedValue(v) = self.handle_unknown {
            if !v.is_nan() && v.fract() != 0.0 {
                return Err(Error::input(
                    OP,
                    format!("unknown_value should be an integer or NaN, got {v}"),
                ));
            }
            if v >= 0.0 && categories.iter().any(|c| v < c.len() as f64) {
                return Err(Error::input(
                    OP,
                    format!("the used value for unknown_value {v} is one of the values already used for encoding the seen categories"),
                ));
            }
        }
        let maps = index_maps(&categories);
        self.fitted = Some((categories, maps));
        Ok(self)
    }

    /// The codes of `rows`: a `(rows, features)` matrix.
    pub fn transform<E: Dtype, R: AsRef<[T]>>(
        &self,
        rows: &[R],
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "OrdinalEncoder::transform";
        let (categories, maps) = fitted(self.fitted.as_ref(), OP, "OrdinalEncoder")?;
        let unknown = self.handle_unknown.unknown_value();
        let codes = encode_rows(OP, "OrdinalEncoder", rows, maps, unknown.is_none())?;
        let data = codes
            .iter()
            .flatten()
            .map(|c| c.map_or(unknown.unwrap_or(f64::NAN), |c| c as f64))
            .collect();
        dyn_matrix(rows.len(), categories.len(), data)
    }

    /// [`fit`](Self::fit) then [`transform`](Self::transform).
    pub fn fit_transform<E: Dtype, R: AsRef<[T]>>(
        &mut self,
        rows: &[R],
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        self.fit(rows)?.transform(rows)
    }

    /// The categories back from codes; the `unknown_value` gives `None`, any other value that
    /// is not a code is an error.
    pub fn inverse_transform<E: Dtype>(
        &self,
        x: &Tensor<(usize, usize), E, Cpu>,
    ) -> Result<Vec<Vec<Option<T>>>> {
        const OP: &str = "OrdinalEncoder::inverse_transform";
        let (categories, _) = fitted(self.fitted.as_ref(), OP, "OrdinalEncoder")?;
        let [_, cols] = x.dims();
        check_width(OP, "OrdinalEncoder", categories.len(), cols)?;
        let unknown = self.handle_unknown.unknown_value();
        let is_unknown = |v: f64| unknown.is_some_and(|u| u == v || (u.is_nan() && v.is_nan()));
        let data: Vec<f64> = x.to_vec().into_iter().map(Dtype::as_f64).collect();
        data.chunks(cols.max(1))
            .take(x.dims()[0])
            .enumerate()
            .map(|(i, row)| {
                row.iter()
                    .zip(categories)
                    .enumerate()
                    .map(|(j, (&v, cats))| {
                        if is_unknown(v) {
                            return Ok(None);
                        }
                        if v >= 0.0 && v.fract() == 0.0 && (v as usize) < cats.len() {
                            Ok(Some(cats[v as usize].clone()))
                        } else {
                            Err(Error::input(
                                OP,
                                format!(
                                    "row {i}, column {j}: {v} is not a code of the {} categories",
                                    cats.len()
                                ),
                            ))
                        }
                    })
                    .collect()
            })
            .collect()
    }

    /// The categories of each feature; a value's code is its index here.
    pub fn categories_(&self) -> Option<&[Vec<T>]> {
        self.fitted.as_ref().map(|f| f.0.as_slice())
    }

    /// The number of features seen by `fit`.
    pub fn n_features_in_(&self) -> Option<usize> {
        self.fitted.as_ref().map(|f| f.0.len())
    }

    /// The output columns' names: the input features' names (default `x0, x1, ...`).
    pub fn get_feature_names_out(&self, input_features: Option<&[&str]>) -> Result<Vec<String>> {
        const OP: &str = "OrdinalEncoder::get_feature_names_out";
        let (categories, _) = fitted(self.fitted.as_ref(), OP, "OrdinalEncoder")?;
        input_names(OP, categories.len(), input_features)
    }
}

/// Encodes target labels as `0..n_classes`: scikit-learn's `LabelEncoder`. `classes_` are the
/// distinct labels sorted; a label's code is its index there.
///
/// ```
/// use gf_learn::preprocessing::LabelEncoder;
///
/// let mut enc = LabelEncoder::new();
/// let y = enc.fit_transform(&["paris", "tokyo", "paris", "amsterdam"]).unwrap();
/// assert_eq!(enc.classes_().unwrap(), ["amsterdam", "paris", "tokyo"]);
/// assert_eq!(y, [1, 2, 1, 0]);
/// assert_eq!(enc.inverse_transform(&[2, 0]).unwrap(), ["tokyo", "amsterdam"]);
/// assert!(enc.transform(&["rome"]).unwrap_err().to_string().contains("\"rome\""));
/// ```
#[derive(Clone, Debug)]
pub struct LabelEncoder<T> {
    classes: Option<Vec<T>>,
    map: BTreeMap<T, usize>,
}

impl<T: Ord + Clone + Debug> Default for LabelEncoder<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Ord + Clone + Debug> LabelEncoder<T> {
    /// An unfitted encoder.
    pub fn new() -> Self {
        LabelEncoder {
            classes: None,
            map: BTreeMap::new(),
        }
    }

    /// Learns the sorted distinct labels of `y`.
    pub fn fit(&mut self, y: &[T]) -> Result<&mut Self> {
        let set: BTreeSet<&T> = y.iter().collect();
        let classes: Vec<T> = set.into_iter().cloned().collect();
        self.map = classes
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, c)| (c, i))
            .collect();
        self.classes = Some(classes);
        Ok(self)
    }

    /// The code of each label; `Err` naming the labels not seen by `fit`.
    pub fn transform(&self, y: &[T]) -> Result<Vec<usize>> {
        const OP: &str = "LabelEncoder::transform";
        fitted(self.classes.as_ref(), OP, "LabelEncoder")?;
        let codes: Vec<Option<usize>> = y.iter().map(|v| self.map.get(v).copied()).collect();
        if codes.iter().any(Option::is_none) {
            let unseen: BTreeSet<&T> = y.iter().filter(|v| !self.map.contains_key(v)).collect();
            return Err(Error::input(
                OP,
                format!("y contains previously unseen labels: {unseen:?}"),
            ));
        }
        Ok(codes.into_iter().flatten().collect())
    }

    /// [`transform`](Self::transform) as a tensor, ready to be a classification target.
    pub fn transform_tensor(&self, y: &[T]) -> Result<Tensor<(usize,), usize, Cpu>> {
        let codes = self.transform(y)?;
        let n = codes.len();
        Ok(Cpu::default().try_tensor_from_vec(codes, (n,))?)
    }

    /// [`fit`](Self::fit) then [`transform`](Self::transform).
    pub fn fit_transform(&mut self, y: &[T]) -> Result<Vec<usize>> {
        self.fit(y)?.transform(y)
    }

    /// The labels of `codes`; `Err` naming the codes that are not below `classes_().len()`.
    pub fn inverse_transform(&self, codes: &[usize]) -> Result<Vec<T>> {
        const OP: &str = "LabelEncoder::inverse_transform";
        let classes = fitted(self.classes.as_ref(), OP, "LabelEncoder")?;
        let unseen: BTreeSet<usize> = codes
            .iter()
            .copied()
            .filter(|&c| c >= classes.len())
            .collect();
        if !unseen.is_empty() {
            return Err(Error::input(
                OP,
                format!("y contains previously unseen labels: {unseen:?}"),
            ));
        }
        Ok(codes.iter().map(|&c| classes[c].clone()).collect())
    }

    /// The distinct labels, sorted.
    pub fn classes_(&self) -> Option<&[T]> {
        self.classes.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hot_drop_first_and_if_binary() {
        let rows = [["a", "x"], ["b", "y"], ["c", "x"]];
        let mut first = OneHotEncoder::new().drop(Some(OneHotDrop::First));
        let x: Tensor<(usize, usize), f64, Cpu> = first.fit_transform(&rows).unwrap();
        assert_eq!(x.dims(), [3, 3]);
        assert_eq!(x.to_vec(), [0., 0., 0., 1., 0., 1., 0., 1., 0.]);
        assert_eq!(
            first.get_feature_names_out(None).unwrap(),
            ["x0_b", "x0_c", "x1_y"]
        );
        let back = first.inverse_transform(&x).unwrap();
        assert_eq!(back[0], [Some("a"), Some("x")]);
        let mut binary = OneHotEncoder::new().drop(Some(OneHotDrop::IfBinary));
        let x: Tensor<(usize, usize), f32, Cpu> = binary.fit_transform(&rows).unwrap();
        assert_eq!(x.dims(), [3, 4]);
        assert_eq!(binary.drop_idx_().unwrap(), [None, Some(0)]);
    }

    #[test]
    fn unknowns_ragged_rows_and_unfitted_are_errors() {
        let mut enc = OneHotEncoder::new();
        enc.fit(&[vec![1i64], vec![2]]).unwrap();
        let err = enc.transform::<f64, _>(&[vec![3i64], vec![4]]).unwrap_err();
        assert!(err.to_string().contains("{3, 4} in column 0"), "{err}");
        assert!(enc.transform::<f64, _>(&[vec![1i64, 2]]).is_err());
        assert!(OneHotEncoder::<i64>::new()
            .fit(&[vec![1], vec![1, 2]])
            .is_err());
        assert!(OrdinalEncoder::<i64>::new()
            .transform::<f64, _>(&[vec![1]])
            .is_err());
        let used = OrdinalEncoder::new().handle_unknown(OrdinalUnknown::UseEncodedValue(1.0));
        assert!(used.clone().fit(&[vec![1i64], vec![2]]).is_err());
        let nan = OrdinalEncoder::new().handle_unknown(OrdinalUnknown::UseEncodedValue(f64::NAN));
        let mut nan = nan;
        nan.fit(&[vec!["a"]]).unwrap();
        let x: Tensor<(usize, usize), f64, Cpu> = nan.transform(&[vec!["b"]]).unwrap();
        assert!(x.to_vec()[0].is_nan());
        assert_eq!(nan.inverse_transform(&x).unwrap(), [[None]]);
    }

    #[test]
    fn label_encoder_round_trips_and_names_unseen_codes() {
        let mut enc = LabelEncoder::new();
        let y = enc.fit_transform(&[5i64, -1, 5, 3]).unwrap();
        assert_eq!(y, [2, 0, 2, 1]);
        assert_eq!(enc.transform_tensor(&[3, 5]).unwrap().to_vec(), [1, 2]);
        assert!(enc
            .inverse_transform(&[7])
            .unwrap_err()
            .to_string()
            .contains("{7}"));
        assert!(LabelEncoder::<i64>::new().transform(&[1]).is_err());
    }
}
