//! Classification metrics on label tensors: accuracy, balanced accuracy, precision / recall /
//! F-beta, the confusion matrix and the log loss.

use gf_core::ops::create::TensorCreate;
use gf_core::{Cpu, Dtype, Tensor};

use crate::error::{Error, Result};
use crate::traits::{Scores, Target};
use crate::validation::check_lengths;

/// A matrix of counts.
pub type Counts = Tensor<(usize, usize), usize, Cpu>;

/// The labels of `y_true` and `y_pred` as host vectors of equal, non-zero length.
fn pair(
    op: &'static str,
    y_true: &Target<usize>,
    y_pred: &Target<usize>,
) -> Result<(Vec<usize>, Vec<usize>)> {
    let (t, p) = (y_true.try_to_vec()?, y_pred.try_to_vec()?);
    check_lengths(op, t.len(), p.len())?;
    if t.is_empty() {
        return Err(Error::input(op, "y_true and y_pred are empty"));
    }
    Ok((t, p))
}

/// The sorted distinct labels of both vectors.
fn union_labels(t: &[usize], p: &[usize]) -> Vec<usize> {
    let mut labels: Vec<usize> = t.iter().chain(p).copied().collect();
    labels.sort_unstable();
    labels.dedup();
    labels
}

/// `num / den`, or 0 when `den` is 0 (scikit-learn's default `zero_division`).
fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

/// The fraction of samples whose predicted label equals the true one.
pub fn accuracy_score(y_true: &Target<usize>, y_pred: &Target<usize>) -> Result<f64> {
    let (t, p) = pair("accuracy_score", y_true, y_pred)?;
    let hits = t.iter().zip(&p).filter(|(a, b)| a == b).count();
    Ok(hits as f64 / t.len() as f64)
}

/// The confusion matrix `C[i][j]`: samples of true label `labels[i]` predicted as `labels[j]`,
/// with `labels` the sorted distinct labels of both inputs (returned alongside).
pub fn confusion_matrix(
    y_true: &Target<usize>,
    y_pred: &Target<usize>,
) -> Result<(Vec<usize>, Counts)> {
    let (t, p) = pair("confusion_matrix", y_true, y_pred)?;
    let labels = union_labels(&t, &p);
    let k = labels.len();
    let mut counts = vec![0usize; k * k];
    let index = |v: &usize| labels.binary_search(v).expect("a label of the union");
    for (a, b) in t.iter().zip(&p) {
        counts[index(a) * k + index(b)] += 1;
    }
    let matrix = Cpu::default().try_tensor_from_vec(counts, (k, k))?;
    Ok((labels, matrix))
}

/// The mean recall over the classes present in `y_true` (scikit-learn's
/// `balanced_accuracy_score` with `adjusted=False`).
pub fn balanced_accuracy_score(y_true: &Target<usize>, y_pred: &Target<usize>) -> Result<f64> {
    let (t, p) = pair("balanced_accuracy_score", y_true, y_pred)?;
    let stats = ClassStats::new(&t, &p, &union_labels(&t, &p));
    let recalls: Vec<f64> = (0..stats.labels.len())
        .filter(|&i| stats.true_sum[i] > 0.0)
        .map(|i| stats.tp[i] / stats.true_sum[i])
        .collect();
    Ok(recalls.iter().sum::<f64>() / recalls.len() as f64)
}

/// How per-class scores are combined: scikit-learn's `average` parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Average {
    /// The score of the class `pos_label` only; the data must have at most two labels
    /// (scikit-learn's default, `average="binary"`, `pos_label=1`).
    Binary {
        /// The positive class.
        pos_label: usize,
    },
    /// Counts summed over classes, then one score.
    Micro,
    /// The unweighted mean of the per-class scores.
    Macro,
    /// The mean of the per-class scores weighted by each class's number of true samples.
    Weighted,
}

impl Default for Average {
    fn default() -> Self {
        Average::Binary { pos_label: 1 }
    }
}

