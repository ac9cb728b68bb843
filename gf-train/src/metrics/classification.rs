//! Classification metrics over logits (or probabilities) and class targets: accuracy, top-k
//! accuracy, the confusion matrix, and precision / recall / F1 with scikit-learn's averages.

use super::{classes, Metric};
use crate::error::{Error, Result};
use crate::task::StepOutput;

/// The index of the largest value of a row (the first on ties, as `numpy.argmax`).
pub(crate) fn argmax(row: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = i;
        }
    }
    best
}

/// The rows of a batch's outputs, each `width` long.
fn rows(out: &StepOutput) -> impl Iterator<Item = &[f64]> {
    out.outputs.chunks(out.width().max(1))
}

/// The share of rows whose largest output is the target: `accuracy_score`.
#[derive(Clone, Debug, Default)]
pub struct Accuracy {
    correct: usize,
    seen: usize,
}

impl Accuracy {
    /// An empty count.
    pub fn new() -> Self {
        Accuracy::default()
    }
}

impl Metric for Accuracy {
    fn name(&self) -> String {
        "accuracy".into()
    }
    fn update(&mut self, out: &StepOutput) -> Result<()> {
        let y = classes(out, "accuracy")?;
        for (row, &t) in rows(out).zip(y) {
            self.correct += usize::from(argmax(row) == t);
        }
        self.seen += y.len();
        Ok(())
    }
    fn value(&self) -> f64 {
        self.correct as f64 / self.seen as f64
    }
    fn reset(&mut self) {
        *self = Accuracy::default();
    }
    fn fresh(&self) -> Box<dyn Metric> {
        Box::new(Accuracy::default())
    }
}

/// The share of rows whose target is among the `k` largest outputs: `top_k_accuracy_score`.
#[derive(Clone, Debug)]
pub struct TopK {
    k: usize,
    correct: usize,
    seen: usize,
}

impl TopK {
    /// Top-`k` accuracy; `Err` for `k = 0`.
    pub fn new(k: usize) -> Result<Self> {
        if k == 0 {
            return Err(Error::Config("top-k accuracy needs k ≥ 1, got 0".into()));
        }
        Ok(TopK {
            k,
            correct: 0,
            seen: 0,
        })
    }
}

impl Metric for TopK {
    fn name(&self) -> String {
        format!("top{}_accuracy", self.k)
    }
    fn update(&mut self, out: &StepOutput) -> Result<()> {
        let y = classes(out, "top-k accuracy")?;
        for (row, &t) in rows(out).zip(y) {
            // the target is in the top k when fewer than k outputs beat it
            let Some(&score) = row.get(t) else { continue };
            let above = row.iter().filter(|&&v| v > score).count();
            self.correct += usize::from(above < self.k);
        }
        self.seen += y.len();
        Ok(())
    }
    fn value(&self) -> f64 {
        self.correct as f64 / self.seen as f64
    }
    fn reset(&mut self) {
        self.correct = 0;
        self.seen = 0;
    }
    fn fresh(&self) -> Box<dyn Metric> {
        Box::new(TopK {
            k: self.k,
            correct: 0,
            seen: 0,
        })
    }
}

/// Counts by true class (rows) and predicted class (columns), as `confusion_matrix`. The
/// classes are the output columns; it grows when a wider batch or a larger target arrives.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConfusionMatrix {
    n: usize,
    counts: Vec<u64>,
}

impl ConfusionMatrix {
    /// An empty matrix.
    pub fn new() -> Self {
        ConfusionMatrix::default()
    }

    /// Takes one batch.
    pub fn update(&mut self, out: &StepOutput) -> Result<()> {
        let y = classes(out, "the confusion matrix")?;
        let needed = y.iter().map(|&t| t + 1).max().unwrap_or(0);
        self.grow(out.width().max(needed));
        for (row, &t) in rows(out).zip(y) {
            let p = argmax(row);
            self.counts[t * self.n + p] += 1;
        }
        Ok(())
    }

    fn grow(&mut self, n: usize) {
        if n <= self.n {
            return;
        }
        let mut counts = vec![0; n * n];
        for i in 0..self.n {
            counts[i * n..i * n + self.n].copy_from_slice(&self.counts[i * self.n..][..self.n]);
        }
        self.n = n;
        self.counts = counts;
    }

    /// The number of classes.
    pub fn classes(&self) -> usize {
        self.n
    }

    /// The count of rows of class `truth` predicted as `predicted`.
    pub fn count(&self, truth: usize, predicted: usize) -> u64 {
        if truth < self.n && predicted < self.n {
            self.counts[truth * self.n + predicted]
        } else {
            0
        }
    }

    /// The matrix, row `i` for true class `i`.
    pub fn rows(&self) -> Vec<Vec<u64>> {
        self.counts
            .chunks(self.n.max(1))
            .map(<[u64]>::to_vec)
            .collect()
    }

    /// Forgets every count.
    pub fn reset(&mut self) {
        *self = ConfusionMatrix::default();
    }

    /// Per class: true positives, predicted count (column sum), true count (row sum).
    fn per_class(&self) -> Vec<(f64, f64, f64)> {
        (0..self.n)
            .map(|c| {
                let tp = self.count(c, c) as f64;
                let predicted: u64 = (0..self.n).map(|t| self.count(t, c)).sum();
                let support: u64 = (0..self.n).map(|p| self.count(c, p)).sum();
                (tp, predicted as f64, support as f64)
            })
            .collect()
    }
}

