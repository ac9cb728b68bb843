//! [`LatentDirichletAllocation`]: topic models by variational Bayes, as scikit-learn's.

use gf_core::shape::Dim;
use gf_core::{Cpu, Dtype, Tensor};

use self::math::{approx_bound, batches, dirichlet_expectation, exp_of, lda_psi, perplexity, rows};
use crate::error::{Error, Result};
use crate::traits::{Features, Transformed, Transformer};
use crate::tree::numpy_random::NumpyRandom;
use crate::validation::{check_param, check_x, check_x_width, fitted, Matrix};

mod math;

const NAME: &str = "LatentDirichletAllocation";

/// How [`LatentDirichletAllocation`] updates the topics (scikit-learn's `learning_method`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LdaLearning {
    /// Every iteration sees all the documents (variational EM).
    #[default]
    Batch,
    /// Online variational Bayes on mini-batches of `batch_size` documents, in order.
    Online,
}

/// Latent Dirichlet allocation, as scikit-learn's `LatentDirichletAllocation` (Hoffman, Blei
/// and Bach's variational Bayes, batch or online): a document-word count matrix is explained by
/// `n_components` topics. The initial topics and each E-step's starting document-topic
/// variables are numpy's `RandomState(random_state).gamma(100, 0.01, ...)`, drawn in
/// scikit-learn's order (one job), so a seed gives scikit-learn's model.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::decomposition::LatentDirichletAllocation;
///
/// let dev = Cpu::default();
/// let x: Tensor<(usize, usize), f64, Cpu> = dev.tensor_from_vec(
///     vec![3.0, 1.0, 0.0, 0.0, 4.0, 2.0, 0.0, 1.0, 0.0, 0.0, 5.0, 2.0, 0.0, 1.0, 3.0, 4.0],
///     (4, 4),
/// );
/// let mut lda = LatentDirichletAllocation::new().n_components(2).random_state(0);
/// lda.fit(&x)?;
/// let theta = lda.transform(&x)?.to_vec();
/// assert!((theta[0] + theta[1] - 1.0).abs() < 1e-12);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct LatentDirichletAllocation {
    n_components: usize,
    doc_topic_prior: Option<f64>,
    topic_word_prior: Option<f64>,
    learning_method: LdaLearning,
    learning_decay: f64,
    learning_offset: f64,
    max_iter: usize,
    batch_size: usize,
    evaluate_every: i64,
    total_samples: f64,
    perp_tol: f64,
    mean_change_tol: f64,
    max_doc_update_iter: usize,
    random_state: u32,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    components: Matrix,
    exp_dirichlet: Matrix,
    doc_topic_prior: f64,
    topic_word_prior: f64,
    rng: NumpyRandom,
    n_iter: usize,
    n_batch_iter: usize,
    bound: Option<f64>,
}

impl Default for LatentDirichletAllocation {
    fn default() -> Self {
        Self::new()
    }
}

impl LatentDirichletAllocation {
    /// scikit-learn's defaults: 10 topics, priors `1 / n_components`, batch learning,
    /// `learning_decay = 0.7`, `learning_offset = 10`, `max_iter = 10`, `batch_size = 128`,
    /// `evaluate_every = -1`, `total_samples = 1e6`, `perp_tol = 0.1`,
    /// `mean_change_tol = 1e-3`, `max_doc_update_iter = 100`, `random_state = 0`.
    pub fn new() -> Self {
        LatentDirichletAllocation {
            n_components: 10,
            doc_topic_prior: None,
            topic_word_prior: None,
            learning_method: LdaLearning::Batch,
            learning_decay: 0.7,
            learning_offset: 10.0,
            max_iter: 10,
            batch_size: 128,
            evaluate_every: -1,
            total_samples: 1e6,
            perp_tol: 0.1,
            mean_change_tol: 1e-3,
            max_doc_update_iter: 100,
            random_state: 0,
            state: None,
        }
    }

    /// The number of topics (default 10).
    pub fn n_components(mut self, n: usize) -> Self {
        self.n_components = n;
        self
    }

    /// The Dirichlet prior of the document-topic weights, in `[0, 1]` (default
    /// `1 / n_components`).
    pub fn doc_topic_prior(mut self, prior: f64) -> Self {
        self.doc_topic_prior = Some(prior);
        self
    }

    /// The Dirichlet prior of the topic-word weights, in `[0, 1]` (default `1 / n_components`).
    pub fn topic_word_prior(mut self, prior: f64) -> Self {
        self.topic_word_prior = Some(prior);
        self
    }

