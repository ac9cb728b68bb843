//! C-support vector classification, as scikit-learn's `SVC`.

use gf_core::shape::Dim;
use gf_core::Dtype;

use super::kernel::{Kernel, KernelFn};
use super::model::ClassModel;
use super::train::{train_svc, LibsvmRng, Samples};
use super::{c_setter, check_nu, kernel_input, rows, solver_setters, SolverParams};
use crate::error::{Error, Result};
use crate::linear_model::ClassWeight;
use crate::traits::{Classifier, DecisionFunction, Features, PredictProba, Scores, Target};
use crate::tree::numpy_random::RandomState;
use crate::validation::{
    check_x, check_x_width, check_y_class, fitted, label_vector, sample_weights, Matrix,
};

/// The columns of [`SVC`]'s `decision_function` for three or more classes (scikit-learn's
/// `decision_function_shape`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DecisionShape {
    /// One column per class: the one-vs-one votes plus a confidence below 1/3 that breaks
    /// their ties (scikit-learn's default).
    #[default]
    Ovr,
    /// One column per pair of classes (0,1), (0,2), …, (1,2), …: libsvm's raw values.
    Ovo,
}

/// C-support vector classification (scikit-learn's `SVC`): one binary SVM per pair of
/// classes, each solved by libsvm's SMO, and a vote between them.
///
/// ```
/// use gf_core::prelude::*;
/// use gf_learn::prelude::*;
/// use gf_learn::svm::{Kernel, SVC};
///
/// let dev = Cpu::default();
/// let x = dev.tensor_from_vec(vec![0.0, 0.0, 0.3, 0.1, 2.0, 2.0, 2.2, 1.9], (4, 2));
/// let y = dev.tensor_from_vec(vec![0usize, 0, 1, 1], (4,));
/// let mut svc = SVC::new().kernel(Kernel::Linear);
/// assert_eq!(svc.fit(&x, &y)?.predict(&x)?.to_vec(), vec![0, 0, 1, 1]);
/// assert_eq!(svc.n_support_().unwrap(), &[1, 1]);
/// # Ok::<(), gf_learn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SVC {
    params: SolverParams,
    probability: bool,
    class_weight: ClassWeight,
    decision_function_shape: DecisionShape,
    break_ties: bool,
    random_state: u64,
    /// ν for `NuSVC` (`None`: C-SVC).
    nu: Option<f64>,
    state: Option<Fitted>,
}

#[derive(Clone, Debug)]
struct Fitted {
    kernel: KernelFn,
    model: ClassModel,
    classes: Vec<usize>,
    n_features: usize,
    /// scikit-learn's `dual_coef_` (sign flipped for two classes), row-major.
    dual_coef: Vec<f64>,
    /// scikit-learn's `intercept_` (−ρ, sign flipped for two classes).
    intercept: Vec<f64>,
}

impl Default for SVC {
    fn default() -> Self {
        Self::new()
    }
}

impl SVC {
    /// scikit-learn's defaults: `C = 1`, RBF kernel with `gamma = 'scale'`, `tol = 1e-3`,
    /// shrinking, no probabilities, `decision_function_shape = 'ovr'`; `random_state = 0`
    /// (it only seeds the shuffle of the probability fit).
    pub fn new() -> Self {
        SVC {
            params: SolverParams::default(),
            probability: false,
            class_weight: ClassWeight::None,
            decision_function_shape: DecisionShape::Ovr,
            break_ties: false,
            random_state: 0,
            nu: None,
            state: None,
        }
    }

    /// `NuSVC`'s classifier: ν-SVC with scikit-learn's defaults.
    pub(crate) fn nu_svc(nu: f64) -> Self {
        SVC {
            nu: Some(nu),
            ..Self::new()
        }
    }

    /// Sets `NuSVC`'s ν.
    pub(crate) fn set_nu(&mut self, nu: f64) {
        self.nu = Some(nu);
    }

