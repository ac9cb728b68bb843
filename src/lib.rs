//! GhostFlow: a machine-learning framework whose tensors carry their shapes in the type system.
//!
//! This facade re-exports the crates and gathers what a program needs in [`prelude`]:
//!
//! ```
//! use ghost_flow::prelude::*;
//!
//! let dev = Cpu::seed_from_u64(0);
//! let w: Tensor<Rank2<3, 2>, f32, Cpu> = dev.randn();
//! let x: Tensor<Rank2<4, 3>, f32, Cpu> = dev.randn();
//! let loss = x.matmul(w.trace()).square().mean::<(Axis<0>, Axis<1>)>();
//! let grads = loss.backward();
//! assert_eq!(grads.get(&w).unwrap().dims(), [3, 2]);
//! ```
#![forbid(unsafe_code)]

pub use gf_core as core;
pub use gf_data as data;
pub use gf_grad as grad;
pub use gf_learn as learn;
pub use gf_nn as nn;
pub use gf_optim as optim;
pub use gf_shape as shape;
pub use gf_train as train;

/// Everything most programs need in scope.
pub mod prelude {
    pub use gf_core::prelude::*;
    pub use gf_grad::prelude::*;
    pub use gf_nn::prelude::*;
    pub use gf_optim::{Optimizer, Update};
}
