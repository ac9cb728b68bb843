//! Growing a decision tree with scikit-learn's `BestSplitter`: at each node every candidate
//! feature's values are sorted and every threshold between two distinct values is scored by
//! the criterion; the best one splits the node. Nodes are expanded depth first, or best
//! first (largest impurity improvement) when `max_leaf_nodes` is set, as scikit-learn's
//! `DepthFirstTreeBuilder` and `BestFirstTreeBuilder`.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::feature_draw::{FeatureDraw, RandR};
use super::fitted::{Node, Tree};
use super::{Criterion, Splitter};

/// Values closer than this are one value (scikit-learn's `FEATURE_THRESHOLD`).
const FEATURE_THRESHOLD: f64 = 1e-7;
/// Impurities at most this are pure (scikit-learn's `EPSILON`, the machine epsilon).
const EPSILON: f64 = f64::EPSILON;

/// What the tree predicts: class codes (with `k` classes) or real values.
#[derive(Clone, Copy)]
pub(crate) enum Targets<'a> {
    Classes { codes: &'a [usize], k: usize },
    Values(&'a [f64]),
}

/// The stopping rules, as scikit-learn's hyper-parameters after validation.
pub(crate) struct Rules {
    pub(crate) criterion: Criterion,
    pub(crate) splitter: Splitter,
    pub(crate) max_depth: Option<usize>,
    pub(crate) min_samples_split: usize,
    pub(crate) min_samples_leaf: usize,
    /// The least fraction of the total sample weight each leaf must keep.
    pub(crate) min_weight_fraction_leaf: f64,
    pub(crate) max_features: usize,
    pub(crate) max_leaf_nodes: Option<usize>,
    pub(crate) min_impurity_decrease: f64,
}

/// The training data of one tree.
pub(crate) struct Builder<'a> {
    /// X as `f32`, column-major (`n_features` columns of `n_samples`).
    pub(crate) columns: &'a [f32],
    pub(crate) n_samples: usize,
    pub(crate) n_features: usize,
    pub(crate) targets: Targets<'a>,
    /// The weight of each sample (its class weight or bootstrap count; 1 without); samples
    /// of weight 0 are left out.
    pub(crate) weights: &'a [f64],
    /// The sum of `weights`.
    pub(crate) total_weight: f64,
    pub(crate) rules: &'a Rules,
}

/// A node's impurity, total weight and value.
#[derive(Clone)]
struct Stats {
    impurity: f64,
    weight: f64,
    value: Vec<f64>,
    /// The weighted sum of the regression targets in row order (0 for classes), which
    /// every split search of the node starts from, as scikit-learn's `sum_total`.
    sum: f64,
}

/// The chosen split of a node, with its children already partitioned.
struct Split {
    feature: usize,
    threshold: f64,
    improvement: f64,
    /// The features known constant in the children.
    constants: usize,
    left: (Vec<u32>, Stats),
    right: (Vec<u32>, Stats),
}

