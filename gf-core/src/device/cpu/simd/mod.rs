//! The SIMD layer: one small lane abstraction ([`SimdVec`]) with an implementation per
//! instruction set, and the choice of instruction set, made once at run time.
//!
//! Paths, widest first: AVX-512F (x86-64), AVX2 with FMA (x86-64), NEON (aarch64), and the
//! portable scalar path, which every test compares against. [`path`] names the one kernels
//! use; it is detected on first use (`is_x86_feature_detected!`) and cached. The environment
//! variable `GHOSTFLOW_SIMD=avx512|avx2|neon|scalar` forces one; a forced path this CPU lacks
//! falls back to the detected one with a message on stderr, never to instructions the CPU
//! cannot run. Kernels that take a [`SimdPath`] argument check it with
//! [`SimdPath::is_available`], so a test can force every available path in one process.
//!
//! ```
//! use gf_core::device::simd::{self, SimdPath};
//! let p = simd::path();
//! assert!(p.is_available());
//! assert!(SimdPath::Scalar.is_available());
//! println!("GhostFlow uses {}", p.name());
//! ```

use std::sync::OnceLock;

#[cfg(target_arch = "x86_64")]
pub mod avx2;
#[cfg(target_arch = "x86_64")]
pub mod avx512;
pub mod elementwise;
mod kernels;
pub mod math;
#[cfg(target_arch = "aarch64")]
pub mod neon;
pub mod scalar;
pub mod softmax;

pub use kernels::{axpy, dot, max, min, relu_into, sum};

#[cfg(test)]
mod row_tests;
#[cfg(test)]
mod tests;

/// An instruction set the CPU kernels can run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SimdPath {
    /// AVX-512F (with the AVX2 and FMA it implies on every CPU that has it), 512-bit lanes.
    Avx512,
    /// AVX2 with FMA, 256-bit lanes.
    Avx2,
    /// NEON (Advanced SIMD) on aarch64, 128-bit lanes.
    Neon,
    /// Plain Rust, one element at a time: the reference path.
    Scalar,
}

impl SimdPath {
    /// Every path, widest first.
    pub const ALL: [SimdPath; 4] = [
        SimdPath::Avx512,
        SimdPath::Avx2,
        SimdPath::Neon,
        SimdPath::Scalar,
    ];

    /// The name `GHOSTFLOW_SIMD` takes and benches print ("avx512").
    pub fn name(self) -> &'static str {
        match self {
            SimdPath::Avx512 => "avx512",
            SimdPath::Avx2 => "avx2",
            SimdPath::Neon => "neon",
            SimdPath::Scalar => "scalar",
        }
    }

    /// The path named `name` (as [`name`](Self::name) spells it), or `None`.
    pub fn from_name(name: &str) -> Option<SimdPath> {
        SimdPath::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
    }

    /// `true` when this CPU can run the path's instructions.
    pub fn is_available(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            SimdPath::Avx512 => {
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            SimdPath::Avx2 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "aarch64")]
            SimdPath::Neon => std::arch::is_aarch64_feature_detected!("neon"),
            SimdPath::Scalar => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// The paths this CPU can run, widest first (always ending with [`SimdPath::Scalar`]).
    pub fn available() -> Vec<SimdPath> {
        SimdPath::ALL
            .into_iter()
            .filter(|p| p.is_available())
            .collect()
    }

    /// The widest path this CPU can run.
    pub fn detect() -> SimdPath {
        SimdPath::available()[0]
    }

    /// `self` when the CPU can run it, or `Err` naming the path and what this CPU offers.
    pub fn check(self) -> crate::Result<SimdPath> {
        if self.is_available() {
            Ok(self)
        } else {
            Err(crate::Error::Device(format!(
                "SIMD path {} is not available on this CPU (available: {})",
                self.name(),
                names(&SimdPath::available())
            )))
        }
    }
}

