//! The boosting loop of scikit-learn's `BaseGradientBoosting._fit_stages`: at every stage a
//! regression tree per raw score is fitted to the loss's negative gradient, its leaves are
//! reset by the loss's line search, and the raw scores move by `learning_rate` times the
//! tree. With `subsample < 1` each stage sees a random subset and is scored on the rest.
//!
//! The subsamples and tree seeds come from one numpy `RandomState(random_state)` drawn in
//! scikit-learn's order (the stage's `uniform` draws, then one `randint` per tree), so the same
//! seed grows scikit-learn's trees.

use std::borrow::Cow;

use rayon::prelude::*;

use super::loss::Loss;
use super::split::validation_split;
use crate::ensemble::check_n_estimators;
use crate::error::{Error, Result};
use crate::tree::numpy_random::RandomState;
use crate::tree::{
    f32_columns, mean_importances, splitter_seed, Criterion, Params, Rules, Targets, TrainingSet,
    Tree,
};
use crate::validation::{check_param, Matrix};

/// The settings of the boosting loop, with scikit-learn's defaults.
#[derive(Clone, Debug)]
pub(crate) struct BoostParams {
    pub(crate) n_estimators: usize,
    pub(crate) learning_rate: f64,
    pub(crate) subsample: f64,
    pub(crate) n_iter_no_change: Option<usize>,
    pub(crate) validation_fraction: f64,
    pub(crate) tol: f64,
    pub(crate) warm_start: bool,
    pub(crate) init: BoostingInit,
}

impl Default for BoostParams {
    fn default() -> Self {
        BoostParams {
            n_estimators: 100,
            learning_rate: 0.1,
            subsample: 1.0,
            n_iter_no_change: None,
            validation_fraction: 0.1,
            tol: 1e-4,
            warm_start: false,
            init: BoostingInit::Prior,
        }
    }
}

/// Where the raw scores start (scikit-learn's `init`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BoostingInit {
    /// scikit-learn's default `init=None`: a `DummyRegressor` (the mean, the median or the
    /// `alpha` quantile of the targets) or a `DummyClassifier(strategy='prior')`, through the
    /// loss's link.
    #[default]
    Prior,
    /// `init='zero'`: every raw score starts at 0.
    Zero,
}

/// The out-of-bag scores of a booster fitted with `subsample < 1`.
#[derive(Clone, Debug)]
pub(crate) struct OutOfBag {
    /// The loss on each stage's out-of-bag samples after the stage.
    pub(crate) scores: Vec<f64>,
    /// How much each stage lowered that loss.
    pub(crate) improvement: Vec<f64>,
}

/// A fitted booster.
#[derive(Clone, Debug)]
pub(crate) struct Booster {
    pub(crate) loss: Loss,
    /// The initial raw score of each tree slot.
    pub(crate) init: Vec<f64>,
    /// The trees of each stage, one per raw score, leaf values already line-searched.
    pub(crate) stages: Vec<Vec<Tree>>,
    pub(crate) learning_rate: f64,
    pub(crate) n_features: usize,
    /// The loss on the (in-bag) training samples after each stage.
    pub(crate) train_score: Vec<f64>,
    pub(crate) oob: Option<OutOfBag>,
    /// The generator after the last stage, where a warm start continues drawing.
    rng: RandomState,
}

/// The data one fit boosts on: the whole training set, or its training part under early
/// stopping, with the held-out validation part.
struct Split<'a> {
    x: Cow<'a, Matrix>,
    y: Cow<'a, [f64]>,
    w: Vec<f64>,
    val: Option<(Matrix, Vec<f64>, Vec<f64>)>,
}

/// The rows `idx` of `x`, in that order.
fn take_rows(x: &Matrix, idx: &[usize]) -> Matrix {
    let mut m = Matrix::zeros(idx.len(), x.cols);
    for (r, &i) in idx.iter().enumerate() {
        m.row_mut(r).copy_from_slice(x.row(i));
    }
    m
}

