//! Scores comparing a labelling with a reference one: the pair-counting indices (adjusted
//! Rand, Fowlkes–Mallows) and the information-theoretic ones (mutual information, its
//! normalised and adjusted forms, homogeneity, completeness, V-measure), each following
//! scikit-learn's formula and order of operations.

use super::{encode, Encoded, LabelArray};
use crate::error::{Error, Result};
use crate::validation::{check_lengths, np_sum};

/// The contingency table of two labellings, kept sparse: its non-zero cells in row-major order
/// (as scikit-learn's CSR matrix) and its row and column sums.
struct Contingency {
    n_samples: usize,
    /// Samples of each true class.
    rows: Vec<usize>,
    /// Samples of each predicted cluster.
    cols: Vec<usize>,
    /// `(class, cluster, count)` of every non-empty cell.
    cells: Vec<(usize, usize, usize)>,
}

impl Contingency {
    fn new(t: &Encoded, p: &Encoded) -> Self {
        let mut pairs: Vec<(usize, usize)> = t
            .codes
            .iter()
            .copied()
            .zip(p.codes.iter().copied())
            .collect();
        pairs.sort_unstable();
        let mut cells: Vec<(usize, usize, usize)> = Vec::new();
        for (a, b) in pairs {
            match cells.last_mut() {
                Some(last) if (last.0, last.1) == (a, b) => last.2 += 1,
                _ => cells.push((a, b, 1)),
            }
        }
        Contingency {
            n_samples: t.codes.len(),
            rows: t.counts(),
            cols: p.counts(),
            cells,
        }
    }

    /// Σ n_ij², the number of ordered sample pairs (self-pairs included) in one cell.
    fn sum_squares(&self) -> i128 {
        self.cells.iter().map(|c| (c.2 as i128).pow(2)).sum()
    }

    /// scikit-learn's `mutual_info_score` on this table, in nats.
    fn mutual_info(&self) -> f64 {
        if self.rows.len() == 1 || self.cols.len() == 1 {
            return 0.0;
        }
        let total = self.n_samples as f64;
        let log_total = total.ln();
        let terms: Vec<f64> = self
            .cells
            .iter()
            .map(|&(i, j, v)| {
                let v = v as f64;
                let p_ij = v / total;
                let outer = (self.rows[i] as i64 * self.cols[j] as i64) as f64;
                let log_outer = -outer.ln() + log_total + log_total;
                let term = p_ij * (v.ln() - log_total) + p_ij * log_outer;
                if term.abs() < f64::EPSILON {
                    0.0
                } else {
                    term
                }
            })
            .collect();
        np_sum(&terms).max(0.0)
    }

    /// The mutual information two random labellings with these class and cluster sizes share
    /// on average (scikit-learn's `expected_mutual_information`, the hypergeometric model).
    fn expected_mutual_info(&self) -> f64 {
        if self.rows.len() == 1 || self.cols.len() == 1 {
            return 0.0;
        }
        let n = self.n_samples as i64;
        let nf = n as f64;
        let max = *self.rows.iter().chain(&self.cols).max().unwrap_or(&1);
        let lgamma = libm::lgamma;
        // Index 0 is never used; 1 there keeps the logarithm finite, as scikit-learn does.
        let nijs: Vec<f64> = (0..=max)
            .map(|v| if v == 0 { 1.0 } else { v as f64 })
            .collect();
        let log_n_nij: Vec<f64> = nijs.iter().map(|v| nf.ln() + v.ln()).collect();
        let gln_n_nij: Vec<f64> = nijs
            .iter()
            .map(|v| lgamma(v + 1.0) + lgamma(nf + 1.0))
            .collect();
        let side = |sizes: &[usize]| -> (Vec<f64>, Vec<f64>, Vec<f64>) {
            let log: Vec<f64> = sizes.iter().map(|&a| (a as f64).ln()).collect();
            let gln: Vec<f64> = sizes.iter().map(|&a| lgamma(a as f64 + 1.0)).collect();
            let gln_rest: Vec<f64> = sizes
                .iter()
                .map(|&a| lgamma((n - a as i64) as f64 + 1.0))
                .collect();
            (log, gln, gln_rest)
        };
        let (log_a, gln_a, gln_na) = side(&self.rows);
        let (log_b, gln_b, gln_nb) = side(&self.cols);
        let mut emi = 0.0;
        for (i, &a) in self.rows.iter().enumerate() {
            let a = a as i64;
            for (j, &b) in self.cols.iter().enumerate() {
                let b = b as i64;
                let start = (a - n + b).max(1);
                let end = a.min(b) + 1;
                for nij in start..end {
                    let k = nij as usize;
                    let term1 = nijs[k] / nf;
                    let term2 = log_n_nij[k] - log_a[i] - log_b[j];
                    let gln = gln_a[i] + gln_b[j] + gln_na[i] + gln_nb[j]
                        - gln_n_nij[k]
                        - lgamma((a - nij + 1) as f64)
                        - lgamma((b - nij + 1) as f64)
                        - lgamma((n - a - b + nij + 1) as f64);
                    emi += term1 * term2 * gln.exp();
                }
            }
        }
        emi
    }
}

