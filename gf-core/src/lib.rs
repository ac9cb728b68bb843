//! GhostFlow's tensor layer: element types, the [`Tensor`] type, devices with their kernel
//! families, the ops, and the [`Tape`] trait through which ops record their backward.
//!
//! ```
//! use gf_core::prelude::*;
//!
//! let dev = Cpu::seed_from_u64(0);
//! let x: Tensor<Rank2<4, 3>, f32, Cpu> = dev.randn();
//! let w: Tensor<Rank2<3, 2>, f32, Cpu> = dev.randn();
//! let y = x.matmul(w).relu().sum::<Axis<1>>(); // (4, 3)·(3, 2) → (4, 2) → (4,)
//! assert_eq!(y.dims(), [4]);
//! ```
//!
//! Wrong shapes do not compile, with a message that says why:
//!
//! ```compile_fail
//! use gf_core::prelude::*;
//! let dev = Cpu::default();
//! let a: Tensor<Rank2<2, 3>, f32, Cpu> = dev.zeros();
//! let b: Tensor<Rank2<3, 2>, f32, Cpu> = dev.zeros();
//! let c = a + b; // cannot combine tensors of shapes (2, 3) and (3, 2) elementwise
//! ```
// unsafe code lives only in the kernel modules that opt in with `#[allow(unsafe_code)]`
#![deny(unsafe_code)]

pub mod device;
pub mod dtype;
pub mod error;
pub mod layout;
pub mod ops;
pub mod rng;
pub mod tape;
pub mod tensor;
pub mod testing;

mod std_ops;

pub use device::{Cpu, Device, DeviceInfo, Storage};
pub use dtype::{Dtype, Unit};
pub use error::{Error, Result};
pub use layout::Layout;
pub use tape::{unique_id, BackwardOp, Gradients, Merge, NoneTape, Recording, Tape, UniqueId};
pub use tensor::Tensor;

/// Re-exported so users name shapes from one place.
pub use gf_shape as shape;

/// Everything a program using tensors needs in scope.
pub mod prelude {
    pub use crate::device::{Cpu, Device, DeviceInfo, Storage};
    pub use crate::dtype::{Dtype, Unit};
    pub use crate::error::{Error, Result};
    pub use crate::ops::conv::{Conv2dOpts, ConvChannels};
    pub use crate::ops::create::{TensorCreate, TensorCreateFloat};
    pub use crate::ops::pool::Pool2dOpts;
    pub use crate::ops::reduce::{MergeSelf, ReduceOp};
    pub use crate::tape::{Gradients, Merge, NoneTape, Tape};
    pub use crate::tensor::Tensor;
    pub use gf_shape::arith::{OptDim, Runtime};
    pub use gf_shape::{
        Axes, Axis, Computed, Const, ConstDim, ConstShape, Dim, DynShape, HasShape, Rank0, Rank1,
        Rank2, Rank3, Rank4, Rank5, Rank6, Shape,
    };
}
