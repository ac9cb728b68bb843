//! Typed neural-network modules for GhostFlow: the [`Module`] trait, parameter visiting
//! ([`Visit`], `#[derive(Module)]`), layers with PyTorch's names and initialisation, losses,
//! custom differentiable functions and safetensors checkpoints with `state_dict` names.
//!
//! ```
//! use gf_core::prelude::*;
//! use gf_grad::prelude::*;
//! use gf_nn::prelude::*;
//!
//! #[derive(Module)]
//! struct Mlp {
//!     fc1: Linear<Const<4>, Const<8>>,
//!     fc2: Linear<Const<8>, Const<3>>,
//! }
//!
//! impl<T: Tape + MergeSelf> Module<Tensor<(usize, Const<4>), f32, Cpu, T>> for Mlp {
//!     type Output = Tensor<(usize, Const<3>), f32, Cpu, T>;
//!     fn try_forward(&self, x: Tensor<(usize, Const<4>), f32, Cpu, T>) -> Result<Self::Output> {
//!         self.fc2.try_forward(self.fc1.try_forward(x)?.try_relu()?)
//!     }
//! }
//!
//! let dev = Cpu::seed_from_u64(0);
//! let model = Mlp::init(&dev);
//! assert_eq!(model.num_params(), 4 * 8 + 8 + 8 * 3 + 3);
//! let x: Tensor<(usize, Const<4>), f32, Cpu> = dev.randn_like(&(2, Const));
//! let targets = dev.tensor_from_vec(vec![0usize, 2], (2,));
//! let loss = cross_entropy(model.forward(x.trace()), &targets, &Default::default()).unwrap();
//! let grads = loss.backward();
//! let names: Vec<String> = model.gradients_by_name(&grads).unwrap().into_iter().map(|(n, _)| n).collect();
//! assert_eq!(names, ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
//! ```
//!
//! A sequence of layers is a tuple; its state-dict names are `0.weight`, `1.bias`, ... as in
//! `nn.Sequential`. Layer sizes that do not chain do not compile:
//!
//! ```compile_fail
//! use gf_core::prelude::*;
//! use gf_nn::prelude::*;
//! let dev = Cpu::seed_from_u64(0);
//! let model: (Linear<Const<784>, Const<128>>, ReLU, Linear<Const<64>, Const<10>>) = Init::init(&dev);
//! let x: Tensor<(usize, Const<784>), f32, Cpu> = dev.zeros_like(&(1, Const));
//! let y = model.forward(x); // 128 outputs into a layer that takes 64
//! ```
#![forbid(unsafe_code)]

pub mod error;
pub mod function;
pub mod init;
pub mod layers;
pub mod loss;
pub mod module;
pub mod state;
pub mod visit;

pub use error::{Error, Result};
pub use gf_nn_derive::Module;
pub use init::Init;
pub use module::Module;
pub use state::{load_state_dict, save_state_dict, ModuleExt, StateDict, StateEntry, Strict};
pub use visit::{join, TensorKind, Visit, Visitor, VisitorMut};

/// What `#[derive(Module)]` expands to refers to; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use gf_core::Result as CoreResult;
    pub use gf_core::{Device, Dtype};
}

/// Tuples of stateless modules build from nothing, so a typed `(Linear, ReLU, Linear)` is
/// `Init` too.
macro_rules! tuple_init {
    ($($m:ident),+) => {
        impl<Dev, $($m: Init<Dev>),+> Init<Dev> for ($($m,)+) {
            fn try_init(dev: &Dev) -> gf_core::Result<Self> {
                Ok(($($m::try_init(dev)?,)+))
            }
        }
    };
}
tuple_init!(A);
tuple_init!(A, B);
tuple_init!(A, B, C);
tuple_init!(A, B, C, F);
tuple_init!(A, B, C, F, G);
tuple_init!(A, B, C, F, G, H);
tuple_init!(A, B, C, F, G, H, I);
tuple_init!(A, B, C, F, G, H, I, J);

/// The layers, losses and traits a model needs.
pub mod prelude {
    pub use crate::function::{apply, try_apply, CustomFn};
    pub use crate::layers::*;
    pub use crate::loss::{
        binary_cross_entropy, binary_cross_entropy_with_logits, cosine_embedding_loss,
        cross_entropy, cross_entropy_probs, huber_loss, info_nce_loss, kl_div, l1_loss,
        margin_ranking_loss, mse_loss, nll_loss, poisson_nll_loss, sigmoid_focal_loss,
        smooth_l1_loss, triplet_margin_loss, CrossEntropyOpts, FocalOpts, PoissonNllOpts,
        Reduction, TripletOpts,
    };
    pub use crate::{Init, Module, ModuleExt, StateDict, Strict, TensorKind, Visit};
}