/// Both labellings encoded, of equal non-zero length, with their contingency table.
fn table<A, B>(
    op: &'static str,
    labels_true: &A,
    labels_pred: &B,
) -> Result<(Encoded, Encoded, Contingency)>
where
    A: LabelArray + ?Sized,
    B: LabelArray + ?Sized,
{
    let t = encode(op, labels_true)?;
    let p = encode(op, labels_pred)?;
    check_lengths(op, t.codes.len(), p.codes.len())?;
    let c = Contingency::new(&t, &p);
    Ok((t, p, c))
}

/// The entropy of a labelling with these label counts, in nats (scikit-learn's `entropy`).
fn entropy(counts: &[usize]) -> f64 {
    if counts.len() == 1 {
        return 0.0;
    }
    let total = np_sum(&counts.iter().map(|&c| c as f64).collect::<Vec<_>>());
    let log_total = total.ln();
    let terms: Vec<f64> = counts
        .iter()
        .map(|&c| {
            let c = c as f64;
            (c / total) * (c.ln() - log_total)
        })
        .collect();
    -np_sum(&terms)
}

/// The Rand index adjusted for chance: 1 for identical partitions (whatever the label names),
/// about 0 for independent ones, down to -0.5 for especially discordant ones.
pub fn adjusted_rand_score<A, B>(labels_true: &A, labels_pred: &B) -> Result<f64>
where
    A: LabelArray + ?Sized,
    B: LabelArray + ?Sized,
{
    let (_, _, c) = table("adjusted_rand_score", labels_true, labels_pred)?;
    // scikit-learn's pair_confusion_matrix, in exact integers.
    let n = c.n_samples as i128;
    let sum_squares = c.sum_squares();
    let by_cols: i128 = c
        .cells
        .iter()
        .map(|&(_, j, v)| v as i128 * c.cols[j] as i128)
        .sum();
    let by_rows: i128 = c
        .cells
        .iter()
        .map(|&(i, _, v)| v as i128 * c.rows[i] as i128)
        .sum();
    let tp = sum_squares - n;
    let fp = by_cols - sum_squares;
    let fn_ = by_rows - sum_squares;
    let tn = n * n - fp - fn_ - sum_squares;
    if fn_ == 0 && fp == 0 {
        return Ok(1.0);
    }
    let num = tp * tn - fn_ * fp;
    let den = (tp + fn_) * (fn_ + tn) + (tp + fp) * (fp + tn);
    Ok(2.0 * num as f64 / den as f64)
}

/// The geometric mean of pairwise precision and recall: `TP / sqrt((TP + FP) (TP + FN))` over
/// pairs of samples; 0 when no pair shares a cluster in both labellings.
pub fn fowlkes_mallows_score<A, B>(labels_true: &A, labels_pred: &B) -> Result<f64>
where
    A: LabelArray + ?Sized,
    B: LabelArray + ?Sized,
{
    let (_, _, c) = table("fowlkes_mallows_score", labels_true, labels_pred)?;
    let n = c.n_samples as i128;
    let squares = |v: &[usize]| v.iter().map(|&x| (x as i128).pow(2)).sum::<i128>();
    let tk = c.sum_squares() - n;
    let pk = squares(&c.cols) - n;
    let qk = squares(&c.rows) - n;
    if tk == 0 {
        return Ok(0.0);
    }
    Ok((tk as f64 / pk as f64).sqrt() * (tk as f64 / qk as f64).sqrt())
}

/// The mutual information of two labellings, in nats.
pub fn mutual_info_score<A, B>(labels_true: &A, labels_pred: &B) -> Result<f64>
where
    A: LabelArray + ?Sized,
    B: LabelArray + ?Sized,
{
    let (_, _, c) = table("mutual_info_score", labels_true, labels_pred)?;
    Ok(c.mutual_info())
}

