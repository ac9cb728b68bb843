//! Optimizers, learning-rate schedulers and gradient clipping for gf-nn modules, with
//! PyTorch's names, defaults and update formulas.
//!
//! An optimizer walks the model's parameters ([`gf_nn::Visit`]) and updates each in place
//! (ids kept) from its gradient in the [`Gradients`] that `backward()` returned. Its state
//! (momentum buffers, moment estimates, step counts) is keyed by the parameter's state-dict
//! name, so it can be saved beside the model and loaded into a fresh process.
//!
//! There is no `zero_grad`: every `backward()` returns fresh gradients. To accumulate over
//! micro-batches, add their [`Gradients`] with [`accumulate`] before the step.
//!
//! ```
//! use gf_core::prelude::*;
//! use gf_grad::prelude::*;
//! use gf_nn::prelude::*;
//! use gf_optim::{Adam, Optimizer};
//!
//! let dev = Cpu::seed_from_u64(0);
//! let mut model: Linear<Const<3>, Const<1>> = Linear::init(&dev);
//! let mut opt = Adam::new(1e-2);
//! let x: Tensor<(usize, Const<3>), f32, Cpu> = dev.randn_like(&(8, Const));
//! let y: Tensor<(usize, Const<1>), f32, Cpu> = dev.zeros_like(&(8, Const));
//! for _ in 0..3 {
//!     let loss = mse_loss(model.forward(x.trace()), &y, Reduction::Mean).unwrap();
//!     opt.step(&mut model, &loss.backward()).unwrap();
//! }
//! ```
#![forbid(unsafe_code)]

mod clip;
mod groups;
mod optimizers;
pub mod sched;
mod state;

pub use clip::{accumulate, clip_grad_norm, clip_grad_value, scale_grads};
pub use groups::{ParamGroup, ParamGroups};
pub use optimizers::{Adadelta, Adagrad, Adam, Adamax, Lamb, Lion, NAdam, RAdam, RMSprop, Sgd};
pub use state::{Optimizer, ParamState, Update};

pub use gf_core::Gradients;