impl BoostParams {
    /// Validates the settings and boosts `n_estimators` stages of `tree_params` trees on
    /// `x` and `y` (class codes as reals for the classifiers, `n_classes` of them; 0 for
    /// regression) with the sample weights `w` (`None`: all 1). With `warm_start` and a
    /// `previous` booster, its stages are kept and boosting continues after them.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn fit(
        &self,
        name: &'static str,
        op: &'static str,
        tree_params: &Params,
        loss: Loss,
        x: &Matrix,
        y: &[f64],
        w: Option<&[f64]>,
        n_classes: usize,
        previous: Option<&Booster>,
    ) -> Result<Booster> {
        check_n_estimators(name, self.n_estimators)?;
        check_param(
            name,
            "learning_rate",
            self.learning_rate,
            "a float in [0, inf)",
            |v| v >= 0.0 && v.is_finite(),
        )?;
        check_param(
            name,
            "subsample",
            self.subsample,
            "a float in (0, 1]",
            |v| v > 0.0 && v <= 1.0,
        )?;
        check_param(
            name,
            "validation_fraction",
            self.validation_fraction,
            "a float in (0, 1)",
            |v| v > 0.0 && v < 1.0,
        )?;
        check_param(
            name,
            "n_iter_no_change",
            self.n_iter_no_change,
            "an int in [1, inf) or None",
            |v| v != Some(0),
        )?;
        check_param(name, "tol", self.tol, "a float in [0, inf)", |v| {
            v >= 0.0 && v.is_finite()
        })?;
        let previous = previous.filter(|_| self.warm_start);
        if let Some(p) = previous {
            if self.n_estimators < p.stages.len() {
                return Err(Error::parameter(
                    name,
                    "n_estimators",
                    "at least the number of stages already fitted with warm_start=true",
                    self.n_estimators,
                ));
            }
            if p.n_features != x.cols || p.init.len() != loss.n_trees() {
                return Err(Error::input(
                    op,
                    "warm_start continues a fit on data of the same width and classes only",
                ));
            }
        }
        if let Some(w) = w.filter(|_| n_classes > 0) {
            let mut total = vec![0.0; n_classes];
            for (&c, &v) in y.iter().zip(w) {
                total[c as usize] += v;
            }
            if total.iter().filter(|&&t| t > 0.0).count() < 2 {
                return Err(Error::input(
                    op,
                    "sample_weight leaves fewer than 2 classes with a positive weight",
                ));
            }
        }
        if w.is_some_and(|w| w.iter().all(|&v| v == 0.0)) {
            return Err(Error::input(op, "sample_weight is 0 for every sample"));
        }
        let rules = tree_params.rules(name, Criterion::SquaredError, x.cols)?;
        // numpy takes seeds below 2^32: the low 32 bits of a larger one are used.
        let seed = tree_params.random_state as u32;
        let data = self.split(op, x, y, w, n_classes, seed)?;
        let mut booster = match previous {
            Some(p) => p.clone(),
            None => {
                let init = match self.init {
                    BoostingInit::Zero => vec![0.0; loss.n_trees()],
                    BoostingInit::Prior => {
                        let w = w.map(|_| data.w.as_slice());
                        loss.init_raw(&data.y, w)
                    }
                };
                Booster {
                    loss,
                    init,
                    stages: Vec::new(),
                    learning_rate: self.learning_rate,
                    n_features: x.cols,
                    train_score: Vec::new(),
                    oob: (self.subsample < 1.0).then(|| OutOfBag {
                        scores: Vec::new(),
                        improvement: Vec::new(),
                    }),
                    rng: RandomState::new(seed),
                }
            }
        };
        booster.learning_rate = self.learning_rate;
        if self.subsample < 1.0 && booster.oob.is_none() {
            booster.oob = Some(OutOfBag {
                scores: Vec::new(),
                improvement: Vec::new(),
            });
        }
        self.boost(tree_params, &rules, loss, &data, &mut booster);
        Ok(booster)
    }

    /// The training data of this fit and, with `n_iter_no_change`, the validation part
    /// scikit-learn's `train_test_split` holds out (stratified for classifiers).
    fn split<'a>(
        &self,
        op: &'static str,
        x: &'a Matrix,
        y: &'a [f64],
        w: Option<&[f64]>,
        n_classes: usize,
        seed: u32,
    ) -> Result<Split<'a>> {
        let w: Vec<f64> = w.map_or_else(|| vec![1.0; x.rows], <[f64]>::to_vec);
        if self.n_iter_no_change.is_none() {
            return Ok(Split {
                x: Cow::Borrowed(x),
                y: Cow::Borrowed(y),
                w,
                val: None,
            });
        }
        let codes: Vec<usize> = y.iter().map(|&c| c as usize).collect();
        let strata = (n_classes > 0).then_some((codes.as_slice(), n_classes));
        let (train, val) = validation_split(op, x.rows, self.validation_fraction, strata, seed)?;
        let pick = |v: &[f64], idx: &[usize]| -> Vec<f64> { idx.iter().map(|&i| v[i]).collect() };
        let y_train = pick(y, &train);
        if n_classes > 0 {
            let mut seen = vec![false; n_classes];
            y_train.iter().for_each(|&c| seen[c as usize] = true);
            if seen.contains(&false) {
                return Err(Error::input(
                    op,
                    "the training data after the early stopping split is missing some classes; try another random_state",
                ));
            }
        }
        Ok(Split {
            x: Cow::Owned(take_rows(x, &train)),
            y: Cow::Owned(y_train),
            val: Some((take_rows(x, &val), pick(y, &val), pick(&w, &val))),
            w: pick(&w, &train),
        })
    }

    /// scikit-learn's `_fit_stages`: boosts stages after those `booster` holds up to
    /// `n_estimators`, stopping early when the validation loss has not improved by `tol` on
    /// any of the last `n_iter_no_change` stages (the stage that shows it is kept).
    fn boost(
        &self,
        tree_params: &Params,
        rules: &Rules,
        mut loss: Loss,
        data: &Split,
        booster: &mut Booster,
    ) {
        let (x, y, sw) = (data.x.as_ref(), data.y.as_ref(), data.w.as_slice());
        let columns = f32_columns(x);
        let (n, width) = (x.rows, loss.n_trees());
        let mut raw = booster.raw(x);
        let do_oob = self.subsample < 1.0;
        let n_inbag = ((self.subsample * n as f64) as usize).max(1);
        let mut in_bag = vec![true; n];
        let rows_where = |mask: &[bool], keep: bool| -> Vec<usize> {
            (0..n).filter(|&i| mask[i] == keep).collect()
        };
        // The validation scores advance one stage per boosted stage from the first stage of
        // the model, as scikit-learn's `_staged_raw_predict` generator does (also after a
        // warm start, where it lags behind the stages being fitted).
        let mut validation = data.val.as_ref().map(|(xv, yv, wv)| {
            let raw_val: Vec<f64> = (0..xv.rows)
                .flat_map(|_| booster.init.iter().copied())
                .collect();
            let history = vec![f64::INFINITY; self.n_iter_no_change.unwrap_or(1)];
            (xv, yv, wv, raw_val, history, 0usize)
        });
        let rng = &mut booster.rng;
        for stage in booster.stages.len()..self.n_estimators {
            if do_oob {
                in_bag = random_sample_mask(n, n_inbag, rng);
            }
            let (bag, out) = (rows_where(&in_bag, true), rows_where(&in_bag, false));
            let before = (do_oob && stage == 0).then(|| loss.score(y, &raw, &out, sw));
            loss.set_delta(y, &raw, sw);
            let weights: Vec<f64> = in_bag
                .iter()
                .zip(sw)
                .map(|(&b, &w)| if b { w } else { 0.0 })
                .collect();
            // One splitter seed per tree, drawn in order before any tree grows; the trees of
            // a stage are then independent and grow in parallel.
            let seeds: Vec<u32> = (0..width).map(|_| splitter_seed(rng)).collect();
            let neg_gradients = loss.neg_gradients(y, &raw);
            let trees: Vec<(Tree, Vec<usize>)> = seeds
                .par_iter()
                .zip(&neg_gradients)
                .enumerate()
                .map(|(k, (&seed, neg_gradient))| {
                    let data = TrainingSet {
                        columns: &columns,
                        n_samples: n,
                        n_features: x.cols,
                        targets: Targets::Values(neg_gradient),
                        weights: &weights,
                    };
                    let mut tree = tree_params.grow(rules, &data, seed);
                    let leaves: Vec<usize> = (0..n).map(|i| tree.leaf_of(x.row(i))).collect();
                    let fit = StageFit {
                        loss,
                        k,
                        y,
                        neg_gradient,
                        raw: &raw,
                        weights: &weights,
                    };
                    fit.line_search(&mut tree, &leaves, &bag);
                    (tree, leaves)
                })
                .collect();
            for (k, (tree, leaves)) in trees.iter().enumerate() {
                for (i, &leaf) in leaves.iter().enumerate() {
                    raw[i * width + k] += self.learning_rate * tree.nodes[leaf].value[0];
                }
            }
            booster
                .stages
                .push(trees.into_iter().map(|(t, _)| t).collect());
            booster.train_score.push(loss.score(y, &raw, &bag, sw));
            if let Some(o) = booster.oob.as_mut().filter(|_| do_oob) {
                let score = loss.score(y, &raw, &out, sw);
                let previous = before.unwrap_or_else(|| o.scores.last().copied().unwrap_or(0.0));
                o.improvement.push(previous - score);
                o.scores.push(score);
            }
            if let Some((xv, yv, wv, raw_val, history, next)) = validation.as_mut() {
                for (k, tree) in booster.stages[*next].iter().enumerate() {
                    for i in 0..xv.rows {
                        raw_val[i * width + k] +=
                            self.learning_rate * tree.predict_row(xv.row(i))[0];
                    }
                }
                *next += 1;
                let all: Vec<usize> = (0..xv.rows).collect();
                let score = loss.score(yv, raw_val, &all, wv);
                if history.iter().any(|&h| score + self.tol < h) {
                    let len = history.len();
                    history[stage % len] = score;
                } else {
                    break;
                }
            }
        }
        booster.loss = loss;
    }
}