/// The mutual information divided by the arithmetic mean of the two entropies (scikit-learn's
/// default `average_method="arithmetic"`): 1 for identical partitions, 0 for independent ones.
pub fn normalized_mutual_info_score<A, B>(labels_true: &A, labels_pred: &B) -> Result<f64>
where
    A: LabelArray + ?Sized,
    B: LabelArray + ?Sized,
{
    let (t, p, c) = table("normalized_mutual_info_score", labels_true, labels_pred)?;
    if t.n_labels == 1 && p.n_labels == 1 {
        return Ok(1.0);
    }
    let mi = c.mutual_info();
    if mi == 0.0 {
        return Ok(0.0);
    }
    let normalizer = (entropy(&c.rows) + entropy(&c.cols)) / 2.0;
    Ok(mi / normalizer)
}

/// The mutual information adjusted for chance, `(MI - E[MI]) / (mean(H_true, H_pred) -
/// E[MI])` with the arithmetic mean (scikit-learn's default) and the expected mutual
/// information of the hypergeometric model: 1 for identical partitions, about 0 for random
/// ones.
pub fn adjusted_mutual_info_score<A, B>(labels_true: &A, labels_pred: &B) -> Result<f64>
where
    A: LabelArray + ?Sized,
    B: LabelArray + ?Sized,
{
    let (t, p, c) = table("adjusted_mutual_info_score", labels_true, labels_pred)?;
    if t.n_labels == 1 && p.n_labels == 1 {
        return Ok(1.0);
    }
    let mi = c.mutual_info();
    let emi = c.expected_mutual_info();
    let normalizer = (entropy(&c.rows) + entropy(&c.cols)) / 2.0;
    let mut denominator = normalizer - emi;
    // scikit-learn keeps the sign and bounds the magnitude away from 0.
    if denominator < 0.0 {
        denominator = denominator.min(-f64::EPSILON);
    } else {
        denominator = denominator.max(f64::EPSILON);
    }
    Ok((mi - emi) / denominator)
}

/// Homogeneity (each cluster holds members of one class only), completeness (all members of a
/// class are in one cluster) and their weighted harmonic mean, the V-measure, where `beta > 1`
/// weighs completeness more. A labelling of entropy 0 counts as perfectly homogeneous /
/// complete, as in scikit-learn.
pub fn homogeneity_completeness_v_measure<A, B>(
    labels_true: &A,
    labels_pred: &B,
    beta: f64,
) -> Result<(f64, f64, f64)>
where
    A: LabelArray + ?Sized,
    B: LabelArray + ?Sized,
{
    const OP: &str = "homogeneity_completeness_v_measure";
    if !(beta.is_finite() && beta >= 0.0) {
        return Err(Error::parameter(OP, "beta", "a float in [0, inf)", beta));
    }
    let (_, _, c) = table(OP, labels_true, labels_pred)?;
    let (h_c, h_k) = (entropy(&c.rows), entropy(&c.cols));
    let mi = c.mutual_info();
    let homogeneity = if h_c != 0.0 { mi / h_c } else { 1.0 };
    let completeness = if h_k != 0.0 { mi / h_k } else { 1.0 };
    let v = if homogeneity + completeness == 0.0 {
        0.0
    } else {
        (1.0 + beta) * homogeneity * completeness / (beta * homogeneity + completeness)
    };
    Ok((homogeneity, completeness, v))
}

/// The homogeneity of [`homogeneity_completeness_v_measure`].
pub fn homogeneity_score<A, B>(labels_true: &A, labels_pred: &B) -> Result<f64>
where
    A: LabelArray + ?Sized,
    B: LabelArray + ?Sized,
{
    Ok(homogeneity_completeness_v_measure(labels_true, labels_pred, 1.0)?.0)
}

/// The completeness of [`homogeneity_completeness_v_measure`].
pub fn completeness_score<A, B>(labels_true: &A, labels_pred: &B) -> Result<f64>
where
    A: LabelArray + ?Sized,
    B: LabelArray + ?Sized,
{
    Ok(homogeneity_completeness_v_measure(labels_true, labels_pred, 1.0)?.1)
}

/// The V-measure of [`homogeneity_completeness_v_measure`] with weight `beta` (scikit-learn's
/// default is 1, the plain harmonic mean, equal to the arithmetic-mean NMI).
pub fn v_measure_score<A, B>(labels_true: &A, labels_pred: &B, beta: f64) -> Result<f64>
where
    A: LabelArray + ?Sized,
    B: LabelArray + ?Sized,
{
    Ok(homogeneity_completeness_v_measure(labels_true, labels_pred, beta)?.2)
}
