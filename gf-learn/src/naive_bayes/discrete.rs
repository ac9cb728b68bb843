//! Naive Bayes for discrete features: multinomial (counts) and Bernoulli (binary features),
//! sharing their counting, smoothing checks and incremental `partial_fit`.

use gf_core::shape::Dim;
use gf_core::Dtype;

use super::{labels_from_jll, proba_from_jll};
use crate::error::{Error, Result};
use crate::traits::{Classifier, Features, PredictProba, Scores, Target};
use crate::validation::{
    check_lengths, check_param, check_x, check_x_width, dot, fitted, label_vector, Matrix,
};

/// Per-class sample counts and per-class feature sums, which `fit` and `partial_fit` grow.
#[derive(Clone, Debug)]
struct Counts {
    classes: Vec<usize>,
    class_count: Vec<f64>,
    feature_count: Matrix,
}

/// The hyper-parameters and state both discrete models share.
#[derive(Clone, Debug)]
struct Discrete {
    alpha: f64,
    fit_prior: bool,
    counts: Option<Counts>,
}

impl Discrete {
    fn new() -> Self {
        Discrete {
            alpha: 1.0,
            fit_prior: true,
            counts: None,
        }
    }

    /// Adds the samples `x` (already binarised if need be) of labels `y` to the counts, which
    /// start empty over `classes` when `reset` or when there are none yet.
    fn accumulate(
        &mut self,
        name: &'static str,
        op: &'static str,
        x: &Matrix,
        y: &[usize],
        classes: Option<&[usize]>,
    ) -> Result<()> {
        check_param(name, "alpha", self.alpha, "a float in [0, inf)", |a| {
            a >= 0.0 && a.is_finite()
        })?;
        check_lengths(op, x.rows, y.len())?;
        if let Some((k, j)) = x
            .data
            .iter()
            .position(|&v| v < 0.0)
            .map(|k| (k / x.cols, k % x.cols))
        {
            return Err(Error::input(
                op,
                format!("negative values in data passed to {name} (row {k}, column {j})"),
            ));
        }
        if self.counts.is_none() {
            let mut classes = match classes {
                Some(c) => c.to_vec(),
                None => y.to_vec(),
            };
            classes.sort_unstable();
            classes.dedup();
            self.counts = Some(Counts {
                class_count: vec![0.0; classes.len()],
                feature_count: Matrix::zeros(classes.len(), x.cols),
                classes,
            });
        }
        let counts = self.counts.as_mut().expect("set above");
        if counts.feature_count.cols != x.cols {
            return Err(Error::input(
                op,
                format!(
                    "X has {} features, but {name} is expecting {} features as input",
                    x.cols, counts.feature_count.cols
                ),
            ));
        }
        for (i, label) in y.iter().enumerate() {
            let c = counts.classes.binary_search(label).map_err(|_| {
                Error::input(
                    op,
                    format!(
                        "label {label} is not in the classes {:?} given to the first call",
                        counts.classes
                    ),
                )
            })?;
            counts.class_count[c] += 1.0;
            counts
                .feature_count
                .row_mut(c)
                .iter_mut()
                .zip(x.row(i))
                .for_each(|(f, v)| *f += v);
        }
        Ok(())
    }

    /// scikit-learn's `class_log_prior_`: the log class frequencies, or uniform.
    fn class_log_prior(&self, c: &Counts) -> Vec<f64> {
        let k = c.classes.len() as f64;
        if self.fit_prior {
            let total: f64 = c.class_count.iter().sum();
            c.class_count.iter().map(|n| n.ln() - total.ln()).collect()
        } else {
            vec![-k.ln(); c.classes.len()]
        }
    }
}

