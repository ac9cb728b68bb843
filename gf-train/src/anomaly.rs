//! Finding the first parameter or gradient that is NaN or infinite (`detect_anomaly`).

use gf_core::shape::Shape;
use gf_core::{Device, Dtype, Gradients, Tensor};
use gf_nn::{TensorKind, Visit, Visitor};

use crate::error::Result;

/// Visits the parameters in order and keeps the name of the first whose gradient (or, without
/// gradients, whose value) holds a non-finite element.
struct FirstNonFinite<'a> {
    grads: Option<&'a Gradients>,
    found: Option<String>,
}

impl<E: Dtype, D: Device<E>> Visitor<E, D> for FirstNonFinite<'_> {
    fn visit<S: Shape>(
        &mut self,
        name: &str,
        kind: TensorKind,
        t: &Tensor<S, E, D>,
    ) -> gf_nn::Result<()> {
        if self.found.is_some() || kind != TensorKind::Param {
            return Ok(());
        }
        let values = match self.grads {
            Some(g) => match g.get(t) {
                Some(g) => g.try_to_vec()?,
                None => return Ok(()),
            },
            None => t.try_to_vec()?,
        };
        if values.iter().any(|v| !v.as_f64().is_finite()) {
            self.found = Some(name.to_string());
        }
        Ok(())
    }
}

/// The state-dict name of the first parameter whose gradient in `grads` is not finite.
pub(crate) fn first_non_finite_grad<E: Dtype, D: Device<E>, M: Visit<E, D>>(
    model: &M,
    grads: &Gradients,
) -> Result<Option<String>> {
    let mut v = FirstNonFinite {
        grads: Some(grads),
        found: None,
    };
    model.try_visit("", &mut v)?;
    Ok(v.found)
}

/// The state-dict name of the first parameter that is not finite.
pub(crate) fn first_non_finite_param<E: Dtype, D: Device<E>, M: Visit<E, D>>(
    model: &M,
) -> Result<Option<String>> {
    let mut v = FirstNonFinite {
        grads: None,
        found: None,
    };
    model.try_visit("", &mut v)?;
    Ok(v.found)
}