    /// Batch or online learning.
    pub fn learning_method(mut self, method: LdaLearning) -> Self {
        self.learning_method = method;
        self
    }

    /// The exponent of the online learning rate, in `[0, 1]` (default 0.7).
    pub fn learning_decay(mut self, decay: f64) -> Self {
        self.learning_decay = decay;
        self
    }

    /// The offset (at least 1) that down-weights early online iterations (default 10).
    pub fn learning_offset(mut self, offset: f64) -> Self {
        self.learning_offset = offset;
        self
    }

    /// The passes over the data (default 10).
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// The documents per online mini-batch (default 128).
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Every how many iterations `fit` evaluates the perplexity to stop early (a value of 0 or
    /// less never, the default -1).
    pub fn evaluate_every(mut self, every: i64) -> Self {
        self.evaluate_every = every;
        self
    }

    /// The total number of documents [`partial_fit`](Self::partial_fit) assumes (default 1e6).
    pub fn total_samples(mut self, total: f64) -> Self {
        self.total_samples = total;
        self
    }

    /// The perplexity change below which `fit` stops, when it evaluates it (default 0.1).
    pub fn perp_tol(mut self, tol: f64) -> Self {
        self.perp_tol = tol;
        self
    }

    /// The mean change of a document's topic variables that ends its E-step (default 1e-3).
    pub fn mean_change_tol(mut self, tol: f64) -> Self {
        self.mean_change_tol = tol;
        self
    }

    /// The most E-step iterations per document (default 100).
    pub fn max_doc_update_iter(mut self, n: usize) -> Self {
        self.max_doc_update_iter = n;
        self
    }

    /// The seed of numpy's `RandomState` for the initialisation.
    pub fn random_state(mut self, seed: u32) -> Self {
        self.random_state = seed;
        self
    }

    /// The topic-word variational parameters, `(n_components, n_features)` row-major; `None`
    /// before `fit`.
    pub fn components_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.components.data.as_slice())
    }

    /// `exp(E[log beta])` of each topic, `(n_components, n_features)`; `None` before `fit`.
    pub fn exp_dirichlet_component_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.exp_dirichlet.data.as_slice())
    }

    /// The passes over the data run; `None` before `fit`.
    pub fn n_iter_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.n_iter)
    }

    /// The EM steps run plus one (scikit-learn's count); `None` before `fit`.
    pub fn n_batch_iter_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| s.n_batch_iter)
    }

    /// The perplexity of the training data after `fit`; `None` before `fit` or after only
    /// `partial_fit`.
    pub fn bound_(&self) -> Option<f64> {
        self.state.as_ref().and_then(|s| s.bound)
    }

    fn check_params(&self) -> Result<()> {
        let unit = |v: f64| (0.0..=1.0).contains(&v);
        check_param(
            NAME,
            "n_components",
            self.n_components,
            "an int >= 1",
            |n| n >= 1,
        )?;
        if let Some(p) = self.doc_topic_prior {
            check_param(NAME, "doc_topic_prior", p, "a float in [0, 1]", unit)?;
        }
        if let Some(p) = self.topic_word_prior {
            check_param(NAME, "topic_word_prior", p, "a float in [0, 1]", unit)?;
        }
        check_param(
            NAME,
            "learning_decay",
            self.learning_decay,
            "a float in [0, 1]",
            unit,
        )?;
        check_param(
            NAME,
            "learning_offset",
            self.learning_offset,
            "a float >= 1",
            |v| v >= 1.0,
        )?;
        check_param(NAME, "batch_size", self.batch_size, "an int >= 1", |b| {
            b >= 1
        })?;
        check_param(
            NAME,
            "total_samples",
            self.total_samples,
            "a float > 0",
            |t| t > 0.0,
        )?;
        check_param(NAME, "perp_tol", self.perp_tol, "a float >= 0", |t| {
            t >= 0.0
        })?;
        check_param(
            NAME,
            "mean_change_tol",
            self.mean_change_tol,
            "a float >= 0",
            |t| t >= 0.0,
        )
    }

    fn counts<F: Dim, E: Dtype>(&self, op: &'static str, x: &Features<F, E>) -> Result<Matrix> {
        let x = match &self.state {
            Some(s) => check_x_width(op, NAME, x, s.components.cols)?,
            None => check_x(op, x)?,
        };
        if let Some(k) = x.data.iter().position(|&v| v < 0.0) {
            return Err(Error::input(
                op,
                format!(
                    "X holds a negative count {} at row {}, column {}; LDA needs non-negative counts",
                    x.data[k],
                    k / x.cols,
                    k % x.cols
                ),
            ));
        }
        Ok(x)
    }

    fn init(&self, d: usize) -> Fitted {
        let k = self.n_components;
        let mut rng = NumpyRandom::new(self.random_state);
        let mut components = Matrix::zeros(k, d);
        components
            .data
            .iter_mut()
            .for_each(|v| *v = 0.01 * rng.standard_gamma(100.0));
        Fitted {
            exp_dirichlet: exp_of(&dirichlet_expectation(&components)),
            components,
            doc_topic_prior: self.doc_topic_prior.unwrap_or(1.0 / k as f64),
            topic_word_prior: self.topic_word_prior.unwrap_or(1.0 / k as f64),
            rng,
            n_iter: 0,
            n_batch_iter: 1,
            bound: None,
        }
    }

    /// Fits the topics to the count matrix `x` from scratch.
    pub fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        const OP: &str = "LatentDirichletAllocation::fit";
        self.check_params()?;
        self.state = None;
        let x = self.counts(OP, x)?;
        let mut s = self.init(x.cols);
        let mut last_bound: Option<f64> = None;
        for i in 0..self.max_iter {
            match self.learning_method {
                LdaLearning::Online => {
                    for (a, b) in batches(x.rows, self.batch_size) {
                        let part = rows(&x, a, b);
                        self.em_step(&mut s, &part, x.rows as f64, false);
                    }
                }
                LdaLearning::Batch => self.em_step(&mut s, &x, x.rows as f64, true),
            }
            if self.evaluate_every > 0 && (i as i64 + 1) % self.evaluate_every == 0 {
                let (gamma, _) = self.e_step(&mut s, &x, false, false);
                let bound = perplexity(&s, &x, &gamma, false, self.total_samples);
                if let Some(last) = last_bound {
                    if last != 0.0 && (last - bound).abs() < self.perp_tol {
                        break;
                    }
                }
                last_bound = Some(bound);
            }
            s.n_iter += 1;
        }
        let (gamma, _) = self.e_step(&mut s, &x, false, false);
        s.bound = Some(perplexity(&s, &x, &gamma, false, self.total_samples));
        self.state = Some(s);
        Ok(self)
    }

    /// One online update per mini-batch of `x` (initialising the topics on the first call),
    /// with `total_samples` documents assumed.
    pub fn partial_fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        const OP: &str = "LatentDirichletAllocation::partial_fit";
        self.check_params()?;
        let x = self.counts(OP, x)?;
        let mut s = match self.state.take() {
            Some(s) => s,
            None => self.init(x.cols),
        };
        for (a, b) in batches(x.rows, self.batch_size) {
            self.em_step(&mut s, &rows(&x, a, b), self.total_samples, false);
        }
        self.state = Some(s);
        Ok(self)
    }

    /// The E-step (scikit-learn's `_update_doc_distribution` on one job): the document-topic
    /// variables and, with `sstats`, the sufficient statistics times `exp_dirichlet`.
    fn e_step(
        &self,
        s: &mut Fitted,
        x: &Matrix,
        sstats: bool,
        random_init: bool,
    ) -> (Matrix, Option<Matrix>) {
        let k = s.components.rows;
        let mut gamma = Matrix::zeros(x.rows, k);
        if random_init {
            gamma
                .data
                .iter_mut()
                .for_each(|v| *v = 0.01 * s.rng.standard_gamma(100.0));
        } else {
            gamma.data.fill(1.0);
        }
        let exp_doc = exp_of(&dirichlet_expectation(&gamma));
        let mut suff = sstats.then(|| Matrix::zeros(k, x.cols));
        let eps = f64::EPSILON;
        let beta = &s.exp_dirichlet;
        for d in 0..x.rows {
            let ids: Vec<usize> = (0..x.cols).filter(|&j| x.at(d, j) != 0.0).collect();
            let cnts: Vec<f64> = ids.iter().map(|&j| x.at(d, j)).collect();
            let mut doc = gamma.row(d).to_vec();
            let mut exp_d = exp_doc.row(d).to_vec();
            let norm = |exp_d: &[f64]| -> Vec<f64> {
                ids.iter()
                    .map(|&j| (0..k).map(|t| exp_d[t] * beta.at(t, j)).sum::<f64>() + eps)
                    .collect()
            };
            for _ in 0..self.max_doc_update_iter {
                let last = doc.clone();
                let phi = norm(&exp_d);
                for t in 0..k {
                    let dotp: f64 = ids
                        .iter()
                        .enumerate()
                        .map(|(w, &j)| cnts[w] / phi[w] * beta.at(t, j))
                        .sum();
                    doc[t] = exp_d[t] * dotp;
                }
                // dirichlet_expectation_1d: doc += prior, exp_d = exp(psi(doc) - psi(sum)).
                let mut total = 0.0;
                for v in doc.iter_mut() {
                    *v += s.doc_topic_prior;
                    total += *v;
                }
                let psi_total = lda_psi(total);
                for (e, v) in exp_d.iter_mut().zip(&doc) {
                    *e = (lda_psi(*v) - psi_total).exp();
                }
                let change: f64 = last
                    .iter()
                    .zip(&doc)
                    .map(|(a, b)| (a - b).abs())
                    .sum::<f64>()
                    / k as f64;
                if change < self.mean_change_tol {
                    break;
                }
            }
            gamma.row_mut(d).copy_from_slice(&doc);
            if let Some(suff) = suff.as_mut() {
                let phi = norm(&exp_d);
                for (t, e) in exp_d.iter().enumerate() {
                    for (w, &j) in ids.iter().enumerate() {
                        suff.data[t * x.cols + j] += e * cnts[w] / phi[w];
                    }
                }
            }
        }
        if let Some(suff) = suff.as_mut() {
            suff.data
                .iter_mut()
                .zip(&beta.data)
                .for_each(|(v, b)| *v *= b);
        }
        (gamma, suff)
    }

    /// One EM step (scikit-learn's `_em_step`).
    fn em_step(&self, s: &mut Fitted, x: &Matrix, total_samples: f64, batch: bool) {
        let (_, suff) = self.e_step(s, x, true, true);
        let suff = suff.unwrap_or_else(|| Matrix::zeros(s.components.rows, x.cols));
        if batch {
            for (c, v) in s.components.data.iter_mut().zip(&suff.data) {
                *c = s.topic_word_prior + v;
            }
        } else {
            let weight = (self.learning_offset + s.n_batch_iter as f64).powf(-self.learning_decay);
            let ratio = total_samples / x.rows as f64;
            for (c, v) in s.components.data.iter_mut().zip(&suff.data) {
                *c *= 1.0 - weight;
                *c += weight * (s.topic_word_prior + ratio * v);
            }
        }
        s.exp_dirichlet = exp_of(&dirichlet_expectation(&s.components));
        s.n_batch_iter += 1;
    }

    /// The normalised document-topic distribution of each row of `x`.
    pub fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Tensor<(usize, usize), E, Cpu>> {
        const OP: &str = "LatentDirichletAllocation::transform";
        let mut s = fitted(&self.state, NAME, OP)?.clone();
        let x = self.counts(OP, x)?;
        let (mut gamma, _) = self.e_step(&mut s, &x, false, false);
        for i in 0..gamma.rows {
            let total: f64 = gamma.row(i).iter().sum();
            gamma.row_mut(i).iter_mut().for_each(|v| *v /= total);
        }
        gamma.to_tensor()
    }

    /// The approximate log-likelihood (variational bound) of `x`.
    pub fn score<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<f64> {
        const OP: &str = "LatentDirichletAllocation::score";
        let mut s = fitted(&self.state, NAME, OP)?.clone();
        let x = self.counts(OP, x)?;
        let (gamma, _) = self.e_step(&mut s, &x, false, false);
        Ok(approx_bound(&s, &x, &gamma, false, self.total_samples))
    }

    /// The perplexity of `x`, `exp(-bound / word count)`.
    pub fn perplexity<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<f64> {
        const OP: &str = "LatentDirichletAllocation::perplexity";
        let mut s = fitted(&self.state, NAME, OP)?.clone();
        let x = self.counts(OP, x)?;
        let (gamma, _) = self.e_step(&mut s, &x, false, false);
        Ok(perplexity(&s, &x, &gamma, false, self.total_samples))
    }
}

impl Transformer for LatentDirichletAllocation {
    type Width<F: Dim> = usize;

    fn fit<F: Dim, E: Dtype>(&mut self, x: &Features<F, E>) -> Result<&mut Self> {
        LatentDirichletAllocation::fit(self, x)
    }

    fn transform<F: Dim, E: Dtype>(
        &self,
        x: &Features<F, E>,
    ) -> Result<Transformed<Self::Width<F>, E>> {
        LatentDirichletAllocation::transform(self, x)
    }
}