    /// The estimator's name in messages.
    fn name(&self) -> &'static str {
        if self.nu.is_some() {
            "NuSVC"
        } else {
            "SVC"
        }
    }

    /// `svc` or, for `NuSVC`, `nu`: the name of an operation in messages.
    fn op(&self, svc: &'static str, nu: &'static str) -> &'static str {
        if self.nu.is_some() {
            nu
        } else {
            svc
        }
    }

    c_setter!();
    solver_setters!();

    /// Whether `fit` also fits Platt's sigmoids (five more fits per class pair) so that
    /// `predict_proba` works; default `false`.
    pub fn probability(mut self, v: bool) -> Self {
        self.probability = v;
        self
    }

    /// Whether `probability` is set, so that `predict_proba` is available once fitted.
    pub(crate) fn probability_enabled(&self) -> bool {
        self.probability
    }

    /// Scales `C` per class; default [`ClassWeight::None`].
    pub fn class_weight(mut self, v: ClassWeight) -> Self {
        self.class_weight = v;
        self
    }

    /// The columns of `decision_function` for three or more classes; default
    /// [`DecisionShape::Ovr`].
    pub fn decision_function_shape(mut self, v: DecisionShape) -> Self {
        self.decision_function_shape = v;
        self
    }

    /// Whether `predict` takes the arg-max of the `ovr` decision function (which breaks
    /// ties between votes) instead of libsvm's vote; default `false`.
    pub fn break_ties(mut self, v: bool) -> Self {
        self.break_ties = v;
        self
    }

    /// The seed of the probability fit's shuffles (below 2^32); default 0.
    pub fn random_state(mut self, v: u64) -> Self {
        self.random_state = v;
        self
    }

    /// How many support vectors each class has; `None` before `fit`.
    pub fn n_support_(&self) -> Option<&[usize]> {
        self.state.as_ref().map(|s| s.model.n_support.as_slice())
    }

    /// The dual coefficients `αᵢyᵢ`: `n_classes − 1` rows of `n_SV`, row-major, laid out as
    /// scikit-learn's (for two classes, positive values favour `classes_()[1]`); `None`
    /// before `fit`.
    pub fn dual_coef_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.dual_coef.as_slice())
    }

    /// The constant of each one-vs-one decision function; `None` before `fit`.
    pub fn intercept_(&self) -> Option<&[f64]> {
        self.state.as_ref().map(|s| s.intercept.as_slice())
    }

    /// The primal weights of each one-vs-one decision function (`n_pairs × n_features`,
    /// row-major) for the linear kernel; `None` before `fit` or for other kernels.
    pub fn coef_(&self) -> Option<Vec<f64>> {
        let s = self.state.as_ref()?;
        if s.kernel.kind != Kernel::Linear {
            return None;
        }
        let m = &s.model;
        let k = m.n_classes();
        let mut starts = vec![0; k];
        for c in 1..k {
            starts[c] = starts[c - 1] + m.n_support[c - 1];
        }
        let sign = if k == 2 { -1.0 } else { 1.0 };
        let mut coef = Vec::with_capacity(m.rho.len() * s.n_features);
        for i in 0..k {
            for j in i + 1..k {
                let mut w = vec![0.0; s.n_features];
                let groups = [(i, &m.sv_coef[j - 1]), (j, &m.sv_coef[i])];
                for (class, row) in groups {
                    for v in starts[class]..starts[class] + m.n_support[class] {
                        for (wf, x) in w.iter_mut().zip(m.sv.row(v)) {
                            *wf += sign * row[v] * x;
                        }
                    }
                }
                coef.extend(w);
            }
        }
        Some(coef)
    }

    /// SMO iterations of each one-vs-one problem; `None` before `fit`.
    pub fn n_iter_(&self) -> Option<&[usize]> {
        self.state.as_ref().map(|s| s.model.n_iter.as_slice())
    }

    /// 0 when every problem met `tol`, 1 when `max_iter` stopped one (scikit-learn's
    /// `fit_status_`); `None` before `fit`.
    pub fn fit_status_(&self) -> Option<usize> {
        self.state.as_ref().map(|s| usize::from(s.model.timed_out))
    }

    /// Platt's `A` per class pair (scikit-learn's `probA_`); `None` before `fit` or without
    /// `probability`.
    pub fn prob_a_(&self) -> Option<&[f64]> {
        let s = self.state.as_ref()?;
        s.model.prob_ab.as_ref().map(|(a, _)| a.as_slice())
    }

    /// Platt's `B` per class pair (scikit-learn's `probB_`); `None` before `fit` or without
    /// `probability`.
    pub fn prob_b_(&self) -> Option<&[f64]> {
        let s = self.state.as_ref()?;
        s.model.prob_ab.as_ref().map(|(_, b)| b.as_slice())
    }

    fn input<F: Dim, E: Dtype>(
        &self,
        op: &'static str,
        x: &Features<F, E>,
    ) -> Result<(&Fitted, Matrix)> {
        let s = fitted(&self.state, self.name(), op)?;
        let x = check_x_width(op, self.name(), x, s.n_features)?;
        let x = kernel_input(op, s.kernel.kind, x, Some(s.n_features))?;
        Ok((s, x))
    }
}

