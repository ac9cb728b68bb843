//! AVX2 + FMA lanes: 8 f32 or 4 f64 in a `ymm` register. Partial loads and stores use
//! `vmaskmov`, which neither reads nor faults on the masked-off lanes.

use core::arch::x86_64::*;

use super::SimdVec;
use crate::device::lanes::max_nan;

/// 8 f32 lanes.
#[derive(Clone, Copy, Debug)]
pub struct F32x8(__m256);

/// 4 f64 lanes.
#[derive(Clone, Copy, Debug)]
pub struct F64x4(__m256d);

/// Lanes `0..n` set (sign bit), as `vmaskmovps` reads a mask.
#[inline(always)]
unsafe fn mask32(n: usize) -> __m256i {
    // SAFETY: the caller guarantees AVX2.
    unsafe {
        _mm256_cmpgt_epi32(
            _mm256_set1_epi32(n as i32),
            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
        )
    }
}

/// Lanes `0..n` set, for `vmaskmovpd`.
#[inline(always)]
unsafe fn mask64(n: usize) -> __m256i {
    // SAFETY: the caller guarantees AVX2.
    unsafe { _mm256_cmpgt_epi64(_mm256_set1_epi64x(n as i64), _mm256_setr_epi64x(0, 1, 2, 3)) }
}