/// Per-label true positives, predicted counts and true counts.
struct ClassStats {
    labels: Vec<usize>,
    tp: Vec<f64>,
    pred_sum: Vec<f64>,
    true_sum: Vec<f64>,
}

impl ClassStats {
    fn new(t: &[usize], p: &[usize], labels: &[usize]) -> Self {
        let k = labels.len();
        let (mut tp, mut pred_sum, mut true_sum) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
        for (a, b) in t.iter().zip(p) {
            let (ia, ib) = (labels.binary_search(a), labels.binary_search(b));
            if let Ok(i) = ia {
                true_sum[i] += 1.0;
            }
            if let Ok(j) = ib {
                pred_sum[j] += 1.0;
            }
            if let (Ok(i), true) = (ia, a == b) {
                tp[i] += 1.0;
            }
        }
        ClassStats {
            labels: labels.to_vec(),
            tp,
            pred_sum,
            true_sum,
        }
    }
}

/// Precision, recall, F-beta and support, as scikit-learn's `precision_recall_fscore_support`
/// returns them for an `average`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prfs {
    /// `tp / (tp + fp)`.
    pub precision: f64,
    /// `tp / (tp + fn)`.
    pub recall: f64,
    /// `(1 + β²) tp / ((1 + β²) tp + β² fn + fp)`.
    pub fbeta: f64,
    /// The number of true samples of the class (binary), or of all classes.
    pub support: usize,
}

/// Precision, recall and F-beta of `y_pred` against `y_true`, combined by `average`; a
/// division by zero gives 0. `Err` for a negative or NaN `beta`, or for
/// [`Average::Binary`] on more than two labels or with a `pos_label` absent from two.
pub fn precision_recall_fscore_support(
    y_true: &Target<usize>,
    y_pred: &Target<usize>,
    beta: f64,
    average: Average,
) -> Result<Prfs> {
    const OP: &str = "precision_recall_fscore_support";
    if beta.is_nan() || beta < 0.0 {
        return Err(Error::parameter(OP, "beta", "a float in [0, inf)", beta));
    }
    let (t, p) = pair(OP, y_true, y_pred)?;
    let present = union_labels(&t, &p);
    let labels = match average {
        Average::Binary { pos_label } => {
            if present.len() > 2 {
                return Err(Error::input(
                    OP,
                    format!("target is multiclass ({} labels) but average is binary; choose another average", present.len()),
                ));
            }
            if present.len() == 2 && !present.contains(&pos_label) {
                return Err(Error::input(
                    OP,
                    format!("pos_label={pos_label} is not a valid label: it should be one of {present:?}"),
                ));
            }
            vec![pos_label]
        }
        _ => present,
    };
    let s = ClassStats::new(&t, &p, &labels);
    let b2 = beta * beta;
    let score = |tp: f64, pred: f64, truth: f64| {
        let (fp, fn_) = (pred - tp, truth - tp);
        (
            ratio(tp, pred),
            ratio(tp, truth),
            ratio((1.0 + b2) * tp, (1.0 + b2) * tp + b2 * fn_ + fp),
        )
    };
    let support: f64 = s.true_sum.iter().sum();
    let (precision, recall, fbeta) = match average {
        Average::Micro => score(
            s.tp.iter().sum(),
            s.pred_sum.iter().sum(),
            s.true_sum.iter().sum(),
        ),
        _ => {
            let per: Vec<(f64, f64, f64)> = (0..labels.len())
                .map(|i| score(s.tp[i], s.pred_sum[i], s.true_sum[i]))
                .collect();
            let weights: Vec<f64> = match average {
                Average::Weighted => s.true_sum.clone(),
                _ => vec![1.0; labels.len()],
            };
            let total: f64 = weights.iter().sum();
            let mean = |f: fn(&(f64, f64, f64)) -> f64| {
                ratio(per.iter().zip(&weights).map(|(v, w)| f(v) * w).sum(), total)
            };
            (mean(|v| v.0), mean(|v| v.1), mean(|v| v.2))
        }
    };
    Ok(Prfs {
        precision,
        recall,
        fbeta,
        support: support as usize,
    })
}