impl SVC {
    /// [`fit`](Classifier::fit) with each sample's `C` scaled by its weight (scikit-learn's
    /// `fit(X, y, sample_weight)`); samples of weight 0 are left out.
    pub fn fit_weighted<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
        sample_weight: &Target<E>,
    ) -> Result<&mut Self> {
        let op = self.op("SVC::fit_weighted", "NuSVC::fit_weighted");
        self.fit_with(op, x, y, Some(sample_weight))
    }

    fn fit_with<F: Dim, E: Dtype>(
        &mut self,
        op: &'static str,
        x: &Features<F, E>,
        y: &Target<usize>,
        sample_weight: Option<&Target<E>>,
    ) -> Result<&mut Self> {
        let x = check_x(op, x)?;
        let n_features = x.cols;
        let name = self.name();
        let mut settings = self.params.settings(name, &x)?;
        let x = kernel_input(op, self.params.kernel, x, None)?;
        let labels = check_y_class(op, y, x.rows, 2)?;
        let weights = sample_weights(op, sample_weight, x.rows)?;
        if let Some(nu) = self.nu {
            check_nu(name, nu)?;
            check_nu_feasible(nu, &labels.codes, &weights, labels.classes.len())?;
            settings.nu = Some(nu);
        }
        let mut weighted = vec![false; labels.classes.len()];
        labels
            .codes
            .iter()
            .zip(&weights)
            .for_each(|(&c, &w)| weighted[c] |= w > 0.0);
        if weighted.iter().any(|&w| !w) {
            return Err(Error::input(
                op,
                "every class needs a sample of positive sample_weight",
            ));
        }
        let class_c: Vec<f64> = self
            .class_weight
            .weights(name, &labels)?
            .iter()
            .map(|w| w * self.params.c)
            .collect();
        let data = Samples {
            rows: rows(&x),
            labels: labels.codes.iter().map(|&c| c as i64).collect(),
            weights,
        };
        // scikit-learn draws libsvm's seed from `random_state`.
        let seed = RandomState::new(self.random_state as u32).randint((1 << 31) - 1);
        let mut rng = LibsvmRng::new(seed);
        let model = train_svc(
            &data,
            &|c| class_c[c as usize],
            &settings,
            self.probability,
            &mut rng,
        );
        if model.labels.len() < labels.classes.len() {
            return Err(Error::input(
                op,
                "every class needs a sample of positive weight",
            ));
        }
        let binary = model.n_classes() == 2;
        let flip = if binary { -1.0 } else { 1.0 };
        let dual_coef = model.sv_coef.iter().flatten().map(|v| flip * v).collect();
        let intercept = model.rho.iter().map(|r| -flip * r).collect();
        let bad = model
            .sv_coef
            .iter()
            .flatten()
            .chain(&model.rho)
            .any(|v| !v.is_finite());
        if bad {
            return Err(Error::input(
                op,
                "the dual coefficients or intercepts are not finite; the input may hold large values and need scaling",
            ));
        }
        self.state = Some(Fitted {
            kernel: settings.kernel,
            model,
            classes: labels.classes,
            n_features,
            dual_coef,
            intercept,
        });
        Ok(self)
    }
}

