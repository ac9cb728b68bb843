//! Gradients for GhostFlow: the recording [`OwnedTape`], [`Backward`] on traced scalars, and
//! [`gradcheck`], a finite-difference check anyone can run on their own compositions.
//!
//! ```
//! use gf_core::prelude::*;
//! use gf_grad::prelude::*;
//!
//! let dev = Cpu::default();
//! let w = dev.tensor([1.0f32, -2.0, 3.0]);
//! let loss = w.trace().square().sum::<Axis<0>>(); // Σ w²
//! let grads = loss.backward();
//! assert_eq!(grads.get(&w).unwrap().to_vec(), vec![2.0, -4.0, 6.0]);
//! ```
//!
//! `backward()` exists only for a scalar that records a tape:
//!
//! ```compile_fail
//! use gf_core::prelude::*;
//! use gf_grad::prelude::*;
//! let w = Cpu::default().tensor([1.0f32, 2.0]);
//! let g = w.square().sum::<Axis<0>>().backward(); // never traced: nothing was recorded
//! ```
//!
//! ```compile_fail
//! use gf_core::prelude::*;
//! use gf_grad::prelude::*;
//! let w = Cpu::default().tensor([1.0f32, 2.0]);
//! let g = w.trace().square().backward(); // not a scalar: reduce it first
//! ```
#![forbid(unsafe_code)]

mod backward;
mod check;
mod dyn_tape;
mod tape;
pub mod testing;

pub use backward::{Backward, RecordsTape, ScalarShape, Trace};
pub use check::{gradcheck, gradcheck_with, GradcheckError, GradcheckOpts};
pub use dyn_tape::DynTape;
pub use gf_core::Gradients;
pub use tape::OwnedTape;

/// The traits and types a training loop needs.
pub mod prelude {
    pub use crate::{
        gradcheck, gradcheck_with, Backward, DynTape, GradcheckOpts, OwnedTape, Trace,
    };
    pub use gf_core::Gradients;
}
