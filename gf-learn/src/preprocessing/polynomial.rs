//! Polynomial and interaction features: [`PolynomialFeatures`].

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use super::{check_width, dyn_matrix, fitted, input_names, Matrix};
use crate::error::{Error, Result};

/// Generates every product of the features up to a degree: scikit-learn's `PolynomialFeatures`.
///
/// With features `[a, b]` and degree 2 the output is `[1, a, b, a^2, a b, b^2]`: the bias, then
/// the terms of each degree in `itertools.combinations_with_replacement` order, as scikit-learn
/// orders them. `interaction_only` keeps only products of distinct features.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::preprocessing::PolynomialFeatures;
///
/// let x = Cpu::default().tensor_from_vec(vec![2.0f64, 3.0], (1usize, Const::<2>));
/// let mut poly = PolynomialFeatures::new();
/// assert_eq!(poly.fit_transform(&x).unwrap().to_vec(), [1.0, 2.0, 3.0, 4.0, 6.0, 9.0]);
/// assert_eq!(poly.get_feature_names_out(None).unwrap(), ["1", "x0", "x1", "x0^2", "x0 x1", "x1^2"]);
/// ```
#[derive(Clone, Debug)]
pub struct PolynomialFeatures {
    min_degree: usize,
    max_degree: usize,
    interaction_only: bool,
    include_bias: bool,
    fitted: Option<PolyFit>,
}

#[derive(Clone, Debug)]
struct PolyFit {
    n_features: usize,
    /// The feature indices multiplied into each output column (empty for the bias).
    terms: Vec<Vec<usize>>,
}

impl Default for PolynomialFeatures {
    fn default() -> Self {
        Self::new()
    }
}

impl PolynomialFeatures {
    /// scikit-learn's defaults: `degree = 2`, `interaction_only = false`, `include_bias = true`.
    pub fn new() -> Self {
        PolynomialFeatures {
            min_degree: 0,
            max_degree: 2,
            interaction_only: false,
            include_bias: true,
            fitted: None,
        }
    }

    /// The maximal degree (default 2): all terms of degree `0..=degree`.
    pub fn degree(mut self, degree: usize) -> Self {
        self.min_degree = 0;
        self.max_degree = degree;
        self
    }

    /// scikit-learn's `degree=(min_degree, max_degree)`: only terms of degree
    /// `min_degree..=max_degree` (plus the bias if `include_bias`).
    pub fn degree_range(mut self, min_degree: usize, max_degree: usize) -> Self {
        self.min_degree = min_degree;
        self.max_degree = max_degree;
        self
    }

    /// Whether to keep only products of distinct features (`a b`, not `a^2`); default `false`.
    pub fn interaction_only(mut self, interaction_only: bool) -> Self {
        self.interaction_only = interaction_only;
        self
    }

    /// Whether to start with a column of ones (default `true`).
    pub fn include_bias(mut self, include_bias: bool) -> Self {
        self.include_bias = include_bias;
        self
    }

