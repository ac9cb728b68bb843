//! Per-node histograms (sum of gradients, sum of hessians, count per bin and feature) and the
//! best split they allow, as scikit-learn's `HistogramBuilder` and `Splitter`.

use rayon::prelude::*;

/// Bins per feature in a histogram: 255 for values plus one for NaN.
pub(crate) const N_BINS: usize = 256;

/// One histogram bin.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Bin {
    pub(crate) g: f64,
    pub(crate) h: f64,
    pub(crate) count: u32,
}

/// The histograms of every feature of one node, `n_features * N_BINS` bins.
pub(crate) type Histograms = Vec<Bin>;

/// What a node brings to a histogram pass: its gradient and hessian sums and sample count,
/// and whether its best split is wanted.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Totals {
    pub(crate) g: f64,
    pub(crate) h: f64,
    pub(crate) n: u32,
    pub(crate) find_split: bool,
}

/// A node's histograms and, when asked for, its best split.
pub(crate) type Built = (Histograms, Option<Split>);

/// The histograms of a node from its samples `rows` of the column-major bins `binned`, and
/// with `sibling` the histograms of its sibling as the parent's less those (scikit-learn's
/// histogram subtraction), with the best split of each: one rayon task per feature does all
/// of a feature's work, so a node costs one parallel pass rather than one per step. Each
/// feature is summed in sample order and features are compared in order, so the result does
/// not depend on the number of threads.
#[allow(clippy::too_many_arguments)]
pub(crate) fn build(
    ctx: &SplitContext,
    binned: &[u8],
    n_samples: usize,
    rows: &[u32],
    grad: &[f32],
    hess: &[f32],
    node: Totals,
    sibling: Option<(&Histograms, Totals)>,
) -> (Built, Option<Built>) {
    let n_features = ctx.n_bins_non_missing.len();
    // Gradients gathered in node order once, so that the per-feature loops read them
    // contiguously (scikit-learn's ordered gradients).
    let og: Vec<f32> = rows.iter().map(|&r| grad[r as usize]).collect();
    let oh: Vec<f32> = rows.iter().map(|&r| hess[r as usize]).collect();
    let mut hist = vec![Bin::default(); n_features * N_BINS];
    let mut sib = sibling.map(|_| vec![Bin::default(); n_features * N_BINS]);
    let sib_chunks: Vec<Option<&mut [Bin]>> = match sib.as_mut() {
        Some(s) => s.chunks_mut(N_BINS).map(Some).collect(),
        None => (0..n_features).map(|_| None).collect(),
    };
    let splits: Vec<(Option<Split>, Option<Split>)> = hist
        .par_chunks_mut(N_BINS)
        .zip(sib_chunks)
        .enumerate()
        .map(|(j, (own, other))| {
            let col = &binned[j * n_samples..(j + 1) * n_samples];
            for ((&r, &g), &h) in rows.iter().zip(&og).zip(&oh) {
                let b = &mut own[col[r as usize] as usize];
                b.g += f64::from(g);
                b.h += f64::from(h);
                b.count += 1;
            }
            let own_split = node
                .find_split
                .then(|| ctx.best_for_feature(j, own, node))
                .flatten();
            let other_split = match (other, sibling) {
                (Some(other), Some((parent, totals))) => {
                    let parent = &parent[j * N_BINS..(j + 1) * N_BINS];
                    for ((o, p), c) in other.iter_mut().zip(parent).zip(own.iter()) {
                        *o = Bin {
                            g: p.g - c.g,
                            h: p.h - c.h,
                            count: p.count - c.count,
                        };
                    }
                    totals
                        .find_split
                        .then(|| ctx.best_for_feature(j, other, totals))
                        .flatten()
                }
                _ => None,
            };
            (own_split, other_split)
        })
        .collect();
    // The first feature wins ties, as scikit-learn's sequential `gain > best_gain`.
    let first_best = |splits: &mut dyn Iterator<Item = Option<Split>>| {
        splits.flatten().fold(None, |best: Option<Split>, s| {
            if best.is_none_or(|b| s.gain > b.gain) {
                Some(s)
            } else {
                best
            }
        })
    };
    let own_best = first_best(&mut splits.iter().map(|s| s.0));
    let other_best = first_best(&mut splits.iter().map(|s| s.1));
    ((hist, own_best), sib.map(|s| (s, other_best)))
}

