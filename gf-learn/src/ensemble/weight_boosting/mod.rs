//! AdaBoost, as scikit-learn's `AdaBoostClassifier` (the multi-class SAMME algorithm) and
//! `AdaBoostRegressor` (Drucker's AdaBoost.R2): decision trees are fitted one after another,
//! each on sample weights raised where the trees before it erred, and vote by how well they
//! did. Each tree's seed (and the regressor's weighted bootstrap) is drawn from one numpy
//! `RandomState(random_state)` as scikit-learn draws it, so the same seed gives
//! scikit-learn's ensemble.

mod classifier;
mod regressor;

pub use classifier::AdaBoostClassifier;
pub use regressor::{AdaBoostLoss, AdaBoostRegressor};

use crate::error::Result;
use crate::tree::numpy_random::RandomState;
use crate::tree::{mean_importances, Tree};
use crate::validation::np_sum;

/// A fitted ensemble: the trees and their votes.
#[derive(Clone, Debug)]
struct Ensemble {
    trees: Vec<Tree>,
    /// The vote of each tree (scikit-learn's `estimator_weights_`, without the trailing zeros
    /// of rounds never run).
    weights: Vec<f64>,
    /// The weighted training error of each tree.
    errors: Vec<f64>,
    n_features: usize,
}

/// What one round of boosting made.
enum Round {
    /// A tree with its vote and weighted error; the round has reweighted the samples
    /// (unless it was the last).
    Fitted { tree: Tree, vote: f64, error: f64 },
    /// A tree without error: it gets vote 1 and boosting stops.
    Perfect(Tree),
    /// A tree no better than chance: boosting stops, keeping it (with vote 0) only where
    /// scikit-learn keeps it.
    Stop(Option<Tree>),
}

/// scikit-learn's `BaseWeightBoosting.fit` loop: sample weights start at `1 / n`, are
/// clipped below at the machine epsilon before each round and renormalised after it.
/// `round(rng, weights, is_last, n_fitted)` fits one tree.
fn boost(
    n_samples: usize,
    n_estimators: usize,
    n_features: usize,
    rng: &mut RandomState,
    mut round: impl FnMut(&mut RandomState, &mut [f64], bool, usize) -> Result<Round>,
) -> Result<Ensemble> {
    let mut sample_weight = vec![1.0 / n_samples as f64; n_samples];
    let mut e = Ensemble {
        trees: Vec::new(),
        weights: Vec::new(),
        errors: Vec::new(),
        n_features,
    };
    for iboost in 0..n_estimators {
        sample_weight
            .iter_mut()
            .for_each(|w| *w = w.max(f64::EPSILON));
        let last = iboost + 1 == n_estimators;
        match round(rng, &mut sample_weight, last, e.trees.len())? {
            Round::Perfect(tree) => {
                e.trees.push(tree);
                e.weights.push(1.0);
                e.errors.push(0.0);
                break;
            }
            Round::Stop(keep) => {
                if let Some(tree) = keep {
                    e.trees.push(tree);
                    e.weights.push(0.0);
                    e.errors.push(1.0);
                }
                break;
            }
            Round::Fitted { tree, vote, error } => {
                e.trees.push(tree);
                e.weights.push(vote);
                e.errors.push(error);
            }
        }
        let total = np_sum(&sample_weight);
        if !total.is_finite() || total <= 0.0 {
            break;
        }
        if !last {
            sample_weight.iter_mut().for_each(|w| *w /= total);
        }
    }
    Ok(e)
}

impl Ensemble {
    /// The trees' normalised importances weighted by their votes.
    fn feature_importances(&self) -> Vec<f64> {
        let norm: f64 = self.weights.iter().sum();
        let mut out = vec![0.0; self.n_features];
        for (tree, w) in self.trees.iter().zip(&self.weights) {
            let imp = mean_importances([tree], self.n_features, Tree::feature_importances);
            out.iter_mut().zip(imp).for_each(|(o, v)| *o += w * v);
        }
        out.iter_mut().for_each(|o| *o /= norm);
        out
    }
}

/// Builder methods and fitted attributes of both estimators.
macro_rules! adaboost_params {
    () => {
        tree_setters!();

        /// The most trees to fit, in `[1, inf)` (fewer when one fits perfectly or is no
        /// better than chance); default 50.
        pub fn n_estimators(mut self, v: usize) -> Self {
            self.n_estimators = v;
            self
        }

        /// The factor on every tree's vote, in `(0, inf)`; default 1.0.
        pub fn learning_rate(mut self, v: f64) -> Self {
            self.learning_rate = v;
            self
        }

        /// The vote of each fitted tree; `None` before `fit`.
        pub fn estimator_weights_(&self) -> Option<&[f64]> {
            self.state.as_ref().map(|s| s.weights.as_slice())
        }

        /// The weighted training error of each fitted tree; `None` before `fit`.
        pub fn estimator_errors_(&self) -> Option<&[f64]> {
            self.state.as_ref().map(|s| s.errors.as_slice())
        }

        /// The trees' importances weighted by their votes; `None` before `fit`.
        pub fn feature_importances_(&self) -> Option<Vec<f64>> {
            self.state.as_ref().map(Ensemble::feature_importances)
        }

        /// The number of fitted trees; `None` before `fit`.
        pub fn n_estimators_(&self) -> Option<usize> {
            self.state.as_ref().map(|s| s.trees.len())
        }

        fn check_params(&self, name: &'static str) -> Result<()> {
            check_n_estimators(name, self.n_estimators)?;
            check_param(
                name,
                "learning_rate",
                self.learning_rate,
                "a float in (0, inf)",
                |v| v > 0.0 && v.is_finite(),
            )
        }
    };
}
use adaboost_params;
