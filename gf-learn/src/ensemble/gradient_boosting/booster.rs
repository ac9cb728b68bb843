//! The boosting loop of scikit-learn's `BaseGradientBoosting._fit_stages`: at every stage a
//! regression tree per raw score is fitted to the loss's negative gradient, its leaves are
//! reset by the loss's line search, and the raw scores move by `learning_rate` times the
//! tree. With `subsample < 1` each stage sees a random subset and is scored on the rest.
//!
//! The subsamples and tree seeds come from one numpy `RandomState(random_state)` drawn in
//! scikit-learn's order (the stage's `uniform` draws, then one `randint` per tree), so the same
//! seed grows scikit-learn's trees.

use rayon::prelude::*;

use super::loss::Loss;
use crate::ensemble::check_n_estimators;
use crate::error::Result;
use crate::tree::numpy_random::RandomState;
use crate::tree::{
    f32_columns, mean_importances, splitter_seed, Criterion, Params, Targets, TrainingSet, Tree,
};
use crate::validation::{check_param, Matrix};

/// The settings of the boosting loop, with scikit-learn's defaults.
#[derive(Clone, Debug)]
pub(crate) struct BoostParams {
    pub(crate) n_estimators: usize,
    pub(crate) learning_rate: f64,
    pub(crate) subsample: f64,
}

impl Default for BoostParams {
    fn default() -> Self {
        BoostParams {
            n_estimators: 100,
            learning_rate: 0.1,
            subsample: 1.0,
        }
    }
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
}

impl BoostParams {
    /// Validates the settings and boosts `n_estimators` stages of `tree_params` trees on
    /// `x` and `y` (class codes as reals for the classifiers).
    pub(crate) fn fit(
        &self,
        name: &'static str,
        tree_params: &Params,
        mut loss: Loss,
        x: &Matrix,
        y: &[f64],
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
        let rules = tree_params.rules(name, Criterion::SquaredError, x.cols)?;
        let columns = f32_columns(x);
        let (n, width) = (x.rows, loss.n_trees());
        let init = loss.init_raw(y);
        let mut raw: Vec<f64> = (0..n).flat_map(|_| init.iter().copied()).collect();
        // numpy takes seeds below 2^32: the low 32 bits of a larger one are used.
        let mut rng = RandomState::new(tree_params.random_state as u32);
        let do_oob = self.subsample < 1.0;
        let n_inbag = ((self.subsample * n as f64) as usize).max(1);
        let mut in_bag = vec![true; n];
        let mut stages = Vec::with_capacity(self.n_estimators);
        let mut train_score = Vec::with_capacity(self.n_estimators);
        let mut oob = do_oob.then(|| OutOfBag {
            scores: Vec::new(),
            improvement: Vec::new(),
        });
        let rows_where = |mask: &[bool], keep: bool| -> Vec<usize> {
            (0..n).filter(|&i| mask[i] == keep).collect()
        };
        for stage in 0..self.n_estimators {
            if do_oob {
                in_bag = random_sample_mask(n, n_inbag, &mut rng);
            }
            let (bag, out) = (rows_where(&in_bag, true), rows_where(&in_bag, false));
            let before = (do_oob && stage == 0).then(|| loss.score(y, &raw, &out));
            loss.set_delta(y, &raw);
            let weights: Vec<f64> = in_bag.iter().map(|&b| f64::from(u8::from(b))).collect();
            // One splitter seed per tree, drawn in order before any tree grows; the trees of
            // a stage are then independent and grow in parallel.
            let seeds: Vec<u32> = (0..width).map(|_| splitter_seed(&mut rng)).collect();
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
                    let mut tree = tree_params.grow(&rules, &data, seed);
                    let leaves: Vec<usize> = (0..n).map(|i| tree.leaf_of(x.row(i))).collect();
                    line_search(&mut tree, &leaves, &bag, loss, k, y, neg_gradient, &raw);
                    (tree, leaves)
                })
                .collect();
            for (k, (tree, leaves)) in trees.iter().enumerate() {
                for (i, &leaf) in leaves.iter().enumerate() {
                    raw[i * width + k] += self.learning_rate * tree.nodes[leaf].value[0];
                }
            }
            stages.push(trees.into_iter().map(|(t, _)| t).collect());
            train_score.push(loss.score(y, &raw, &bag));
            if let Some(o) = oob.as_mut() {
                let score = loss.score(y, &raw, &out);
                let previous = before.unwrap_or_else(|| *o.scores.last().expect("a stage"));
                o.improvement.push(previous - score);
                o.scores.push(score);
            }
        }
        Ok(Booster {
            loss,
            init,
            stages,
            learning_rate: self.learning_rate,
            n_features: x.cols,
            train_score,
            oob,
        })
    }
}

/// Resets every leaf's value to the loss's line-search value over the in-bag samples it
/// holds (scikit-learn's `_update_terminal_regions`).
#[allow(clippy::too_many_arguments)]
fn line_search(
    tree: &mut Tree,
    leaves: &[usize],
    bag: &[usize],
    loss: Loss,
    k: usize,
    y: &[f64],
    neg_gradient: &[f64],
    raw: &[f64],
) {
    if loss == Loss::SquaredError {
        return;
    }
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); tree.nodes.len()];
    for &i in bag {
        members[leaves[i]].push(i);
    }
    for (node, rows) in tree.nodes.iter_mut().zip(&members) {
        if node.split.is_none() && !rows.is_empty() {
            if let Some(v) = loss.leaf_value(rows, k, y, neg_gradient, raw) {
                node.value[0] = v;
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

    /// The trees' unnormalised impurity decreases averaged over the trees with a split and
    /// normalised to sum to 1 (all zeros if no tree split), as scikit-learn's
    /// `feature_importances_`.
    pub(crate) fn feature_importances(&self) -> Vec<f64> {
        let trees = self.stages.iter().flatten();
        mean_importances(trees, self.n_features, Tree::impurity_decreases)
    }
}