/// What one tree's line search reads.
struct StageFit<'a> {
    loss: Loss,
    k: usize,
    y: &'a [f64],
    neg_gradient: &'a [f64],
    raw: &'a [f64],
    weights: &'a [f64],
}

impl StageFit<'_> {
    /// Resets every leaf's value to the loss's weighted line-search value over the in-bag
    /// samples it holds (scikit-learn's `_update_terminal_regions`).
    fn line_search(&self, tree: &mut Tree, leaves: &[usize], bag: &[usize]) {
        if self.loss == Loss::SquaredError {
            return;
        }
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); tree.nodes.len()];
        for &i in bag {
            members[leaves[i]].push(i);
        }
        for (node, rows) in tree.nodes.iter_mut().zip(&members) {
            if node.split.is_none() && !rows.is_empty() {
                let (y, g, raw, w) = (self.y, self.neg_gradient, self.raw, self.weights);
                if let Some(v) = self.loss.leaf_value(rows, self.k, y, g, raw, w) {
                    node.value[0] = v;
                }
            }
        }
    }
}

/// `n_in_bag` of `n` samples chosen by scikit-learn's `_random_sample_mask` (selection
/// sampling on `n` uniform draws).
fn random_sample_mask(n: usize, n_in_bag: usize, rng: &mut RandomState) -> Vec<bool> {
    let draws: Vec<f64> = (0..n).map(|_| rng.random_sample()).collect();
    let mut taken = 0;
    draws
        .iter()
        .enumerate()
        .map(|(i, &u)| {
            let take = u * ((n - i) as f64) < (n_in_bag - taken) as f64;
            taken += usize::from(take);
            take
        })
        .collect()
}

