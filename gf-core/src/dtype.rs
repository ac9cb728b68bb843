//! Element types.

use core::fmt::Debug;

mod sealed {
    /// Only the element types kernels are written for (and whose all-zero bytes are a valid
    /// value, which zeroed allocation relies on).
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
    impl Sealed for bool {}
    impl Sealed for usize {}
}

/// Anything a tensor may hold: floats for data, `bool` for masks, `usize` for indices.
///
/// The list is closed: device kernels (and zeroed allocation) are written for exactly these.
pub trait Unit:
    'static + Copy + Clone + Default + Debug + PartialEq + PartialOrd + Send + Sync + sealed::Sealed
{
}

impl Unit for f32 {}
impl Unit for f64 {}
impl Unit for bool {}
impl Unit for usize {}

/// A floating-point element type that ops compute with and differentiate through.
///
/// Implemented for `f32` and `f64`; half types can join by implementing it.
pub trait Dtype:
    Unit
    + num_traits::Float
    + num_traits::FloatConst
    + core::ops::AddAssign
    + core::ops::SubAssign
    + core::ops::MulAssign
    + core::ops::DivAssign
    + core::iter::Sum
    + core::fmt::Display
    + crate::device::CpuDtype
{
    /// The name users see in messages and file formats ("f32").
    const NAME: &'static str;
    /// The type sums and dot products accumulate in: `Self` for f32 and f64, f32 for the half
    /// types.
    type Acc: Dtype;
    /// Bits of precision in the significand (24 for f32, 53 for f64); uniform samples use this
    /// many random bits, so they are exact in the type and never round up to 1.
    const MANTISSA_DIGITS: u32;
    /// Widens to the accumulator type.
    fn to_acc(self) -> Self::Acc;
    /// Rounds an accumulated value back.
    fn from_acc(acc: Self::Acc) -> Self;
    /// Converts from `f64`, rounding if needed.
    fn from_f64(x: f64) -> Self;
    /// Converts to `f64`.
    fn as_f64(self) -> f64;
    /// `values` as `f64`s without a copy when `Self` is `f64` (`None` otherwise): host code
    /// that computes in f64 borrows such data instead of widening a copy.
    fn as_f64_slice(values: &[Self]) -> Option<&[f64]> {
        let _ = values;
        None
    }
    /// Converts from `usize` (for counts in means and the like).
    fn from_usize(n: usize) -> Self {
        Self::from_f64(n as f64)
    }
}

impl Dtype for f32 {
    const NAME: &'static str = "f32";
    type Acc = f32;
    const MANTISSA_DIGITS: u32 = f32::MANTISSA_DIGITS;
    fn to_acc(self) -> f32 {
        self
    }
    fn from_acc(acc: f32) -> Self {
        acc
    }
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    fn as_f64(self) -> f64 {
        self as f64
    }
}

impl Dtype for f64 {
    const NAME: &'static str = "f64";
    type Acc = f64;
    const MANTISSA_DIGITS: u32 = f64::MANTISSA_DIGITS;
    fn to_acc(self) -> f64 {
        self
    }
    fn from_acc(acc: f64) -> Self {
        acc
    }
    fn from_f64(x: f64) -> Self {
        x
    }
    fn as_f64(self) -> f64 {
        self
    }
    fn as_f64_slice(values: &[f64]) -> Option<&[f64]> {
        Some(values)
    }
}