    /// Works out the output columns for the width of `x`.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Tensor<(usize, F), E, Cpu>) -> Result<&mut Self> {
        const OP: &str = "PolynomialFeatures::fit";
        if self.min_degree > self.max_degree {
            return Err(Error::input(
                OP,
                format!(
                    "degree=(min_degree, max_degree) must satisfy min_degree <= max_degree, got ({}, {})",
                    self.min_degree, self.max_degree
                ),
            ));
        }
        if self.max_degree == 0 && !self.include_bias {
            return Err(Error::input(
                OP,
                "setting degree to zero and include_bias to false would result in an empty output array",
            ));
        }
        let n = x.dims()[1];
        let mut terms = Vec::new();
        if self.include_bias {
            terms.push(Vec::new());
        }
        for degree in self.min_degree.max(1)..=self.max_degree {
            combinations(n, degree, !self.interaction_only, &mut terms);
        }
        if terms.is_empty() {
            return Err(Error::input(
                OP,
                format!(
                    "no output features for {n} input features with degree ({}, {}) and interaction_only = {}",
                    self.min_degree, self.max_degree, self.interaction_only
                ),
            ));
        }
        self.fitted = Some(PolyFit {
            n_features: n,
            terms,
        });
        Ok(self)
    }

    /// The polynomial features of `x`, one row per sample.
    pub fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Tensor<(usize, F), E, Cpu>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "PolynomialFeatures::transform";
        let fit = fitted(self.fitted.as_ref(), OP, "PolynomialFeatures")?;
        let m = Matrix::of(x);
        check_width(OP, "PolynomialFeatures", fit.n_features, m.cols)?;
        let mut out = Vec::with_capacity(m.rows * fit.terms.len());
        for i in 0..m.rows {
            let row = &m.data[i * m.cols..(i + 1) * m.cols];
            for term in &fit.terms {
                // scikit-learn builds a degree-d term as (its degree d-1 tail) * (its first
                // factor), so the product runs from the last factor to the first.
                let value = match term.split_last() {
                    None => 1.0,
                    Some((&last, rest)) => {
                        rest.iter().rev().fold(row[last], |acc, &k| acc * row[k])
                    }
                };
                out.push(value);
            }
        }
        dyn_matrix(m.rows, fit.terms.len(), out)
    }

    /// [`fit`](Self::fit) then [`transform`](Self::transform).
    pub fn fit_transform<F: Dim, E: Dtype>(
        &mut self,
        x: &Tensor<(usize, F), E, Cpu>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        self.fit(x)?.transform(x)
    }

    /// The number of output columns.
    pub fn n_output_features_(&self) -> Option<usize> {
        self.fitted.as_ref().map(|f| f.terms.len())
    }

    /// The number of features seen by `fit`.
    pub fn n_features_in_(&self) -> Option<usize> {
        self.fitted.as_ref().map(|f| f.n_features)
    }

    /// The exponent of each input feature in each output column: `powers_()[i][j]` is the power
    /// of feature `j` in column `i`.
    pub fn powers_(&self) -> Option<Vec<Vec<usize>>> {
        let fit = self.fitted.as_ref()?;
        Some(
            fit.terms
                .iter()
                .map(|term| {
                    let mut powers = vec![0; fit.n_features];
                    term.iter().for_each(|&k| powers[k] += 1);
                    powers
                })
                .collect(),
        )
    }

    /// The output columns' names, built from `input_features` (default `x0, x1, ...`):
    /// `"1"`, `"x0"`, `"x0^2"`, `"x0 x1"`, as scikit-learn names them.
    pub fn get_feature_names_out(&self, input_features: Option<&[&str]>) -> Result<Vec<String>> {
        const OP: &str = "PolynomialFeatures::get_feature_names_out";
        let powers = fitted(self.powers_(), OP, "PolynomialFeatures")?;
        let names = input_names(OP, self.n_features_in_().unwrap_or(0), input_features)?;
        Ok(powers
            .iter()
            .map(|row| {
                let parts: Vec<String> = row
                    .iter()
                    .enumerate()
                    .filter(|(_, &p)| p > 0)
                    .map(|(j, &p)| {
                        if p == 1 {
                            names[j].clone()
                        } else {
                            format!("{}^{p}", names[j])
                        }
                    })
                    .collect();
                if parts.is_empty() {
                    "1".to_string()
                } else {
                    parts.join(" ")
                }
            })
            .collect())
    }
}

/// Appends the `k`-combinations of `0..n` in lexicographic order, with or without repetition.
fn combinations(n: usize, k: usize, with_replacement: bool, out: &mut Vec<Vec<usize>>) {
    fn rec(
        n: usize,
        k: usize,
        start: usize,
        with_replacement: bool,
        current: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        if current.len() == k {
            out.push(current.clone());
            return;
        }
        for i in start..n {
            current.push(i);
            let next = if with_replacement { i } else { i + 1 };
            rec(n, k, next, with_replacement, current, out);
            current.pop();
        }
    }
    rec(n, k, 0, with_replacement, &mut Vec::with_capacity(k), out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use gf_core::ops::create::TensorCreate;

    #[test]
    fn combination_orders_match_itertools() {
        let mut out = Vec::new();
        combinations(3, 2, true, &mut out);
        assert_eq!(
            out,
            [
                vec![0, 0],
                vec![0, 1],
                vec![0, 2],
                vec![1, 1],
                vec![1, 2],
                vec![2, 2]
            ]
        );
        out.clear();
        combinations(3, 2, false, &mut out);
        assert_eq!(out, [vec![0, 1], vec![0, 2], vec![1, 2]]);
    }

    #[test]
    fn interaction_only_without_bias() {
        let x = Cpu::default().tensor_from_vec(vec![2.0f32, 3.0, 5.0], (1usize, 3usize));
        let mut p = PolynomialFeatures::new()
            .degree(3)
            .interaction_only(true)
            .include_bias(false);
        let y = p.fit_transform(&x).unwrap();
        assert_eq!(y.to_vec(), [2.0, 3.0, 5.0, 6.0, 10.0, 15.0, 30.0]);
        assert_eq!(
            p.get_feature_names_out(Some(&["a", "b", "c"])).unwrap()[6],
            "a b c"
        );
        assert!(PolynomialFeatures::new()
            .degree(0)
            .include_bias(false)
            .fit(&x)
            .is_err());
        assert!(p.get_feature_names_out(Some(&["a"])).is_err());
    }
}
