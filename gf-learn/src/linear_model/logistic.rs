//! Logistic regression with an L2 penalty, binary or multinomial, by L-BFGS.

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use super::lbfgs::{minimize, Objective, Options};
use super::ridge::LinearClassifierState;
use crate::error::{Error, Result};
use crate::traits::{Classifier, DecisionFunction, Features, PredictProba, Scores, Target};
use crate::validation::{
    check_param, check_x, check_x_width, check_y_class, fitted, label_vector, Labels, Matrix,
};

const NAME: &str = "LogisticRegression";

/// Weights of the classes in the loss (scikit-learn's `class_weight`).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum ClassWeight {
    /// Every sample weighs 1.
    #[default]
    None,
    /// `n_samples / (n_classes * count(class))`: rare classes weigh more.
    Balanced,
    /// `(label, weight)` pairs; labels not listed weigh 1.
    Custom(Vec<(usize, f64)>),
}

impl ClassWeight {
    /// The weight of each class of `labels` (in `classes` order); an invalid weight is an
    /// `Err` naming `estimator`.
    pub(crate) fn weights(&self, estimator: &'static str, labels: &Labels) -> Result<Vec<f64>> {
        let k = labels.classes.len();
        match self {
            ClassWeight::None => Ok(vec![1.0; k]),
            ClassWeight::Balanced => {
                let n = labels.codes.len() as f64;
                Ok(labels
                    .counts()
                    .iter()
                    .map(|&c| n / (k as f64 * c as f64))
                    .collect())
            }
            ClassWeight::Custom(pairs) => {
                let mut w = vec![1.0; k];
                for &(label, weight) in pairs {
                    if !(weight >= 0.0 && weight.is_finite()) {
                        return Err(Error::parameter(
                            estimator,
                            "class_weight",
                            "a map of labels to non-negative finite weights",
                            (label, weight),
                        ));
                    }
                    if let Ok(i) = labels.classes.binary_search(&label) {
                        w[i] = weight;
                    }
                }
                Ok(w)
            }
        }
    }
}

/// Logistic regression, as scikit-learn's `LogisticRegression` with its default `lbfgs`
/// solver and L2 penalty: minimises
///
/// ```text
/// 1 / S · Σᵢ sᵢ loss(xᵢ, yᵢ) + 1 / (2 C S) ||W||²     (S = Σᵢ sᵢ, sᵢ the class weight of yᵢ)
/// ```
///
/// with the logistic loss for two classes (one row of coefficients, for `classes_()[1]`) and
/// the multinomial (softmax) loss for more (one row per class). The intercept is not
/// penalised. L-BFGS stops as scipy's does under scikit-learn's settings: largest gradient
/// component at most `tol`, or a relative decrease of the objective below `64 eps`.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::linear_model::LogisticRegression;
/// use gf_learn::prelude::*;
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![-2.0, -1.0, -0.5, 0.5, 1.0, 2.0], (6, 1));
/// let y = dev.tensor_from_vec(vec![0usize, 0, 1, 0, 1, 1], (6,));
/// let mut clf = LogisticRegression::new();
/// clf.fit(&x, &y)?;
/// let p = clf.predict_proba(&x)?.to_vec();
/// assert!(p[0] > 0.5 && p[11] > 0.5); // P(0 | -2) and P(1 | 2)
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct LogisticRegression {
    c: f64,
    fit_intercept: bool,
    max_iter: usize,
    tol: f64,
    class_weight: ClassWeight,
    state: Option<(LinearClassifierState, usize)>,
}

impl Default for LogisticRegression {
    fn default() -> Self {
        Self::new()
    }
}

impl LogisticRegression {
    /// scikit-learn's defaults: `C = 1.0`, `fit_intercept = true`, `max_iter = 100`,
    /// `tol = 1e-4`, `class_weight = None`.
    pub fn new() -> Self {
        LogisticRegression {
            c: 1.0,
            fit_intercept: true,
            max_iter: 100,
            tol: 1e-4,
            class_weight: ClassWeight::None,
            state: None,
        }
    }

    /// The inverse of the regularisation strength (scikit-learn's `C`), in `(0, inf]`;
    /// default 1.0. `f64::INFINITY` fits without a penalty.
    pub fn c(mut self, c: f64) -> Self {
        self.c = c;
        self
    }

    /// Whether to fit an intercept; default true.
    pub fn fit_intercept(mut self, fit_intercept: bool) -> Self {
        self.fit_intercept = fit_intercept;
        self
    }

    /// The most L-BFGS iterations, at least 1; default 100.
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// The gradient tolerance, in `[0, inf)`; default 1e-4.
    pub fn tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// The class weights; default [`ClassWeight::None`].
    pub fn class_weight(mut self, class_weight: ClassWeight) -> Self {
        self.class_weight = class_weight;
        self
    }

    /// The coefficients, `(1, n_features)` for two classes, `(n_classes, n_features)`
    /// otherwise; `None` before `fit`.
    pub fn coef_(&self) -> Option<Tensor<(usize, usize), f64, Cpu>> {
        self.state.as_ref().map(|s| s.0.coef_tensor())
    }