impl SimdVec<f32> for F32x8 {
    const LANES: usize = 8;
    type Mask = __m256;
    #[inline(always)]
    unsafe fn zero() -> Self {
        // SAFETY: the caller guarantees AVX2 + FMA (the trait's contract).
        F32x8(unsafe { _mm256_setzero_ps() })
    }
    #[inline(always)]
    unsafe fn splat(x: f32) -> Self {
        // SAFETY: the caller guarantees AVX2.
        F32x8(unsafe { _mm256_set1_ps(x) })
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: AVX2, and `p` is valid for 8 reads (the caller's contract).
        F32x8(unsafe { _mm256_loadu_ps(p) })
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: AVX2, and `p` is valid for 8 writes.
        unsafe { _mm256_storeu_ps(p, self.0) }
    }
    #[inline(always)]
    unsafe fn load_partial(p: *const f32, n: usize) -> Self {
        // SAFETY: AVX2; only the `n` masked lanes are read, and `p` holds `n` elements.
        F32x8(unsafe { _mm256_maskload_ps(p, mask32(n)) })
    }
    #[inline(always)]
    unsafe fn store_partial(self, p: *mut f32, n: usize) {
        // SAFETY: AVX2; only the `n` masked lanes are written, and `p` holds `n` elements.
        unsafe { _mm256_maskstore_ps(p, mask32(n), self.0) }
    }
    #[inline(always)]
    unsafe fn add(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX2.
        F32x8(unsafe { _mm256_add_ps(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn mul(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX2.
        F32x8(unsafe { _mm256_mul_ps(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn mul_add(self, b: Self, c: Self) -> Self {
        // SAFETY: the caller guarantees FMA.
        F32x8(unsafe { _mm256_fmadd_ps(self.0, b.0, c.0) })
    }
    #[inline(always)]
    unsafe fn max(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX2. `vmaxps` gives its second operand when either
        // is NaN, so lanes where `self` is NaN are put back.
        F32x8(unsafe {
            let r = _mm256_max_ps(self.0, o.0);
            _mm256_blendv_ps(r, self.0, _mm256_cmp_ps::<_CMP_UNORD_Q>(self.0, self.0))
        })
    }
    #[inline(always)]
    unsafe fn min(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX2; NaN handled as in `max`.
        F32x8(unsafe {
            let r = _mm256_min_ps(self.0, o.0);
            _mm256_blendv_ps(r, self.0, _mm256_cmp_ps::<_CMP_UNORD_Q>(self.0, self.0))
        })
    }
    #[inline(always)]
    unsafe fn lt(self, o: Self) -> __m256 {
        // SAFETY: the caller guarantees AVX2.
        unsafe { _mm256_cmp_ps::<_CMP_LT_OQ>(self.0, o.0) }
    }
    #[inline(always)]
    unsafe fn select(m: __m256, t: Self, f: Self) -> Self {
        // SAFETY: the caller guarantees AVX2.
        F32x8(unsafe { _mm256_blendv_ps(f.0, t.0, m) })
    }
    #[inline(always)]
    unsafe fn sub(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX2.
        F32x8(unsafe { _mm256_sub_ps(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn div(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX2.
        F32x8(unsafe { _mm256_div_ps(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn round(self) -> Self {
        // SAFETY: the caller guarantees AVX2 (and so SSE4.1's rounding modes).
        F32x8(unsafe {
            _mm256_round_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(self.0)
        })
    }
    #[inline(always)]
    unsafe fn pow2i(self) -> Self {
        // SAFETY: the caller guarantees AVX2. Adding 2^23 + 127 puts the biased exponent
        // `k + 127` (1..=254 for the lanes the contract allows) in the low mantissa bits;
        // shifting it up by 23 makes it the exponent field of 2^k.
        F32x8(unsafe {
            let b = _mm256_castps_si256(_mm256_add_ps(self.0, _mm256_set1_ps(8_388_735.0)));
            _mm256_castsi256_ps(_mm256_slli_epi32::<23>(b))
        })
    }
    #[inline(always)]
    unsafe fn frexp(self) -> (Self, Self) {
        // SAFETY: the caller guarantees AVX2; the bit fields are those of a positive normal
        // binary32.
        unsafe {
            let b = _mm256_castps_si256(self.0);
            let e = _mm256_cvtepi32_ps(_mm256_srli_epi32::<23>(b));
            let m = _mm256_or_si256(
                _mm256_and_si256(b, _mm256_set1_epi32(0x007F_FFFF)),
                _mm256_set1_epi32(0x3F80_0000),
            );
            (
                F32x8(_mm256_sub_ps(e, _mm256_set1_ps(127.0))),
                F32x8(_mm256_castsi256_ps(m)),
            )
        }
    }
    #[inline(always)]
    unsafe fn hsum(self) -> f32 {
        // SAFETY: the caller guarantees AVX2 (and so SSE3).
        unsafe {
            let s = _mm_add_ps(
                _mm256_castps256_ps128(self.0),
                _mm256_extractf128_ps::<1>(self.0),
            );
            let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
            _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)))
        }
    }
    #[inline(always)]
    unsafe fn hmax(self) -> f32 {
        let mut a = [0f32; 8];
        // SAFETY: AVX2, and `a` holds 8 elements.
        unsafe { self.store(a.as_mut_ptr()) };
        a.into_iter().fold(f32::NEG_INFINITY, max_nan)
    }
}

impl SimdVec<f64> for F64x4 {
    const LANES: usize = 4;
    type Mask = __m256d;
    #[inline(always)]
    unsafe fn zero() -> Self {
        // SAFETY: the caller guarantees AVX2 + FMA (the trait's contract).
        F64x4(unsafe { _mm256_setzero_pd() })
    }
    #[inline(always)]
    unsafe fn splat(x: f64) -> Self {
        // SAFETY: the caller guarantees AVX2.
        F64x4(unsafe { _mm256_set1_pd(x) })
    }
    #[inline(always)]
    unsafe fn load(p: *const f64) -> Self {
        // SAFETY: AVX2, and `p` is valid for 4 reads (the caller's contract).
        F64x4(unsafe { _mm256_loadu_pd(p) })
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f64) {
        // SAFETY: AVX2, and `p` is valid for 4 writes.
        unsafe { _mm256_storeu_pd(p, self.0) }
    }
    #[inline(always)]
    unsafe fn load_partial(p: *const f64, n: usize) -> Self {
        // SAFETY: AVX2; only the `n` masked lanes are read, and `p` holds `n` elements.
        F64x4(unsafe { _mm256_maskload_pd(p, mask64(n)) })
    }
    #[inline(always)]
    unsafe fn store_partial(self, p: *mut f64, n: usize) {
        // SAFETY: AVX2; only the `n` masked lanes are written, and `p` holds `n` elements.
        unsafe { _mm256_maskstore_pd(p, mask64(n), self.0) }
    }
    #[inline(always)]
    unsafe fn add(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX2.
        F64x4(unsafe { _mm256_add_pd(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn mul(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX2.
        F64x4(unsafe { _mm256_mul_pd(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn mul_add(self, b: Self, c: Self) -> Self {
        // SAFETY: the caller guarantees FMA.
        F64x4(unsafe { _mm256_fmadd_pd(self.0, b.0, c.0) })
    }
    #[inline(always)]
    unsafe fn max(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX2; NaN in `self` is put back (see f32).
        F64x4(unsafe {
            let r = _mm256_max_pd(self.0, o.0);
            _mm256_blendv_pd(r, self.0, _mm256_cmp_pd::<_CMP_UNORD_Q>(self.0, self.0))
        })
    }
    #[inline(always)]
    unsafe fn min(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX2; NaN in `self` is put back.
        F64x4(unsafe {
            let r = _mm256_min_pd(self.0, o.0);
            _mm256_blendv_pd(r, self.0, _mm256_cmp_pd::<_CMP_UNORD_Q>(self.0, self.0))
        })
    }
    #[inline(always)]
    unsafe fn lt(self, o: Self) -> __m256d {
        // SAFETY: the caller guarantees AVX2.
        unsafe { _mm256_cmp_pd::<_CMP_LT_OQ>(self.0, o.0) }
    }
    #[inline(always)]
    unsafe fn select(m: __m256d, t: Self, f: Self) -> Self {
        // SAFETY: the caller guarantees AVX2.
        F64x4(unsafe { _mm256_blendv_pd(f.0, t.0, m) })
    }
    #[inline(always)]
    unsafe fn sub(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX2.
        F64x4(unsafe { _mm256_sub_pd(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn div(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX2.
        F64x4(unsafe { _mm256_div_pd(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn round(self) -> Self {
        // SAFETY: the caller guarantees AVX2 (and so SSE4.1's rounding modes).
        F64x4(unsafe {
            _mm256_round_pd::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(self.0)
        })
    }
    #[inline(always)]
    unsafe fn pow2i(self) -> Self {
        // SAFETY: the caller guarantees AVX2. Adding 2^52 + 1023 puts the biased exponent
        // `k + 1023` (1..=2046 for the lanes the contract allows) in the low mantissa bits;
        // shifting it up by 52 makes it the exponent field of 2^k.
        F64x4(unsafe {
            let b = _mm256_castpd_si256(_mm256_add_pd(
                self.0,
                _mm256_set1_pd(4_503_599_627_371_519.0),
            ));
            _mm256_castsi256_pd(_mm256_slli_epi64::<52>(b))
        })
    }
    #[inline(always)]
    unsafe fn frexp(self) -> (Self, Self) {
        // SAFETY: the caller guarantees AVX2; the bit fields are those of a positive normal
        // binary64. AVX2 has no 64-bit integer to float conversion: the exponent field is put
        // in the mantissa of 2^52 and 2^52 subtracted, which is exact.
        unsafe {
            let b = _mm256_castpd_si256(self.0);
            let two52 = _mm256_set1_epi64x(0x4330_0000_0000_0000);
            let e = _mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64::<52>(b), two52));
            let m = _mm256_or_si256(
                _mm256_and_si256(b, _mm256_set1_epi64x(0x000F_FFFF_FFFF_FFFF)),
                _mm256_set1_epi64x(0x3FF0_0000_0000_0000),
            );
            (
                F64x4(_mm256_sub_pd(e, _mm256_set1_pd(4_503_599_627_371_519.0))),
                F64x4(_mm256_castsi256_pd(m)),
            )
        }
    }
    #[inline(always)]
    unsafe fn hsum(self) -> f64 {
        // SAFETY: the caller guarantees AVX2.
        unsafe {
            let s = _mm_add_pd(
                _mm256_castpd256_pd128(self.0),
                _mm256_extractf128_pd::<1>(self.0),
            );
            _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)))
        }
    }
    #[inline(always)]
    unsafe fn hmax(self) -> f64 {
        let mut a = [0f64; 4];
        // SAFETY: AVX2, and `a` holds 4 elements.
        unsafe { self.store(a.as_mut_ptr()) };
        a.into_iter().fold(f64::NEG_INFINITY, max_nan)
    }
}