impl core::fmt::Display for SimdPath {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

fn names(paths: &[SimdPath]) -> String {
    paths
        .iter()
        .map(|p| p.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The path chosen from `GHOSTFLOW_SIMD` (when set) and what the CPU offers.
fn choose(forced: Option<&str>) -> SimdPath {
    let detected = SimdPath::detect();
    let Some(name) = forced.filter(|s| !s.trim().is_empty()) else {
        return detected;
    };
    match SimdPath::from_name(name) {
        Some(p) if p.is_available() => p,
        Some(p) => {
            eprintln!(
                "ghostflow: GHOSTFLOW_SIMD={} is not available on this CPU; using {}",
                p.name(),
                detected.name()
            );
            detected
        }
        None => {
            eprintln!(
                "ghostflow: GHOSTFLOW_SIMD={name:?} is not one of avx512, avx2, neon, scalar; using {}",
                detected.name()
            );
            detected
        }
    }
}

/// The path CPU kernels use: the widest this CPU runs, or the one `GHOSTFLOW_SIMD` forces.
/// Decided on the first call and fixed for the life of the process.
pub fn path() -> SimdPath {
    static PATH: OnceLock<SimdPath> = OnceLock::new();
    *PATH.get_or_init(|| choose(std::env::var("GHOSTFLOW_SIMD").ok().as_deref()))
}

/// `LANES` elements of `E` in registers of one instruction set.
///
/// Every method is `unsafe` because it runs that instruction set's instructions: the caller
/// must have checked that the CPU supports its [`SimdPath`] (kernels are
/// `#[target_feature]` functions reached only after [`SimdPath::is_available`]). Pointer
/// arguments must be valid for the lanes the method names. `max` and `min` return NaN when
/// either operand is NaN, whatever the hardware instruction does.
pub trait SimdVec<E: Copy>: Copy {
    /// Elements per value.
    const LANES: usize;
    /// The result of a comparison, one flag per lane.
    type Mask: Copy;
    /// Every lane `0`.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn zero() -> Self;
    /// Every lane `x`.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn splat(x: E) -> Self;
    /// `LANES` elements from `p` (any alignment).
    ///
    /// # Safety
    /// The instruction set is supported and `p` is valid for reading `LANES` elements.
    unsafe fn load(p: *const E) -> Self;
    /// Writes the lanes to `p` (any alignment).
    ///
    /// # Safety
    /// The instruction set is supported and `p` is valid for writing `LANES` elements.
    unsafe fn store(self, p: *mut E);
    /// The first `n` (at most `LANES`) elements from `p`, the other lanes `0`; reads nothing
    /// past `p + n`.
    ///
    /// # Safety
    /// The instruction set is supported, `n <= LANES`, and `p` is valid for reading `n`
    /// elements.
    unsafe fn load_partial(p: *const E, n: usize) -> Self;
    /// Writes the first `n` (at most `LANES`) lanes to `p`; touches nothing past `p + n`.
    ///
    /// # Safety
    /// The instruction set is supported, `n <= LANES`, and `p` is valid for writing `n`
    /// elements.
    unsafe fn store_partial(self, p: *mut E, n: usize);
    /// Lane-wise `self + o`.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn add(self, o: Self) -> Self;
    /// Lane-wise `self · o`.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn mul(self, o: Self) -> Self;
    /// Lane-wise `self − o`.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn sub(self, o: Self) -> Self;
    /// Lane-wise `self / o`, correctly rounded.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn div(self, o: Self) -> Self;
    /// Each lane rounded to the nearest integer, ties to even.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn round(self) -> Self;
    /// `2^k` for lanes holding integers `k` whose power of two is a normal number (−126..=127
    /// for f32, −1022..=1023 for f64), built from the exponent bits; any other lane gives an
    /// unspecified value.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn pow2i(self) -> Self;
    /// `(e, m)` with `self = m · 2^e`, `e` an integer and `m` in `[1, 2)`, for lanes holding
    /// positive normal numbers; any other lane gives unspecified values.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn frexp(self) -> (Self, Self);
    /// Lane-wise `self · b + c`, fused (one rounding) where the path has FMA.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn mul_add(self, b: Self, c: Self) -> Self;
    /// Lane-wise maximum, NaN when either lane is NaN.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn max(self, o: Self) -> Self;
    /// Lane-wise minimum, NaN when either lane is NaN.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn min(self, o: Self) -> Self;
    /// Lanes where `self < o` (false when either is NaN).
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn lt(self, o: Self) -> Self::Mask;
    /// `t` in the lanes `m` sets, `f` in the others.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn select(m: Self::Mask, t: Self, f: Self) -> Self;
    /// The sum of the lanes.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn hsum(self) -> E;
    /// The largest lane, NaN when any lane is NaN.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    unsafe fn hmax(self) -> E;
    /// `e^x` per lane (see [`math::exp`] for its accuracy); the scalar path calls libm.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    #[inline(always)]
    unsafe fn exp(self) -> Self
    where
        E: crate::dtype::Dtype,
    {
        // SAFETY: the caller's contract is the one `math::exp` needs.
        unsafe { math::exp(self) }
    }
    /// The natural logarithm per lane (see [`math::ln`]); the scalar path calls libm.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    #[inline(always)]
    unsafe fn ln(self) -> Self
    where
        E: crate::dtype::Dtype,
    {
        // SAFETY: the caller's contract is the one `math::ln` needs.
        unsafe { math::ln(self) }
    }
    /// The hyperbolic tangent per lane (see [`math::tanh`]); the scalar path calls libm.
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    #[inline(always)]
    unsafe fn tanh(self) -> Self
    where
        E: crate::dtype::Dtype,
    {
        // SAFETY: the caller's contract is the one `math::tanh` needs.
        unsafe { math::tanh(self) }
    }
    /// The logistic sigmoid per lane (see [`math::sigmoid`]); the scalar path is
    /// [`math::sigmoid_scalar`].
    ///
    /// # Safety
    /// The CPU supports this type's instruction set.
    #[inline(always)]
    unsafe fn sigmoid(self) -> Self
    where
        E: crate::dtype::Dtype,
    {
        // SAFETY: the caller's contract is the one `math::sigmoid` needs.
        unsafe { math::sigmoid(self) }
    }
}

/// An element type with lanes on every path: f32 and f64. Kernels generic over it run through
/// [`dispatch`], which picks the lane type of the path.
pub trait SimdElem: crate::dtype::Dtype {
    /// The AVX-512F lanes.
    #[cfg(target_arch = "x86_64")]
    #[doc(hidden)]
    type Avx512: SimdVec<Self>;
    /// The AVX2 + FMA lanes.
    #[cfg(target_arch = "x86_64")]
    #[doc(hidden)]
    type Avx2: SimdVec<Self>;
    /// The NEON lanes.
    #[cfg(target_arch = "aarch64")]
    #[doc(hidden)]
    type Neon: SimdVec<Self>;
}

impl SimdElem for f32 {
    #[cfg(target_arch = "x86_64")]
    type Avx512 = avx512::F32x16;
    #[cfg(target_arch = "x86_64")]
    type Avx2 = avx2::F32x8;
    #[cfg(target_arch = "aarch64")]
    type Neon = neon::F32x4;
}

impl SimdElem for f64 {
    #[cfg(target_arch = "x86_64")]
    type Avx512 = avx512::F64x8;
    #[cfg(target_arch = "x86_64")]
    type Avx2 = avx2::F64x4;
    #[cfg(target_arch = "aarch64")]
    type Neon = neon::F64x2;
}

/// A kernel written once over the lanes `V`; [`dispatch`] runs it with the lanes of a path,
/// inside a function compiled for that path's instructions. `with` must be
/// `#[inline(always)]` (and so must what it calls) for the instructions to reach it.
pub(crate) trait WithSimd<E: Copy> {
    /// What the kernel returns.
    type Output;
    /// The kernel over lanes `V`.
    ///
    /// # Safety
    /// The CPU supports `V`'s instruction set.
    unsafe fn with<V: SimdVec<E>>(self) -> Self::Output;
}

/// Runs `op` on `path`'s lanes; a path this CPU lacks runs the scalar lanes instead (so a
/// wrong argument is slow, never undefined behaviour).
#[inline]
pub(crate) fn dispatch<E: SimdElem, Op: WithSimd<E>>(path: SimdPath, op: Op) -> Op::Output {
    match path {
        #[cfg(target_arch = "x86_64")]
        SimdPath::Avx512 if path.is_available() => {
            // SAFETY: the CPU has AVX-512F, AVX2 and FMA (just checked).
            unsafe { with_avx512::<E, Op>(op) }
        }
        #[cfg(target_arch = "x86_64")]
        SimdPath::Avx2 if path.is_available() => {
            // SAFETY: the CPU has AVX2 and FMA (just checked).
            unsafe { with_avx2::<E, Op>(op) }
        }
        #[cfg(target_arch = "aarch64")]
        SimdPath::Neon if path.is_available() => {
            // SAFETY: the CPU has NEON (just checked).
            unsafe { with_neon::<E, Op>(op) }
        }
        // SAFETY: the scalar lanes run on every CPU.
        _ => unsafe { op.with::<scalar::Scalar<E>>() },
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
unsafe fn with_avx512<E: SimdElem, Op: WithSimd<E>>(op: Op) -> Op::Output {
    // SAFETY: this function is compiled for, and only called on a CPU with, the path's
    // instructions.
    unsafe { op.with::<E::Avx512>() }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn with_avx2<E: SimdElem, Op: WithSimd<E>>(op: Op) -> Op::Output {
    // SAFETY: this function is compiled for, and only called on a CPU with, the path's
    // instructions.
    unsafe { op.with::<E::Avx2>() }
}

#[cfg(target_arch = "aarch64")]
#[target_feature(enable = "neon")]
unsafe fn with_neon<E: SimdElem, Op: WithSimd<E>>(op: Op) -> Op::Output {
    // SAFETY: this function is compiled for, and only called on a CPU with, the path's
    // instructions.
    unsafe { op.with::<E::Neon>() }
}