/// A candidate split of a node.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Split {
    pub(crate) gain: f64,
    pub(crate) feature: usize,
    /// Bins `<= bin` go left.
    pub(crate) bin: u8,
    pub(crate) missing_go_left: bool,
    pub(crate) g_left: f64,
    pub(crate) h_left: f64,
    pub(crate) n_left: u32,
    pub(crate) g_right: f64,
    pub(crate) h_right: f64,
    pub(crate) n_right: u32,
}

/// The constraints and features a split search needs.
pub(crate) struct SplitContext<'a> {
    pub(crate) n_bins_non_missing: &'a [usize],
    pub(crate) has_missing: &'a [bool],
    pub(crate) l2: f64,
    pub(crate) min_samples_leaf: u32,
}

/// The hessian sum below which a child may not be made (scikit-learn's
/// `min_hessian_to_split`).
const MIN_HESSIAN: f64 = 1e-3;

/// The leaf value `-G / (H + l2)` before shrinkage (scikit-learn's `compute_node_value`).
pub(crate) fn node_value(g: f64, h: f64, l2: f64) -> f64 {
    -g / (h + l2 + 1e-15)
}

/// The loss decrease `G_L v_L`-style terms of scikit-learn's `_split_gain`.
fn loss_from(g: f64, h: f64, l2: f64) -> f64 {
    g * node_value(g, h, l2)
}

impl SplitContext<'_> {
    /// The best split on feature `j` of a node with totals `node`, or `None` if no split has
    /// positive gain.
    fn best_for_feature(&self, j: usize, hist: &[Bin], node: Totals) -> Option<Split> {
        let (g, h, n) = (node.g, node.h, node.n);
        let parent_loss = loss_from(g, h, self.l2);
        let (nb, missing) = (self.n_bins_non_missing[j], self.has_missing[j]);
        let mut best: Option<Split> = None;
        let mut consider = |bin: usize, gl: f64, hl: f64, nl: u32, missing_left: bool| {
            let nr = n - nl;
            let (gr, hr) = (g - gl, h - hl);
            let gain = parent_loss - loss_from(gl, hl, self.l2) - loss_from(gr, hr, self.l2);
            if gain > 0.0 && best.is_none_or(|b| gain > b.gain) {
                best = Some(Split {
                    gain,
                    feature: j,
                    bin: bin as u8,
                    missing_go_left: missing_left,
                    g_left: gl,
                    h_left: hl,
                    n_left: nl,
                    g_right: gr,
                    h_right: hr,
                    n_right: nr,
                });
            }
        };
        // Left to right, NaN on the right; with NaN, the last bin too ("split on NaN").
        let (mut gl, mut hl, mut nl) = (0.0, 0.0, 0u32);
        for (bin, b) in hist.iter().enumerate().take(nb - 1 + usize::from(missing)) {
            gl += b.g;
            hl += b.h;
            nl += b.count;
            if nl < self.min_samples_leaf {
                continue;
            }
            if n - nl < self.min_samples_leaf {
                break;
            }
            if hl < MIN_HESSIAN {
                continue;
            }
            if h - hl < MIN_HESSIAN {
                break;
            }
            consider(bin, gl, hl, nl, false);
        }
        if missing {
            // Right to left, NaN on the left.
            let (mut gr, mut hr, mut nr) = (0.0, 0.0, 0u32);
            for bin in (0..nb.saturating_sub(1)).rev() {
                let b = hist[bin + 1];
                gr += b.g;
                hr += b.h;
                nr += b.count;
                if nr < self.min_samples_leaf {
                    continue;
                }
                if n - nr < self.min_samples_leaf {
                    break;
                }
                if hr < MIN_HESSIAN {
                    continue;
                }
                if h - hr < MIN_HESSIAN {
                    break;
                }
                consider(bin, g - gr, h - hr, n - nr, true);
            }
        } else if let Some(s) = best.as_mut() {
            // NaN never seen in training: at predict time it follows the larger child.
            s.missing_go_left = s.n_left > s.n_right;
        }
        best
    }
}