/// How per-class scores combine into one, as scikit-learn's `average=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Average {
    /// The unweighted mean over classes.
    Macro,
    /// Computed from the counts summed over classes.
    Micro,
    /// The mean over classes weighted by each class's number of true rows.
    Weighted,
}

impl Average {
    fn suffix(self) -> &'static str {
        match self {
            Average::Macro => "macro",
            Average::Micro => "micro",
            Average::Weighted => "weighted",
        }
    }
}

/// A ratio that is 0 when its denominator is (scikit-learn's `zero_division=0`, its default
/// value after the warning).
fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

/// Which of precision, recall and F1 a [`ClassScore`] computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Score {
    Precision,
    Recall,
    F1,
}

impl Score {
    /// The score of one class from its true positives, predicted count and support.
    fn of(self, tp: f64, predicted: f64, support: f64) -> f64 {
        match self {
            Score::Precision => ratio(tp, predicted),
            Score::Recall => ratio(tp, support),
            Score::F1 => ratio(2.0 * tp, predicted + support),
        }
    }
    fn name(self) -> &'static str {
        match self {
            Score::Precision => "precision",
            Score::Recall => "recall",
            Score::F1 => "f1",
        }
    }
}

/// Precision, recall or F1 over a streaming confusion matrix, averaged.
#[derive(Clone, Debug)]
struct ClassScore {
    score: Score,
    average: Average,
    cm: ConfusionMatrix,
}

impl ClassScore {
    fn value(&self) -> f64 {
        let per = self.cm.per_class();
        match self.average {
            Average::Micro => {
                let sum = |f: fn(&(f64, f64, f64)) -> f64| per.iter().map(f).sum::<f64>();
                self.score.of(sum(|c| c.0), sum(|c| c.1), sum(|c| c.2))
            }
            Average::Macro => {
                let total: f64 = per.iter().map(|&(t, p, s)| self.score.of(t, p, s)).sum();
                total / per.len() as f64
            }
            Average::Weighted => {
                let support: f64 = per.iter().map(|c| c.2).sum();
                let total: f64 = per
                    .iter()
                    .map(|&(t, p, s)| self.score.of(t, p, s) * s)
                    .sum();
                ratio(total, support)
            }
        }
    }
}

macro_rules! class_score_metric {
    ($name:ident, $score:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Clone, Debug)]
        pub struct $name(ClassScore);

        impl $name {
            /// The score with the given averaging over classes.
            pub fn new(average: Average) -> Self {
                $name(ClassScore {
                    score: $score,
                    average,
                    cm: ConfusionMatrix::new(),
                })
            }
        }

        impl Metric for $name {
            fn name(&self) -> String {
                format!("{}_{}", self.0.score.name(), self.0.average.suffix())
            }
            fn update(&mut self, out: &StepOutput) -> Result<()> {
                self.0.cm.update(out)
            }
            fn value(&self) -> f64 {
                self.0.value()
            }
            fn reset(&mut self) {
                self.0.cm.reset();
            }
            fn fresh(&self) -> Box<dyn Metric> {
                Box::new($name::new(self.0.average))
            }
        }
    };
}

class_score_metric!(
    Precision,
    Score::Precision,
    "Of the rows predicted as a class, the share that are of it: `precision_score`."
);
class_score_metric!(
    Recall,
    Score::Recall,
    "Of the rows of a class, the share predicted as it: `recall_score`."
);
class_score_metric!(
    F1Score,
    Score::F1,
    "The harmonic mean of precision and recall: `f1_score`."
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::Targets;

    fn batch(outputs: Vec<f64>, y: Vec<usize>) -> StepOutput {
        StepOutput {
            loss: 0.0,
            rows: y.len(),
            outputs,
            targets: Targets::Classes(y),
        }
    }

    #[test]
    fn argmax_takes_the_first_of_ties() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0]), 1);
        assert_eq!(argmax(&[0.0]), 0);
    }

    #[test]
    fn a_perfect_batch_scores_one_everywhere() {
        let b = batch(vec![2.0, 0.0, 0.0, 2.0], vec![0, 1]);
        for mut m in [
            Box::new(Accuracy::new()) as Box<dyn Metric>,
            Box::new(F1Score::new(Average::Macro)),
            Box::new(Precision::new(Average::Weighted)),
            Box::new(Recall::new(Average::Micro)),
        ] {
            m.update(&b).unwrap();
            assert_eq!(m.value(), 1.0, "{}", m.name());
        }
    }

    #[test]
    fn the_confusion_matrix_grows_with_a_larger_target() {
        let mut cm = ConfusionMatrix::new();
        cm.update(&batch(vec![1.0, 0.0], vec![0])).unwrap();
        cm.update(&batch(vec![1.0, 0.0], vec![3])).unwrap();
        assert_eq!(cm.classes(), 4);
        assert_eq!(cm.count(0, 0), 1);
        assert_eq!(cm.count(3, 0), 1);
    }

    #[test]
    fn value_targets_are_an_error_naming_the_metric() {
        let b = StepOutput {
            loss: 0.0,
            rows: 1,
            outputs: vec![1.0],
            targets: Targets::Values(vec![1.0]),
        };
        let e = Accuracy::new().update(&b).unwrap_err().to_string();
        assert!(e.contains("accuracy needs class targets"), "{e}");
        assert!(TopK::new(0).is_err());
    }
}