/// The classifier methods of a discrete model, from its joint log-likelihood.
macro_rules! discrete_classifier {
    ($ty:ident, $name:literal) => {
        impl Default for $ty {
            fn default() -> Self {
                Self::new()
            }
        }

        impl $ty {
            /// The additive (Laplace / Lidstone) smoothing, in `[0, inf)`; default 1.0.
            pub fn alpha(mut self, alpha: f64) -> Self {
                self.inner.alpha = alpha;
                self
            }

            /// Whether to learn the class priors (otherwise uniform); default true.
            pub fn fit_prior(mut self, fit_prior: bool) -> Self {
                self.inner.fit_prior = fit_prior;
                self
            }

            /// The number of training samples of each class; `None` before `fit`.
            pub fn class_count_(&self) -> Option<&[f64]> {
                self.inner.counts.as_ref().map(|c| c.class_count.as_slice())
            }

            /// The summed feature values of each class, `(n_classes, n_features)` row-major;
            /// `None` before `fit`.
            pub fn feature_count_(&self) -> Option<&[f64]> {
                self.inner
                    .counts
                    .as_ref()
                    .map(|c| c.feature_count.data.as_slice())
            }

            /// The log prior of each class; `None` before `fit`.
            pub fn class_log_prior_(&self) -> Option<Vec<f64>> {
                self.inner
                    .counts
                    .as_ref()
                    .map(|c| self.inner.class_log_prior(c))
            }

            /// The smoothed log probability of each feature given each class,
            /// `(n_classes, n_features)` row-major; `None` before `fit`.
            pub fn feature_log_prob_(&self) -> Option<Vec<f64>> {
                self.inner
                    .counts
                    .as_ref()
                    .map(|c| Self::feature_log_prob(self.inner.alpha, c).data)
            }

            /// Adds a batch to what the model has learnt (scikit-learn's `partial_fit`).
            /// The first call fixes the classes: all of them, through `classes`, or those of
            /// its `y` when `None`.
            pub fn partial_fit<F: Dim, E: Dtype>(
                &mut self,
                x: &Features<F, E>,
                y: &Target<usize>,
                classes: Option<&[usize]>,
            ) -> Result<&mut Self> {
                const OP: &str = concat!($name, "::partial_fit");
                let x = self.prepare(check_x(OP, x)?);
                self.inner
                    .accumulate($name, OP, &x, &y.try_to_vec()?, classes)?;
                Ok(self)
            }

            fn jll_of<F: Dim, E: Dtype>(
                &self,
                op: &'static str,
                x: &Features<F, E>,
            ) -> Result<(Matrix, &[usize])> {
                let c = fitted(&self.inner.counts, $name, op)?;
                let x = self.prepare(check_x_width(op, $name, x, c.feature_count.cols)?);
                Ok((self.jll(c, &x), &c.classes))
            }
        }

        impl Classifier for $ty {
            fn fit<F: Dim, E: Dtype>(
                &mut self,
                x: &Features<F, E>,
                y: &Target<usize>,
            ) -> Result<&mut Self> {
                self.inner.counts = None;
                self.partial_fit(x, y, None)
            }

            fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
                let (jll, classes) = self.jll_of(concat!($name, "::predict"), x)?;
                label_vector(labels_from_jll(&jll, classes))
            }

            fn classes_(&self) -> Option<&[usize]> {
                self.inner.counts.as_ref().map(|c| c.classes.as_slice())
            }
        }

        impl PredictProba for $ty {
            fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
                let (jll, _) = self.jll_of(concat!($name, "::predict_proba"), x)?;
                proba_from_jll(&jll).to_tensor()
            }
        }
    };
}

discrete_classifier!(MultinomialNB, "MultinomialNB");
discrete_classifier!(BernoulliNB, "BernoulliNB");

/// `X · Wᵀ + b` for a `(k, d)` matrix `W` and `k` offsets `b`.
fn scores(x: &Matrix, w: &Matrix, b: &[f64]) -> Matrix {
    let k = w.rows;
    let mut out = Matrix::zeros(x.rows, k);
    for i in 0..x.rows {
        for (c, bc) in b.iter().enumerate() {
            out.data[i * k + c] = dot(x.row(i), w.row(c)) + bc;
        }
    }
    out
}