    /// The intercept of each row of `coef_`; `None` before `fit`.
    pub fn intercept_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.0.intercept.as_slice())
    }

    /// The number of L-BFGS iterations run; `None` before `fit`.
    pub fn n_iter_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.1)
    }

    fn validate(&self) -> Result<()> {
        check_param(NAME, "C", self.c, "a float in (0, inf]", |c| c > 0.0)?;
        check_param(NAME, "max_iter", self.max_iter, "an int in [1, inf)", |m| {
            m >= 1
        })?;
        check_param(NAME, "tol", self.tol, "a float in [0, inf)", |t| t >= 0.0)
    }

    /// Probabilities from decision values: the sigmoid for one column, the softmax otherwise.
    fn proba(scores: &Matrix) -> Matrix {
        if scores.cols == 1 {
            let mut out = Matrix::zeros(scores.rows, 2);
            for i in 0..scores.rows {
                let p = sigmoid(scores.data[i]);
                out.data[2 * i] = 1.0 - p;
                out.data[2 * i + 1] = p;
            }
            out
        } else {
            let mut out = scores.clone();
            for i in 0..out.rows {
                softmax(out.row_mut(i));
            }
            out
        }
    }
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// `log(1 + exp(z))` without overflow.
fn log1pexp(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// Softmax in place; returns the log-sum-exp of the input.
fn softmax(row: &mut [f64]) -> f64 {
    let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = row.iter().map(|v| (v - m).exp()).sum();
    row.iter_mut().for_each(|v| *v = (*v - m).exp() / sum);
    m + sum.ln()
}

/// The penalised loss over parameters laid out as `k` rows of `d` coefficients then, with an
/// intercept, `k` intercepts.
struct Loss<'a> {
    x: &'a Matrix,
    codes: &'a [usize],
    sample_weight: Vec<f64>,
    k: usize,
    fit_intercept: bool,
    l2: f64,
}

impl Objective for Loss<'_> {
    fn value_grad(&self, w: &[f64], grad: &mut [f64]) -> f64 {
        let (d, k) = (self.x.cols, self.k);
        let sw_sum: f64 = self.sample_weight.iter().sum();
        grad.iter_mut().for_each(|g| *g = 0.0);
        let mut loss = 0.0;
        let mut z = vec![0.0; k];
        for i in 0..self.x.rows {
            let row = self.x.row(i);
            for (c, zc) in z.iter_mut().enumerate() {
                let b = if self.fit_intercept {
                    w[k * d + c]
                } else {
                    0.0
                };
                *zc = crate::validation::dot(row, &w[c * d..(c + 1) * d]) + b;
            }
            let s = self.sample_weight[i] / sw_sum;
            let y = self.codes[i];
            if k == 1 {
                let yi = if y == 1 { 1.0 } else { 0.0 };
                loss += s * (log1pexp(z[0]) - yi * z[0]);
                z[0] = sigmoid(z[0]) - yi;
            } else {
                let zy = z[y];
                loss += s * (softmax(&mut z) - zy);
                z[y] -= 1.0;
            }
            for (c, &dz) in z.iter().enumerate() {
                let g = &mut grad[c * d..(c + 1) * d];
                g.iter_mut()
                    .zip(row)
                    .for_each(|(gj, xj)| *gj += s * dz * xj);
                if self.fit_intercept {
                    grad[k * d + c] += s * dz;
                }
            }
        }
        let coef = &w[..k * d];
        loss += 0.5 * self.l2 * crate::validation::dot(coef, coef);
        grad[..k * d]
            .iter_mut()
            .zip(coef)
            .for_each(|(g, c)| *g += self.l2 * c);
        loss
    }
}

impl Classifier for LogisticRegression {
    fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        const OP: &str = "LogisticRegression::fit";
        self.validate()?;
        let x = check_x(OP, x)?;
        let labels = check_y_class(OP, y, x.rows, 2)?;
        let class_w = self.class_weight.weights(NAME, &labels)?;
        let sample_weight: Vec<f64> = labels.codes.iter().map(|&c| class_w[c]).collect();
        let sw_sum: f64 = sample_weight.iter().sum();
        let n_classes = labels.classes.len();
        let k = if n_classes == 2 { 1 } else { n_classes };
        let loss = Loss {
            x: &x,
            codes: &labels.codes,
            sample_weight,
            k,
            fit_intercept: self.fit_intercept,
            l2: 1.0 / (self.c * sw_sum),
        };
        let n_params = k * x.cols + if self.fit_intercept { k } else { 0 };
        let opts = Options {
            max_iter: self.max_iter,
            gtol: self.tol,
            ftol: 64.0 * f64::EPSILON,
            memory: 10,
            max_ls: 50,
        };
        let sol = minimize(&loss, vec![0.0; n_params], &opts);
        let d = x.cols;
        let intercept = if self.fit_intercept {
            sol.w[k * d..].to_vec()
        } else {
            vec![0.0; k]
        };
        let coef = Matrix {
            rows: k,
            cols: d,
            data: sol.w[..k * d].to_vec(),
        };
        let state = LinearClassifierState {
            classes: labels.classes,
            coef,
            intercept,
        };
        self.state = Some((state, sol.n_iter));
        Ok(self)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        const OP: &str = "LogisticRegression::predict";
        let (s, _) = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.coef.cols)?;
        label_vector(s.labels(&s.decision(&x)))
    }

    fn classes_(&self) -> Option<&[usize]> {
        self.state.as_ref().map(|s| s.0.classes.as_slice())
    }
}

impl DecisionFunction for LogisticRegression {
    fn decision_function<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        const OP: &str = "LogisticRegression::decision_function";
        let (s, _) = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.coef.cols)?;
        s.decision(&x).to_tensor()
    }
}

impl PredictProba for LogisticRegression {
    fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        const OP: &str = "LogisticRegression::predict_proba";
        let (s, _) = fitted(&self.state, NAME, OP)?;
        let x = check_x_width(OP, NAME, x, s.coef.cols)?;
        Self::proba(&s.decision(&x)).to_tensor()
    }
}