impl Builder<'_> {
    /// The least weight a leaf may keep: `min_weight_fraction_leaf` of the total weight, as
    /// scikit-learn's `min_weight_leaf` (the sample weights' sum, or `n_samples` without).
    fn min_weight_leaf(&self) -> f64 {
        self.rules.min_weight_fraction_leaf * self.total_weight
    }

    /// Grows the tree on the samples `0..n_samples`, drawing feature orders from `draw`.
    /// Nodes are numbered as scikit-learn numbers them: in the order they are expanded
    /// (preorder) depth first, and as each split creates them best first.
    pub(crate) fn build(&self, draw: &mut FeatureDraw) -> Tree {
        let all: Vec<u32> = (0..self.n_samples as u32)
            .filter(|&i| self.weights[i as usize] != 0.0)
            .collect();
        let stats = self.stats(&all);
        let mut nodes = Vec::new();
        if self.rules.max_leaf_nodes.is_some() {
            self.grow_best_first(all, stats, &mut nodes, draw);
        } else {
            self.grow_depth_first(all, stats, &mut nodes, draw);
        }
        Tree {
            nodes,
            n_features: self.n_features,
        }
    }

    fn grow_depth_first(
        &self,
        rows: Vec<u32>,
        stats: Stats,
        nodes: &mut Vec<Node>,
        draw: &mut FeatureDraw,
    ) {
        // (rows, stats, depth, features known constant, the parent and whether this is its
        // left child)
        type Pending = (Vec<u32>, Stats, usize, usize, Option<(usize, bool)>);
        let mut stack: Vec<Pending> = vec![(rows, stats, 0, 0, None)];
        while let Some((rows, stats, depth, constants, parent)) = stack.pop() {
            let id = nodes.len();
            nodes.push(leaf(&stats, rows.len()));
            if let Some((p, is_left)) = parent {
                let split = nodes[p].split.as_mut().expect("a parent is split");
                if is_left {
                    split.2 = id;
                } else {
                    split.3 = id;
                }
            }
            let Some(s) = self.candidate(rows, &stats, depth, constants, draw) else {
                continue;
            };
            nodes[id].split = Some((s.feature, s.threshold, usize::MAX, usize::MAX));
            // Right first, so that the left child is expanded next.
            let c = s.constants;
            stack.push((s.right.0, s.right.1, depth + 1, c, Some((id, false))));
            stack.push((s.left.0, s.left.1, depth + 1, c, Some((id, true))));
        }
    }

    fn grow_best_first(
        &self,
        rows: Vec<u32>,
        stats: Stats,
        nodes: &mut Vec<Node>,
        draw: &mut FeatureDraw,
    ) {
        nodes.push(leaf(&stats, rows.len()));
        let root = self.candidate(rows, &stats, 0, 0, draw);
        let mut frontier: Vec<(usize, usize, Split)> =
            root.into_iter().map(|s| (0, 0, s)).collect();
        let max_splits = self.rules.max_leaf_nodes.map_or(usize::MAX, |m| m - 1);
        for _ in 0..max_splits {
            if frontier.is_empty() {
                break;
            }
            // The largest improvement, the first of ties.
            let mut best = 0;
            for (i, f) in frontier.iter().enumerate() {
                if f.2.improvement > frontier[best].2.improvement {
                    best = i;
                }
            }
            let (id, depth, s) = frontier.remove(best);
            let (lid, rid) = (nodes.len(), nodes.len() + 1);
            nodes[id].split = Some((s.feature, s.threshold, lid, rid));
            for (child, (rows, stats)) in [(lid, s.left), (rid, s.right)] {
                nodes.push(leaf(&stats, rows.len()));
                if let Some(split) = self.candidate(rows, &stats, depth + 1, s.constants, draw) {
                    frontier.push((child, depth + 1, split));
                }
            }
        }
    }

    /// The best split of a node holding `rows`, if scikit-learn's rules allow one.
    fn candidate(
        &self,
        rows: Vec<u32>,
        stats: &Stats,
        depth: usize,
        constants: usize,
        draw: &mut FeatureDraw,
    ) -> Option<Split> {
        let r = self.rules;
        let n = rows.len();
        let is_leaf = r.max_depth.is_some_and(|m| depth >= m)
            || n < r.min_samples_split
            || n < 2 * r.min_samples_leaf
            || stats.weight < 2.0 * self.min_weight_leaf()
            || stats.impurity <= EPSILON;
        if is_leaf {
            return None;
        }
        self.best_split(rows, stats, constants, draw)
            .filter(|s| s.improvement + EPSILON >= r.min_impurity_decrease)
    }

    /// The best split of `rows` over up to `max_features` non-constant features, visited in
    /// scikit-learn's order; the first of equal scores wins. `constants` features at the front
    /// of the draw are known constant from the ancestors.
    fn best_split(
        &self,
        rows: Vec<u32>,
        stats: &Stats,
        constants: usize,
        draw: &mut FeatureDraw,
    ) -> Option<Split> {
        let mut best: Option<(f64, usize, f64)> = None;
        let mut sorted: Vec<(f32, u32)> = Vec::with_capacity(rows.len());
        let constants = draw.visit(constants, self.rules.max_features, |feature, rng| {
            let col = &self.columns[feature * self.n_samples..(feature + 1) * self.n_samples];
            let found = match self.rules.splitter {
                Splitter::Best => {
                    sorted.clear();
                    sorted.extend(rows.iter().map(|&r| (col[r as usize], r)));
                    sorted.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
                    let (lo, hi) = (sorted[0].0, sorted[sorted.len() - 1].0);
                    if f64::from(hi) <= f64::from(lo) + FEATURE_THRESHOLD {
                        return false;
                    }
                    self.scan(&sorted, stats)
                }
                Splitter::Random => {
                    let first = col[rows[0] as usize];
                    let (lo, hi) = rows.iter().fold((first, first), |(lo, hi), &r| {
                        (lo.min(col[r as usize]), hi.max(col[r as usize]))
                    });
                    let (lo, hi) = (f64::from(lo), f64::from(hi));
                    if hi <= lo + FEATURE_THRESHOLD {
                        return false;
                    }
                    self.random_threshold(&rows, col, lo, hi, stats, rng)
                }
            };
            if let Some((score, threshold)) = found {
                if best.is_none_or(|b| score > b.0) {
                    best = Some((score, feature, threshold));
                }
            }
            true
        });
        let (_, feature, threshold) = best?;
        let col = &self.columns[feature * self.n_samples..(feature + 1) * self.n_samples];
        let (left, right): (Vec<u32>, Vec<u32>) = rows
            .into_iter()
            .partition(|&r| f64::from(col[r as usize]) <= threshold);
        let (ls, rs) = (self.stats(&left), self.stats(&right));
        let improvement = (stats.weight / self.total_weight)
            * (stats.impurity
                - rs.weight / stats.weight * rs.impurity
                - ls.weight / stats.weight * ls.impurity);
        Some(Split {
            feature,
            threshold,
            improvement,
            constants,
            left: (left, ls),
            right: (right, rs),
        })
    }

    /// A threshold drawn uniformly in `[lo, hi]` (`lo` if it hits `hi`) and its proxy score,
    /// as scikit-learn's `RandomSplitter`; `None` if a side keeps too few samples.
    fn random_threshold(
        &self,
        rows: &[u32],
        col: &[f32],
        lo: f64,
        hi: f64,
        node: &Stats,
        rng: &mut RandR,
    ) -> Option<(f64, f64)> {
        let mut threshold = rng.rand_uniform(lo, hi);
        if threshold == hi {
            threshold = lo;
        }
        let goes_left = |r: u32| f64::from(col[r as usize]) <= threshold;
        let n_left = rows.iter().filter(|&&r| goes_left(r)).count();
        let msl = self.rules.min_samples_leaf;
        if n_left < msl || rows.len() - n_left < msl {
            return None;
        }
        let wl: f64 = rows
            .iter()
            .filter(|&&r| goes_left(r))
            .map(|&r| self.weights[r as usize])
            .sum();
        let wr = node.weight - wl;
        if wl < self.min_weight_leaf() || wr < self.min_weight_leaf() {
            return None;
        }
        let score = match (&self.targets, self.rules.criterion) {
            (Targets::Classes { codes, k }, criterion) => {
                let (mut left, mut total) = (vec![0.0; *k], vec![0.0; *k]);
                for &r in rows {
                    let w = self.weights[r as usize];
                    total[codes[r as usize]] += w;
                    if goes_left(r) {
                        left[codes[r as usize]] += w;
                    }
                }
                let right: Vec<f64> = total.iter().zip(&left).map(|(t, l)| t - l).collect();
                let (il, ir) = (
                    class_impurity(criterion, &left, wl),
                    class_impurity(criterion, &right, wr),
                );
                -wr * ir - wl * il
            }
            (Targets::Values(y), Criterion::AbsoluteError) => {
                let (left, right): (Vec<u32>, Vec<u32>) = rows.iter().partition(|&&r| goes_left(r));
                let sad = |side: &[u32]| {
                    let v: Vec<f64> = side.iter().map(|&r| y[r as usize]).collect();
                    prefix_abs_deviations(v.iter().copied())[v.len()]
                };
                -sad(&left) - sad(&right)
            }
            (Targets::Values(y), _) => {
                let (mut sl, mut total) = (0.0, 0.0);
                for &r in rows {
                    let v = self.weights[r as usize] * y[r as usize];
                    total += v;
                    if goes_left(r) {
                        sl += v;
                    }
                }
                let sr = total - sl;
                sl * sl / wl + sr * sr / wr
            }
        };
        Some((score, threshold))
    }

    /// The best threshold of one feature (samples sorted by it) and its proxy score (larger
    /// is better, scikit-learn's `proxy_impurity_improvement`).
    fn scan(&self, sorted: &[(f32, u32)], node: &Stats) -> Option<(f64, f64)> {
        let n = sorted.len();
        let msl = self.rules.min_samples_leaf;
        let mut best: Option<(f64, usize)> = None;
        let mut consider = |p: usize, score: f64| {
            if best.is_none_or(|b| score > b.0) {
                best = Some((score, p));
            }
        };
        let mwl = self.min_weight_leaf();
        // scikit-learn's order: the sample counts, then the weights, then a gap in the feature.
        let valid = |p: usize, wl: f64| {
            p >= msl
                && n - p >= msl
                && wl >= mwl
                && node.weight - wl >= mwl
                && f64::from(sorted[p].0) > f64::from(sorted[p - 1].0) + FEATURE_THRESHOLD
        };
        match (&self.targets, self.rules.criterion) {
            (Targets::Classes { codes, k }, criterion) => {
                let mut left = vec![0.0; *k];
                let mut right = vec![0.0; *k];
                for &(_, r) in sorted {
                    right[codes[r as usize]] += self.weights[r as usize];
                }
                let (mut wl, mut wr) = (0.0, node.weight);
                for p in 1..n {
                    let r = sorted[p - 1].1 as usize;
                    let w = self.weights[r];
                    left[codes[r]] += w;
                    right[codes[r]] -= w;
                    wl += w;
                    wr -= w;
                    if valid(p, wl) {
                        let il = class_impurity(criterion, &left, wl);
                        let ir = class_impurity(criterion, &right, wr);
                        consider(p, -wr * ir - wl * il);
                    }
                }
            }
            (Targets::Values(y), Criterion::AbsoluteError) => {
                let values: Vec<f64> = sorted.iter().map(|&(_, r)| y[r as usize]).collect();
                let left = prefix_abs_deviations(values.iter().copied());
                let right = prefix_abs_deviations(values.iter().rev().copied());
                let mut wl = 0.0;
                for p in 1..n {
                    wl += self.weights[sorted[p - 1].1 as usize];
                    if valid(p, wl) {
                        consider(p, -left[p] - right[n - p]);
                    }
                }
            }
            (Targets::Values(y), _) => {
                let total = node.sum;
                let (mut sl, mut wl) = (0.0, 0.0);
                for p in 1..n {
                    let r = sorted[p - 1].1 as usize;
                    sl += self.weights[r] * y[r];
                    wl += self.weights[r];
                    if valid(p, wl) {
                        let (sr, wr) = (total - sl, node.weight - wl);
                        consider(p, sl * sl / wl + sr * sr / wr);
                    }
                }
            }
        }
        let (score, p) = best?;
        let (a, b) = (f64::from(sorted[p - 1].0), f64::from(sorted[p].0));
        let mut threshold = a / 2.0 + b / 2.0;
        if threshold == b || threshold.is_infinite() {
            threshold = a;
        }
        Some((score, threshold))
    }

    /// The impurity, weight and value of the samples `rows`.
    fn stats(&self, rows: &[u32]) -> Stats {
        let weight: f64 = rows.iter().map(|&r| self.weights[r as usize]).sum();
        match &self.targets {
            Targets::Classes { codes, k } => {
                let mut counts = vec![0.0; *k];
                for &r in rows {
                    counts[codes[r as usize]] += self.weights[r as usize];
                }
                let impurity = class_impurity(self.rules.criterion, &counts, weight);
                counts.iter_mut().for_each(|c| *c /= weight);
                Stats {
                    impurity,
                    weight,
                    value: counts,
                    sum: 0.0,
                }
            }
            Targets::Values(y) => {
                if self.rules.criterion == Criterion::AbsoluteError {
                    let mut v: Vec<f64> = rows.iter().map(|&r| y[r as usize]).collect();
                    v.sort_unstable_by(f64::total_cmp);
                    let m = v.len() / 2;
                    let median = if v.len().is_multiple_of(2) {
                        (v[m - 1] + v[m]) / 2.0
                    } else {
                        v[m]
                    };
                    let sad: f64 = v.iter().map(|x| (x - median).abs()).sum();
                    return Stats {
                        impurity: sad / weight,
                        weight,
                        value: vec![median],
                        sum: 0.0,
                    };
                }
                let (mut s, mut sq) = (0.0, 0.0);
                for &r in rows {
                    let (w, v) = (self.weights[r as usize], y[r as usize]);
                    s += w * v;
                    sq += w * v * v;
                }
                let mean = s / weight;
                Stats {
                    impurity: sq / weight - mean * mean,
                    weight,
                    value: vec![mean],
                    sum: s,
                }
            }
        }
    }
}