/// Naive Bayes for counts (word counts, for example), as scikit-learn's `MultinomialNB`:
/// `P(feature j | c) ∝ count(j, c) + alpha`. Features must be non-negative.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::naive_bayes::MultinomialNB;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![3.0, 0.0, 2.0, 1.0, 0.0, 4.0, 1.0, 3.0], (4, 2));
/// let y = dev.tensor_from_vec(vec![0usize, 0, 1, 1], (4,));
/// let mut nb = MultinomialNB::new();
/// assert_eq!(nb.fit(&x, &y)?.predict(&x)?.to_vec(), vec![0, 0, 1, 1]);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct MultinomialNB {
    inner: Discrete,
}

impl MultinomialNB {
    /// scikit-learn's defaults: `alpha = 1.0`, `fit_prior = true`.
    pub fn new() -> Self {
        MultinomialNB {
            inner: Discrete::new(),
        }
    }

    fn prepare(&self, x: Matrix) -> Matrix {
        x
    }

    fn feature_log_prob(alpha: f64, c: &Counts) -> Matrix {
        let mut out = c.feature_count.clone();
        for r in 0..out.rows {
            let row = out.row_mut(r);
            let total: f64 = row.iter().map(|v| v + alpha).sum();
            row.iter_mut()
                .for_each(|v| *v = (*v + alpha).ln() - total.ln());
        }
        out
    }

    fn jll(&self, c: &Counts, x: &Matrix) -> Matrix {
        let flp = Self::feature_log_prob(self.inner.alpha, c);
        scores(x, &flp, &self.inner.class_log_prior(c))
    }
}

/// Naive Bayes for binary features, as scikit-learn's `BernoulliNB`: features are first
/// binarised (`x > binarize`), then `P(feature j | c) = (count(j, c) + alpha) /
/// (count(c) + 2 alpha)`, and an absent feature counts as evidence too.
#[derive(Clone, Debug)]
pub struct BernoulliNB {
    inner: Discrete,
    binarize: Option<f64>,
}

impl BernoulliNB {
    /// scikit-learn's defaults: `alpha = 1.0`, `binarize = Some(0.0)`, `fit_prior = true`.
    pub fn new() -> Self {
        BernoulliNB {
            inner: Discrete::new(),
            binarize: Some(0.0),
        }
    }

    /// The threshold above which a feature counts as present, or `None` when the data are
    /// already binary; default `Some(0.0)`.
    pub fn binarize(mut self, binarize: Option<f64>) -> Self {
        self.binarize = binarize;
        self
    }

    fn prepare(&self, mut x: Matrix) -> Matrix {
        if let Some(t) = self.binarize {
            x.data
                .iter_mut()
                .for_each(|v| *v = f64::from(u8::from(*v > t)));
        }
        x
    }

    fn feature_log_prob(alpha: f64, c: &Counts) -> Matrix {
        let mut out = c.feature_count.clone();
        for r in 0..out.rows {
            let den = (c.class_count[r] + 2.0 * alpha).ln();
            out.row_mut(r)
                .iter_mut()
                .for_each(|v| *v = (*v + alpha).ln() - den);
        }
        out
    }

    fn jll(&self, c: &Counts, x: &Matrix) -> Matrix {
        let flp = Self::feature_log_prob(self.inner.alpha, c);
        let mut w = flp.clone();
        let mut offset = self.inner.class_log_prior(c);
        for (r, off) in offset.iter_mut().enumerate() {
            for (wj, &fj) in w.row_mut(r).iter_mut().zip(flp.row(r)) {
                let neg = (-fj.exp()).ln_1p();
                *wj = fj - neg;
                *off += neg;
            }
        }
        scores(x, &w, &offset)
    }
}
