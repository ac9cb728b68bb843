//! Regression metrics over predictions and real targets: MAE, RMSE and R², each averaged over
//! the output columns with equal weight (scikit-learn's `multioutput='uniform_average'`).

use super::{values, Metric};
use crate::error::{Error, Result};
use crate::task::StepOutput;

/// Per output column: the error sums and the targets' running mean and squared deviation
/// (Welford's update, so R²'s total sum of squares keeps its digits).
#[derive(Clone, Debug, Default)]
struct Columns {
    rows: usize,
    abs: Vec<f64>,
    sq: Vec<f64>,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl Columns {
    fn update(&mut self, out: &StepOutput, metric: &str) -> Result<()> {
        let y = values(out, metric)?;
        let w = out.width();
        if self.rows == 0 {
            *self = Columns {
                rows: 0,
                abs: vec![0.0; w],
                sq: vec![0.0; w],
                mean: vec![0.0; w],
                m2: vec![0.0; w],
            };
        } else if w != self.abs.len() {
            return Err(Error::Config(format!(
                "{metric}: a batch has {w} outputs per row, earlier ones had {}",
                self.abs.len()
            )));
        }
        for (p, t) in out.outputs.chunks(w.max(1)).zip(y.chunks(w.max(1))) {
            self.rows += 1;
            let n = self.rows as f64;
            for j in 0..w {
                let e = p[j] - t[j];
                self.abs[j] += e.abs();
                self.sq[j] += e * e;
                let d = t[j] - self.mean[j];
                self.mean[j] += d / n;
                self.m2[j] += d * (t[j] - self.mean[j]);
            }
        }
        Ok(())
    }

    /// The mean over columns of `f(column)`.
    fn average(&self, f: impl Fn(usize) -> f64) -> f64 {
        let w = self.abs.len();
        if self.rows == 0 || w == 0 {
            return f64::NAN;
        }
        (0..w).map(f).sum::<f64>() / w as f64
    }
}

macro_rules! regression_metric {
    ($name:ident, $label:literal, $higher:expr, $doc:literal, |$c:ident, $j:ident| $value:expr) => {
        #[doc = $doc]
        #[derive(Clone, Debug, Default)]
        pub struct $name(Columns);

        impl $name {
            /// An empty metric.
            pub fn new() -> Self {
                $name::default()
            }
        }

        impl Metric for $name {
            fn name(&self) -> String {
                $label.into()
            }
            fn update(&mut self, out: &StepOutput) -> Result<()> {
                self.0.update(out, $label)
            }
            fn value(&self) -> f64 {
                let $c = &self.0;
                $c.average(|$j| $value)
            }
            fn reset(&mut self) {
                self.0 = Columns::default();
            }
            fn higher_is_better(&self) -> bool {
                $higher
            }
            fn fresh(&self) -> Box<dyn Metric> {
                Box::new($name::default())
            }
        }
    };
}

regression_metric!(
    Mae,
    "mae",
    false,
    "The mean absolute error: `mean_absolute_error`.",
    |c, j| c.abs[j] / c.rows as f64
);
regression_metric!(
    Rmse,
    "rmse",
    false,
    "The root of the mean squared error, per column: `root_mean_squared_error`.",
    |c, j| (c.sq[j] / c.rows as f64).sqrt()
);
regression_metric!(
    R2Score,
    "r2",
    true,
    "The coefficient of determination `1 − SS_res / SS_tot`: `r2_score` (1 for a constant \
     target predicted exactly, 0 for one predicted inexactly, as scikit-learn's \
     `force_finite`).",
    |c, j| match (c.sq[j], c.m2[j]) {
        (res, tot) if tot != 0.0 => 1.0 - res / tot,
        (0.0, _) => 1.0,
        _ => 0.0,
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::Targets;

    fn batch(p: Vec<f64>, y: Vec<f64>, width: usize) -> StepOutput {
        StepOutput {
            loss: 0.0,
            rows: p.len() / width,
            outputs: p,
            targets: Targets::Values(y),
        }
    }

    #[test]
    fn errors_of_a_known_batch() {
        let b = batch(vec![1.0, 2.0, 4.0], vec![1.0, 3.0, 2.0], 1);
        let mut mae = Mae::new();
        let mut rmse = Rmse::new();
        let mut r2 = R2Score::new();
        for m in [&mut mae as &mut dyn Metric, &mut rmse, &mut r2] {
            m.update(&b).unwrap();
        }
        assert_eq!(mae.value(), 1.0);
        assert!((rmse.value() - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
        // SS_tot of [1, 3, 2] is 2, SS_res is 5
        assert!((r2.value() - (1.0 - 5.0 / 2.0)).abs() < 1e-15);
    }

    #[test]
    fn a_constant_target_follows_force_finite() {
        let mut r2 = R2Score::new();
        r2.update(&batch(vec![2.0, 2.0], vec![2.0, 2.0], 1))
            .unwrap();
        assert_eq!(r2.value(), 1.0);
        r2.update(&batch(vec![1.0], vec![2.0], 1)).unwrap();
        assert_eq!(r2.value(), 0.0);
    }

    #[test]
    fn a_change_of_width_is_an_error() {
        let mut m = Mae::new();
        m.update(&batch(vec![1.0, 2.0], vec![1.0, 2.0], 2)).unwrap();
        let e = m.update(&batch(vec![1.0], vec![1.0], 1)).unwrap_err();
        assert!(e.to_string().contains("mae"), "{e}");
    }
}