/// The Gini impurity or the entropy (in bits) of weighted class counts summing to `weight`.
fn class_impurity(criterion: Criterion, counts: &[f64], weight: f64) -> f64 {
    match criterion {
        Criterion::Entropy => counts
            .iter()
            .filter(|&&c| c > 0.0)
            .map(|&c| {
                let p = c / weight;
                -p * p.log2()
            })
            .sum(),
        _ => 1.0 - counts.iter().map(|&c| c * c).sum::<f64>() / (weight * weight),
    }
}

/// `f64` ordered by `total_cmp`, for the heaps of a running median.
#[derive(Clone, Copy, PartialEq)]
struct Ordered(f64);

impl Eq for Ordered {}
impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// For each prefix length `p` of `values` (index `p`, `0..=n`), the sum of absolute deviations
/// of the first `p` values from their median, kept with two heaps in O(n log n).
fn prefix_abs_deviations(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut low: BinaryHeap<Ordered> = BinaryHeap::new();
    let mut high: BinaryHeap<std::cmp::Reverse<Ordered>> = BinaryHeap::new();
    let (mut sum_low, mut sum_high) = (0.0, 0.0);
    let mut out = vec![0.0];
    for v in values {
        if low.peek().is_none_or(|m| v <= m.0) {
            low.push(Ordered(v));
            sum_low += v;
        } else {
            high.push(std::cmp::Reverse(Ordered(v)));
            sum_high += v;
        }
        // Rebalance so that `low` holds the lower half (one more when the count is odd).
        if low.len() > high.len() + 1 {
            let m = low.pop().expect("not empty").0;
            sum_low -= m;
            sum_high += m;
            high.push(std::cmp::Reverse(Ordered(m)));
        } else if high.len() > low.len() {
            let m = high.pop().expect("not empty").0 .0;
            sum_high -= m;
            sum_low += m;
            low.push(Ordered(m));
        }
        // Any point between the two middle values is a median; the lower middle will do.
        let m = low.peek().expect("not empty").0;
        out.push(m * low.len() as f64 - sum_low + sum_high - m * high.len() as f64);
    }
    out
}

fn leaf(stats: &Stats, n_samples: usize) -> Node {
    Node {
        split: None,
        impurity: stats.impurity,
        n_samples,
        weight: stats.weight,
        value: stats.value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_abs_deviations_match_a_direct_computation() {
        let v = [3.0, -1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0];
        let got = prefix_abs_deviations(v.iter().copied());
        for p in 0..=v.len() {
            let mut s = v[..p].to_vec();
            s.sort_by(f64::total_cmp);
            let want: f64 = if p == 0 {
                0.0
            } else {
                let m = s[(p - 1) / 2];
                s.iter().map(|x| (x - m).abs()).sum()
            };
            assert!(
                (got[p] - want).abs() < 1e-12,
                "prefix {p}: {} vs {want}",
                got[p]
            );
        }
    }
}
