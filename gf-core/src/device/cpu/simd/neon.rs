//! NEON lanes (aarch64): 4 f32 or 2 f64 in a `q` register. `fmax`/`fmin` propagate NaN as the
//! trait asks. Partial loads and stores go through a register-sized stack copy, so a tail
//! never touches memory past its last element.

use core::arch::aarch64::*;

use super::SimdVec;

/// 4 f32 lanes.
#[derive(Clone, Copy, Debug)]
pub struct F32x4(float32x4_t);

/// 2 f64 lanes.
#[derive(Clone, Copy, Debug)]
pub struct F64x2(float64x2_t);

impl SimdVec<f32> for F32x4 {
    const LANES: usize = 4;
    type Mask = uint32x4_t;
    #[inline(always)]
    unsafe fn zero() -> Self {
        // SAFETY: the caller guarantees NEON (the trait's contract).
        F32x4(unsafe { vdupq_n_f32(0.0) })
    }
    #[inline(always)]
    unsafe fn splat(x: f32) -> Self {
        // SAFETY: the caller guarantees NEON.
        F32x4(unsafe { vdupq_n_f32(x) })
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: NEON, and `p` is valid for 4 reads (the caller's contract).
        F32x4(unsafe { vld1q_f32(p) })
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: NEON, and `p` is valid for 4 writes.
        unsafe { vst1q_f32(p, self.0) }
    }
    #[inline(always)]
    unsafe fn load_partial(p: *const f32, n: usize) -> Self {
        let mut a = [0f32; 4];
        // SAFETY: `p` holds `n <= 4` elements and `a` holds 4; NEON for the load.
        unsafe {
            core::ptr::copy_nonoverlapping(p, a.as_mut_ptr(), n);
            Self::load(a.as_ptr())
        }
    }
    #[inline(always)]
    unsafe fn store_partial(self, p: *mut f32, n: usize) {
        let mut a = [0f32; 4];
        // SAFETY: `a` holds 4 elements and `p` holds `n <= 4`; NEON for the store.
        unsafe {
            self.store(a.as_mut_ptr());
            core::ptr::copy_nonoverlapping(a.as_ptr(), p, n);
        }
    }
    #[inline(always)]
    unsafe fn add(self, o: Self) -> Self {
        // SAFETY: the caller guarantees NEON.
        F32x4(unsafe { vaddq_f32(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn mul(self, o: Self) -> Self {
        // SAFETY: the caller guarantees NEON.
        F32x4(unsafe { vmulq_f32(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn mul_add(self, b: Self, c: Self) -> Self {
        // SAFETY: the caller guarantees NEON.
        F32x4(unsafe { vfmaq_f32(c.0, self.0, b.0) })
    }
    #[inline(always)]
    unsafe fn max(self, o: Self) -> Self {
        // SAFETY: the caller guarantees NEON.
        F32x4(unsafe { vmaxq_f32(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn min(self, o: Self) -> Self {
        // SAFETY: the caller guarantees NEON.
        F32x4(unsafe { vminq_f32(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn lt(self, o: Self) -> uint32x4_t {
        // SAFETY: the caller guarantees NEON.
        unsafe { vcltq_f32(self.0, o.0) }
    }
    #[inline(always)]
    unsafe fn select(m: uint32x4_t, t: Self, f: Self) -> Self {
        // SAFETY: the caller guarantees NEON.
        F32x4(unsafe { vbslq_f32(m, t.0, f.0) })
    }
    #[inline(always)]
    unsafe fn sub(self, o: Self) -> Self {
        // SAFETY: the caller guarantees NEON.
        F32x4(unsafe { vsubq_f32(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn div(self, o: Self) -> Self {
        // SAFETY: the caller guarantees NEON.
        F32x4(unsafe { vdivq_f32(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn round(self) -> Self {
        // SAFETY: the caller guarantees NEON.
        F32x4(unsafe { vrndnq_f32(self.0) })
    }
    #[inline(always)]
    unsafe fn pow2i(self) -> Self {
        // SAFETY: the caller guarantees NEON; the biased exponent lands in the low bits and
        // is shifted into the exponent field, as on AVX2.
        F32x4(unsafe {
            let b = vreinterpretq_u32_f32(vaddq_f32(self.0, vdupq_n_f32(8_388_735.0)));
            vreinterpretq_f32_u32(vshlq_n_u32::<23>(b))
        })
    }
    #[inline(always)]
    unsafe fn frexp(self) -> (Self, Self) {
        // SAFETY: the caller guarantees NEON; the bit fields are those of a positive normal
        // binary32.
        unsafe {
            let b = vreinterpretq_u32_f32(self.0);
            let e = vcvtq_f32_u32(vshrq_n_u32::<23>(b));
            let m = vorrq_u32(
                vandq_u32(b, vdupq_n_u32(0x007F_FFFF)),
                vdupq_n_u32(0x3F80_0000),
            );
            (
                F32x4(vsubq_f32(e, vdupq_n_f32(127.0))),
                F32x4(vreinterpretq_f32_u32(m)),
            )
        }
    }
    #[inline(always)]
    unsafe fn hsum(self) -> f32 {
        // SAFETY: the caller guarantees NEON.
        unsafe { vaddvq_f32(self.0) }
    }
    #[inline(always)]
    unsafe fn hmax(self) -> f32 {
        // SAFETY: the caller guarantees NEON.
        unsafe { vmaxvq_f32(self.0) }
    }
}

impl SimdVec<f64> for F64x2 {
    const LANES: usize = 2;
    type Mask = uint64x2_t;
    #[inline(always)]
    unsafe fn zero() -> Self {
        // SAFETY: the caller guarantees NEON (the trait's contract).
        F64x2(unsafe { vdupq_n_f64(0.0) })
    }
    #[inline(always)]
    unsafe fn splat(x: f64) -> Self {
        // SAFETY: the caller guarantees NEON.
        F64x2(unsafe { vdupq_n_f64(x) })
    }
    #[inline(always)]
    unsafe fn load(p: *const f64) -> Self {
        // SAFETY: NEON, and `p` is valid for 2 reads (the caller's contract).
        F64x2(unsafe { vld1q_f64(p) })
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f64) {
        // SAFETY: NEON, and `p` is valid for 2 writes.
        unsafe { vst1q_f64(p, self.0) }
    }
    #[inline(always)]
    unsafe fn load_partial(p: *const f64, n: usize) -> Self {
        let mut a = [0f64; 2];
        // SAFETY: `p` holds `n <= 2` elements and `a` holds 2; NEON for the load.
        unsafe {
            core::ptr::copy_nonoverlapping(p, a.as_mut_ptr(), n);
            Self::load(a.as_ptr())
        }
    }
    #[inline(always)]
    unsafe fn store_partial(self, p: *mut f64, n: usize) {
        let mut a = [0f64; 2];
        // SAFETY: `a` holds 2 elements and `p` holds `n <= 2`; NEON for the store.
        unsafe {
            self.store(a.as_mut_ptr());
            core::ptr::copy_nonoverlapping(a.as_ptr(), p, n);
        }
    }
    #[inline(always)]
    unsafe fn add(self, o: Self) -> Self {
        // SAFETY: the caller guarantees NEON.
        F64x2(unsafe { vaddq_f64(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn mul(self, o: Self) -> Self {
        // SAFETY: the caller guarantees NEON.
        F64x2(unsafe { vmulq_f64(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn mul_add(self, b: Self, c: Self) -> Self {
        // SAFETY: the caller guarantees NEON.
        F64x2(unsafe { vfmaq_f64(c.0, self.0, b.0) })
    }
    #[inline(always)]
    unsafe fn max(self, o: Self) -> Self {
        // SAFETY: the caller guarantees NEON.
        F64x2(unsafe { vmaxq_f64(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn min(self, o: Self) -> Self {
        // SAFETY: the caller guarantees NEON.
        F64x2(unsafe { vminq_f64(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn lt(self, o: Self) -> uint64x2_t {
        // SAFETY: the caller guarantees NEON.
        unsafe { vcltq_f64(self.0, o.0) }
    }
    #[inline(always)]
    unsafe fn select(m: uint64x2_t, t: Self, f: Self) -> Self {
        // SAFETY: the caller guarantees NEON.
        F64x2(unsafe { vbslq_f64(m, t.0, f.0) })
    }
    #[inline(always)]
    unsafe fn sub(self, o: Self) -> Self {
        // SAFETY: the caller guarantees NEON.
        F64x2(unsafe { vsubq_f64(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn div(self, o: Self) -> Self {
        // SAFETY: the caller guarantees NEON.
        F64x2(unsafe { vdivq_f64(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn round(self) -> Self {
        // SAFETY: the caller guarantees NEON.
        F64x2(unsafe { vrndnq_f64(self.0) })
    }
    #[inline(always)]
    unsafe fn pow2i(self) -> Self {
        // SAFETY: the caller guarantees NEON; the biased exponent lands in the low bits and
        // is shifted into the exponent field, as on AVX2.
        F64x2(unsafe {
            let b = vreinterpretq_u64_f64(vaddq_f64(self.0, vdupq_n_f64(4_503_599_627_371_519.0)));
            vreinterpretq_f64_u64(vshlq_n_u64::<52>(b))
        })
    }
    #[inline(always)]
    unsafe fn frexp(self) -> (Self, Self) {
        // SAFETY: the caller guarantees NEON; the bit fields are those of a positive normal
        // binary64.
        unsafe {
            let b = vreinterpretq_u64_f64(self.0);
            let e = vcvtq_f64_u64(vshrq_n_u64::<52>(b));
            let m = vorrq_u64(
                vandq_u64(b, vdupq_n_u64(0x000F_FFFF_FFFF_FFFF)),
                vdupq_n_u64(0x3FF0_0000_0000_0000),
            );
            (
                F64x2(vsubq_f64(e, vdupq_n_f64(1023.0))),
                F64x2(vreinterpretq_f64_u64(m)),
            )
        }
    }
    #[inline(always)]
    unsafe fn hsum(self) -> f64 {
        // SAFETY: the caller guarantees NEON.
        unsafe { vaddvq_f64(self.0) }
    }
    #[inline(always)]
    unsafe fn hmax(self) -> f64 {
        // SAFETY: the caller guarantees NEON.
        unsafe { vmaxvq_f64(self.0) }
    }
}