/// libsvm's check of ν-SVC: for every pair of classes of weights `n₁`, `n₂`,
/// `ν·(n₁ + n₂)/2 ≤ min(n₁, n₂)`.
fn check_nu_feasible(nu: f64, codes: &[usize], weights: &[f64], k: usize) -> Result<()> {
    let mut count = vec![0.0; k];
    codes.iter().zip(weights).for_each(|(&c, &w)| count[c] += w);
    for i in 0..k {
        for j in i + 1..k {
            let (n1, n2) = (count[i], count[j]);
            if nu * (n1 + n2) / 2.0 > n1.min(n2) {
                return Err(Error::parameter(
                    "NuSVC",
                    "nu",
                    "feasible for the classes: specified nu is infeasible (nu·(n₁ + n₂)/2 exceeds min(n₁, n₂) for a pair of classes of weights n₁, n₂)",
                    nu,
                ));
            }
        }
    }
    Ok(())
}

/// scikit-learn's `_ovr_decision_function`: one-vs-one votes plus the summed confidences
/// squashed into `(−1/3, 1/3)`.
fn ovr_from_ovo(dec: &[f64], k: usize, out: &mut [f64]) {
    let mut votes = vec![0.0; k];
    let mut conf = vec![0.0; k];
    let mut p = 0;
    for i in 0..k {
        for j in i + 1..k {
            conf[i] += dec[p];
            conf[j] -= dec[p];
            if dec[p] < 0.0 {
                votes[j] += 1.0;
            } else {
                votes[i] += 1.0;
            }
            p += 1;
        }
    }
    for c in 0..k {
        out[c] = votes[c] + conf[c] / (3.0 * (conf[c].abs() + 1.0));
    }
}

impl Classifier for SVC {
    fn fit<F: Dim, E: Dtype>(
        &mut self,
        x: &Features<F, E>,
        y: &Target<usize>,
    ) -> Result<&mut Self> {
        let op = self.op("SVC::fit", "NuSVC::fit");
        self.fit_with(op, x, y, None)
    }

    fn predict<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Target<usize>> {
        let (s, x) = self.input(self.op("SVC::predict", "NuSVC::predict"), x)?;
        let k = s.classes.len();
        if self.break_ties && self.decision_function_shape == DecisionShape::Ovo {
            return Err(Error::parameter(
                self.name(),
                "break_ties",
                "false when decision_function_shape is 'ovo'",
                true,
            ));
        }
        let (dec, winners) = s.model.decisions(&s.kernel, &x);
        let picks: Vec<usize> = if self.break_ties && k > 2 {
            let mut ovr = vec![0.0; k];
            (0..x.rows)
                .map(|i| {
                    ovr_from_ovo(dec.row(i), k, &mut ovr);
                    crate::validation::argmax(&ovr)
                })
                .collect()
        } else {
            winners
        };
        label_vector(picks.into_iter().map(|c| s.classes[c]).collect())
    }

    fn classes_(&self) -> Option<&[usize]> {
        self.state.as_ref().map(|s| s.classes.as_slice())
    }
}

impl DecisionFunction for SVC {
    fn decision_function<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        let op = self.op("SVC::decision_function", "NuSVC::decision_function");
        let (s, x) = self.input(op, x)?;
        let k = s.classes.len();
        let (dec, _) = s.model.decisions(&s.kernel, &x);
        if k == 2 {
            let mut out = dec;
            out.data.iter_mut().for_each(|v| *v = -*v);
            return out.to_tensor();
        }
        match self.decision_function_shape {
            DecisionShape::Ovo => dec.to_tensor(),
            DecisionShape::Ovr => {
                let mut out = Matrix::zeros(x.rows, k);
                for i in 0..x.rows {
                    ovr_from_ovo(dec.row(i), k, out.row_mut(i));
                }
                out.to_tensor()
            }
        }
    }
}

impl PredictProba for SVC {
    fn predict_proba<F: Dim, E: Dtype>(&self, x: &Features<F, E>) -> Result<Scores<E>> {
        let op = self.op("SVC::predict_proba", "NuSVC::predict_proba");
        let (s, x) = self.input(op, x)?;
        if s.model.prob_ab.is_none() {
            return Err(Error::input(
                op,
                "predict_proba is not available when fitted with probability=false",
            ));
        }
        let (dec, _) = s.model.decisions(&s.kernel, &x);
        let k = s.classes.len();
        let mut out = Matrix::zeros(x.rows, k);
        for i in 0..x.rows {
            let p = s
                .model
                .probabilities(dec.row(i))
                .expect("fitted with probabilities");
            out.row_mut(i).copy_from_slice(&p);
        }
        out.to_tensor()
    }
}
