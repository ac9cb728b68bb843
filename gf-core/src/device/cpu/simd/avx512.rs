//! AVX-512F lanes: 16 f32 or 8 f64 in a `zmm` register. Partial loads and stores use masked
//! instructions, which suppress faults and memory access for the masked-off lanes, so a tail
//! never touches memory past its last element.

use core::arch::x86_64::*;

use super::SimdVec;

/// 16 f32 lanes.
#[derive(Clone, Copy, Debug)]
pub struct F32x16(__m512);

/// 8 f64 lanes.
#[derive(Clone, Copy, Debug)]
pub struct F64x8(__m512d);

impl SimdVec<f32> for F32x16 {
    const LANES: usize = 16;
    type Mask = __mmask16;
    #[inline(always)]
    unsafe fn zero() -> Self {
        // SAFETY: the caller guarantees AVX-512F (the trait's contract).
        F32x16(unsafe { _mm512_setzero_ps() })
    }
    #[inline(always)]
    unsafe fn splat(x: f32) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        F32x16(unsafe { _mm512_set1_ps(x) })
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self {
        // SAFETY: AVX-512F, and `p` is valid for 16 reads (the caller's contract).
        F32x16(unsafe { _mm512_loadu_ps(p) })
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f32) {
        // SAFETY: AVX-512F, and `p` is valid for 16 writes.
        unsafe { _mm512_storeu_ps(p, self.0) }
    }
    #[inline(always)]
    unsafe fn load_partial(p: *const f32, n: usize) -> Self {
        let k = ((1u32 << n) - 1) as __mmask16;
        // SAFETY: AVX-512F; only the `n` lanes in `k` are read, and `p` holds `n` elements.
        F32x16(unsafe { _mm512_maskz_loadu_ps(k, p) })
    }
    #[inline(always)]
    unsafe fn store_partial(self, p: *mut f32, n: usize) {
        let k = ((1u32 << n) - 1) as __mmask16;
        // SAFETY: AVX-512F; only the `n` lanes in `k` are written, and `p` holds `n`.
        unsafe { _mm512_mask_storeu_ps(p, k, self.0) }
    }
    #[inline(always)]
    unsafe fn add(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        F32x16(unsafe { _mm512_add_ps(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn mul(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        F32x16(unsafe { _mm512_mul_ps(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn mul_add(self, b: Self, c: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        F32x16(unsafe { _mm512_fmadd_ps(self.0, b.0, c.0) })
    }
    #[inline(always)]
    unsafe fn max(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F. `vmaxps` gives its second operand when
        // either is NaN, so lanes where `self` is NaN are put back.
        F32x16(unsafe {
            let r = _mm512_max_ps(self.0, o.0);
            _mm512_mask_mov_ps(
                r,
                _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(self.0, self.0),
                self.0,
            )
        })
    }
    #[inline(always)]
    unsafe fn min(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F; NaN handled as in `max`.
        F32x16(unsafe {
            let r = _mm512_min_ps(self.0, o.0);
            _mm512_mask_mov_ps(
                r,
                _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(self.0, self.0),
                self.0,
            )
        })
    }
    #[inline(always)]
    unsafe fn lt(self, o: Self) -> __mmask16 {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_cmp_ps_mask::<_CMP_LT_OQ>(self.0, o.0) }
    }
    #[inline(always)]
    unsafe fn select(m: __mmask16, t: Self, f: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        F32x16(unsafe { _mm512_mask_blend_ps(m, f.0, t.0) })
    }
    #[inline(always)]
    unsafe fn sub(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        F32x16(unsafe { _mm512_sub_ps(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn div(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        F32x16(unsafe { _mm512_div_ps(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn round(self) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        F32x16(unsafe {
            _mm512_roundscale_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(self.0)
        })
    }
    #[inline(always)]
    unsafe fn pow2i(self) -> Self {
        // SAFETY: the caller guarantees AVX-512F; the biased exponent lands in the low bits
        // and is shifted into the exponent field, as on AVX2.
        F32x16(unsafe {
            let b = _mm512_castps_si512(_mm512_add_ps(self.0, _mm512_set1_ps(8_388_735.0)));
            _mm512_castsi512_ps(_mm512_slli_epi32::<23>(b))
        })
    }
    #[inline(always)]
    unsafe fn frexp(self) -> (Self, Self) {
        // SAFETY: the caller guarantees AVX-512F; the bit fields are those of a positive
        // normal binary32.
        unsafe {
            let b = _mm512_castps_si512(self.0);
            let e = _mm512_cvtepi32_ps(_mm512_srli_epi32::<23>(b));
            let m = _mm512_or_si512(
                _mm512_and_si512(b, _mm512_set1_epi32(0x007F_FFFF)),
                _mm512_set1_epi32(0x3F80_0000),
            );
            (
                F32x16(_mm512_sub_ps(e, _mm512_set1_ps(127.0))),
                F32x16(_mm512_castsi512_ps(m)),
            )
        }
    }
    #[inline(always)]
    unsafe fn hsum(self) -> f32 {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_reduce_add_ps(self.0) }
    }
    #[inline(always)]
    unsafe fn hmax(self) -> f32 {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe {
            if _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(self.0, self.0) != 0 {
                f32::NAN
            } else {
                _mm512_reduce_max_ps(self.0)
            }
        }
    }
}

impl SimdVec<f64> for F64x8 {
    const LANES: usize = 8;
    type Mask = __mmask8;
    #[inline(always)]
    unsafe fn zero() -> Self {
        // SAFETY: the caller guarantees AVX-512F (the trait's contract).
        F64x8(unsafe { _mm512_setzero_pd() })
    }
    #[inline(always)]
    unsafe fn splat(x: f64) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        F64x8(unsafe { _mm512_set1_pd(x) })
    }
    #[inline(always)]
    unsafe fn load(p: *const f64) -> Self {
        // SAFETY: AVX-512F, and `p` is valid for 8 reads (the caller's contract).
        F64x8(unsafe { _mm512_loadu_pd(p) })
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut f64) {
        // SAFETY: AVX-512F, and `p` is valid for 8 writes.
        unsafe { _mm512_storeu_pd(p, self.0) }
    }
    #[inline(always)]
    unsafe fn load_partial(p: *const f64, n: usize) -> Self {
        let k = ((1u32 << n) - 1) as __mmask8;
        // SAFETY: AVX-512F; only the `n` lanes in `k` are read, and `p` holds `n` elements.
        F64x8(unsafe { _mm512_maskz_loadu_pd(k, p) })
    }
    #[inline(always)]
    unsafe fn store_partial(self, p: *mut f64, n: usize) {
        let k = ((1u32 << n) - 1) as __mmask8;
        // SAFETY: AVX-512F; only the `n` lanes in `k` are written, and `p` holds `n`.
        unsafe { _mm512_mask_storeu_pd(p, k, self.0) }
    }
    #[inline(always)]
    unsafe fn add(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        F64x8(unsafe { _mm512_add_pd(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn mul(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        F64x8(unsafe { _mm512_mul_pd(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn mul_add(self, b: Self, c: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        F64x8(unsafe { _mm512_fmadd_pd(self.0, b.0, c.0) })
    }
    #[inline(always)]
    unsafe fn max(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F; NaN in `self` is put back (see f32).
        F64x8(unsafe {
            let r = _mm512_max_pd(self.0, o.0);
            _mm512_mask_mov_pd(
                r,
                _mm512_cmp_pd_mask::<_CMP_UNORD_Q>(self.0, self.0),
                self.0,
            )
        })
    }
    #[inline(always)]
    unsafe fn min(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F; NaN in `self` is put back.
        F64x8(unsafe {
            let r = _mm512_min_pd(self.0, o.0);
            _mm512_mask_mov_pd(
                r,
                _mm512_cmp_pd_mask::<_CMP_UNORD_Q>(self.0, self.0),
                self.0,
            )
        })
    }
    #[inline(always)]
    unsafe fn lt(self, o: Self) -> __mmask8 {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_cmp_pd_mask::<_CMP_LT_OQ>(self.0, o.0) }
    }
    #[inline(always)]
    unsafe fn select(m: __mmask8, t: Self, f: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        F64x8(unsafe { _mm512_mask_blend_pd(m, f.0, t.0) })
    }
    #[inline(always)]
    unsafe fn sub(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        F64x8(unsafe { _mm512_sub_pd(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn div(self, o: Self) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        F64x8(unsafe { _mm512_div_pd(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn round(self) -> Self {
        // SAFETY: the caller guarantees AVX-512F.
        F64x8(unsafe {
            _mm512_roundscale_pd::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(self.0)
        })
    }
    #[inline(always)]
    unsafe fn pow2i(self) -> Self {
        // SAFETY: the caller guarantees AVX-512F; the biased exponent lands in the low bits
        // and is shifted into the exponent field, as on AVX2.
        F64x8(unsafe {
            let b = _mm512_castpd_si512(_mm512_add_pd(
                self.0,
                _mm512_set1_pd(4_503_599_627_371_519.0),
            ));
            _mm512_castsi512_pd(_mm512_slli_epi64::<52>(b))
        })
    }
    #[inline(always)]
    unsafe fn frexp(self) -> (Self, Self) {
        // SAFETY: the caller guarantees AVX-512F; the bit fields are those of a positive
        // normal binary64, and the exponent converts exactly through 2^52 as on AVX2.
        unsafe {
            let b = _mm512_castpd_si512(self.0);
            let two52 = _mm512_set1_epi64(0x4330_0000_0000_0000);
            let e = _mm512_castsi512_pd(_mm512_or_si512(_mm512_srli_epi64::<52>(b), two52));
            let m = _mm512_or_si512(
                _mm512_and_si512(b, _mm512_set1_epi64(0x000F_FFFF_FFFF_FFFF)),
                _mm512_set1_epi64(0x3FF0_0000_0000_0000),
            );
            (
                F64x8(_mm512_sub_pd(e, _mm512_set1_pd(4_503_599_627_371_519.0))),
                F64x8(_mm512_castsi512_pd(m)),
            )
        }
    }
    #[inline(always)]
    unsafe fn hsum(self) -> f64 {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe { _mm512_reduce_add_pd(self.0) }
    }
    #[inline(always)]
    unsafe fn hmax(self) -> f64 {
        // SAFETY: the caller guarantees AVX-512F.
        unsafe {
            if _mm512_cmp_pd_mask::<_CMP_UNORD_Q>(self.0, self.0) != 0 {
                f64::NAN
            } else {
                _mm512_reduce_max_pd(self.0)
            }
        }
    }
}