impl Booster {
    /// The raw scores of every row of `x` (sample-major, `rows * n_trees`): the initial
    /// scores plus `learning_rate` times each tree's value, stage by stage.
    pub(crate) fn raw(&self, x: &Matrix) -> Vec<f64> {
        let width = self.init.len();
        (0..x.rows)
            .into_par_iter()
            .flat_map_iter(|i| {
                let mut r = self.init.clone();
                for stage in &self.stages {
                    for (k, tree) in stage.iter().enumerate() {
                        r[k] += self.learning_rate * tree.predict_row(x.row(i))[0];
                    }
                }
                debug_assert_eq!(r.len(), width);
                r
            })
            .collect()
    }

    /// The raw scores of every row of `x` after each stage (scikit-learn's
    /// `_staged_raw_predict`), one sample-major vector per stage.
    pub(crate) fn staged_raw(&self, x: &Matrix) -> Vec<Vec<f64>> {
        let width = self.init.len();
        let mut raw: Vec<f64> = (0..x.rows)
            .flat_map(|_| self.init.iter().copied())
            .collect();
        self.stages
            .iter()
            .map(|stage| {
                raw.par_chunks_exact_mut(width)
                    .enumerate()
                    .for_each(|(i, r)| {
                        for (k, tree) in stage.iter().enumerate() {
                            r[k] += self.learning_rate * tree.predict_row(x.row(i))[0];
                        }
                    });
                raw.clone()
            })
            .collect()
    }

    /// The trees' unnormalised impurity decreases averaged over the trees with a split and
    /// normalised to sum to 1 (all zeros if no tree split), as scikit-learn's
    /// `feature_importances_`.
    pub(crate) fn feature_importances(&self) -> Vec<f64> {
        let trees = self.stages.iter().flatten();
        mean_importances(trees, self.n_features, Tree::impurity_decreases)
    }
}