/// The precision `tp / (tp + fp)`, combined by `average`.
pub fn precision_score(
    y_true: &Target<usize>,
    y_pred: &Target<usize>,
    average: Average,
) -> Result<f64> {
    Ok(precision_recall_fscore_support(y_true, y_pred, 1.0, average)?.precision)
}

/// The recall `tp / (tp + fn)`, combined by `average`.
pub fn recall_score(
    y_true: &Target<usize>,
    y_pred: &Target<usize>,
    average: Average,
) -> Result<f64> {
    Ok(precision_recall_fscore_support(y_true, y_pred, 1.0, average)?.recall)
}

/// The F1 score, the harmonic mean of precision and recall, combined by `average`.
pub fn f1_score(y_true: &Target<usize>, y_pred: &Target<usize>, average: Average) -> Result<f64> {
    Ok(precision_recall_fscore_support(y_true, y_pred, 1.0, average)?.fbeta)
}

/// The F-beta score (recall weighted `beta` times as much as precision), combined by `average`.
pub fn fbeta_score(
    y_true: &Target<usize>,
    y_pred: &Target<usize>,
    beta: f64,
    average: Average,
) -> Result<f64> {
    Ok(precision_recall_fscore_support(y_true, y_pred, beta, average)?.fbeta)
}

/// The mean cross-entropy of the probabilities `y_proba` (one column per label of `labels`,
/// or of the sorted distinct labels of `y_true` when `None`) against `y_true`. Probabilities
/// are clipped to `[eps, 1 - eps]` with `eps` the machine epsilon of `E`, as scikit-learn does;
/// a single column is the probability of the second label.
pub fn log_loss<E: Dtype>(
    y_true: &Target<usize>,
    y_proba: &Scores<E>,
    labels: Option<&[usize]>,
) -> Result<f64> {
    const OP: &str = "log_loss";
    let t = y_true.try_to_vec()?;
    let [n, k] = y_proba.dims();
    check_lengths(OP, t.len(), n)?;
    if n == 0 {
        return Err(Error::input(OP, "y_true is empty"));
    }
    let labels = match labels {
        Some(l) => {
            let mut l = l.to_vec();
            l.sort_unstable();
            l.dedup();
            l
        }
        None => union_labels(&t, &[]),
    };
    if labels.len() < 2 {
        return Err(Error::input(
            OP,
            format!("y_true contains only one label ({labels:?}); provide the true labels explicitly with `labels`"),
        ));
    }
    let p: Vec<f64> = y_proba
        .try_to_vec()?
        .into_iter()
        .map(Dtype::as_f64)
        .collect();
    if let Some(v) = p.iter().find(|v| !(0.0..=1.0).contains(*v)) {
        return Err(Error::input(
            OP,
            format!("y_proba contains {v}, outside [0, 1]"),
        ));
    }
    let width = if k == 1 { 2 } else { k };
    if width != labels.len() {
        return Err(Error::input(
            OP,
            format!(
                "y_true has {} labels {labels:?} but y_proba has {k} columns",
                labels.len()
            ),
        ));
    }
    let eps = E::epsilon().as_f64();
    let mut total = 0.0;
    for (i, label) in t.iter().enumerate() {
        let j = labels.binary_search(label).map_err(|_| {
            Error::input(
                OP,
                format!("y_true has label {label}, which is not in labels {labels:?}"),
            )
        })?;
        let prob = if k == 1 {
            if j == 1 {
                p[i]
            } else {
                1.0 - p[i]
            }
        } else {
            p[i * k + j]
        };
        total -= prob.clamp(eps, 1.0 - eps).ln();
    }
    Ok(total / n as f64)
}
