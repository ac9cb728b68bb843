//! The CPU convolution: im2col and one GEMM per image and group, shared out over the batch.
//!
//! One image's products are small (a 3×3 conv 32→64 of a 13×13 map is 64×288 · 288×121), too
//! small for the GEMM to thread well, so with more than one image the batch is cut into
//! chunks, one rayon task each, and every GEMM runs on its task's thread
//! ([`CpuDtype::gemm_serial`]) with a column buffer the task reuses for all its images. A
//! single image (or a few large ones, fewer than the threads) instead runs one threaded GEMM
//! at a time. A 1×1 convolution with stride 1 and no padding skips im2col: the image is
//! already its column matrix.
//!
//! The weight gradient sums over the batch: each chunk adds its images into a partial
//! gradient of its own, and the partials are added to the result in chunk order. Chunks
//! depend only on the batch size ([`WEIGHT_TASKS`]), so for a given problem the weight
//! gradient is the same bit for bit on every run and every thread count, as long as the batch
//! is shared out (more than one image, and as many images as threads or small ones: see
//! [`Plan`]).

mod im2col;
#[cfg(test)]
mod tests;

use im2col::{col2im, im2col};

use super::{ConvKernel, ConvProblem};
use crate::device::gemm::PAR_WORK;
use crate::device::{Cpu, CpuBuf, CpuDtype};
use crate::dtype::Dtype;
use crate::error::Result;
use crate::ops::matmul::{GemmDims, MatView};

/// The weight gradient's batch is cut into at most this many chunks, whatever the thread
/// count, so its sum runs in one order everywhere (enough chunks for 16 threads; a partial
/// gradient per chunk costs `c_out · c_in / groups · kh · kw` elements).
const WEIGHT_TASKS: usize = 16;

/// Forward and input-gradient chunks per thread: several, so a thread that finishes early
/// takes another instead of waiting.
const CHUNKS_PER_THREAD: usize = 4;

/// A row-major matrix of `cols` columns starting at `offset`.
fn mat(offset: usize, cols: usize) -> MatView {
    MatView {
        offset,
        batch_stride: 0,
        row_stride: cols,
        col_stride: 1,
    }
}

/// One product `c += a·b` of `m × k` by `k × n`: on this thread only when `serial`.
#[allow(clippy::too_many_arguments)]
fn gemm<E: Dtype>(
    serial: bool,
    [m, k, n]: [usize; 3],
    a: &[E],
    av: MatView,
    b: &[E],
    bv: MatView,
    c: &mut [E],
    cv: MatView,
) -> Result<()> {
    let d = GemmDims { batch: 1, m, k, n };
    if serial {
        E::gemm_serial(d, a, av, b, bv, c, cv)
    } else {
        <E as CpuDtype>::gemm(d, a, av, b, bv, c, cv)
    }
}

/// Sizes every kernel uses.
#[derive(Clone, Copy)]
struct Sizes {
    /// Input channels per group.
    cig: usize,
    /// Output channels per group.
    cog: usize,
    /// Pixels of an input plane.
    hw: usize,
    /// Pixels of an output plane.
    ohw: usize,
    /// Rows of the column matrix: `cig · kh · kw`.
    k: usize,
    /// The image is its own column matrix (1×1, stride 1, no padding, uncropped).
    direct: bool,
}

impl Sizes {
    fn of(p: &ConvProblem) -> Sizes {
        let (cig, cog) = (p.c_in / p.groups, p.c_out / p.groups);
        let direct = p.kh == 1
            && p.kw == 1
            && p.stride == [1, 1]
            && p.padding == [0, 0]
            && (p.oh, p.ow) == (p.h, p.w);
        // saturating: ConvProblem checks each buffer's count, but a zero in one factor (no
        // images, no channels) leaves the product of the others unchecked; the kernels return
        // before using a size that could have saturated
        Sizes {
            cig,
            cog,
            hw: p.h.saturating_mul(p.w),
            ohw: p.oh.saturating_mul(p.ow),
            k: cig.saturating_mul(p.kh * p.kw),
            direct,
        }
    }

    /// A column buffer for one group of one image (empty when the image is used directly).
    fn col<E: Dtype>(&self) -> Result<CpuBuf<E>> {
        CpuBuf::try_zeroed(if self.direct { 0 } else { self.k * self.ohw })
    }

    /// Elements of one input image and of one output image.
    fn images(&self, p: &ConvProblem) -> (usize, usize) {
        (
            p.c_in.saturating_mul(self.hw),
            p.c_out.saturating_mul(self.ohw),
        )
    }

    /// Multiply-adds of one image's products.
    fn work(&self, p: &ConvProblem) -> usize {
        p.groups
            .saturating_mul(self.cog)
            .saturating_mul(self.k)
            .saturating_mul(self.ohw)
    }
}

/// How a kernel goes through the batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plan {
    /// One image after another, each product threaded by the GEMM itself.
    Serial,
    /// Chunks of this many images, one rayon task each, every product on its task's thread.
    Chunks(usize),
}

impl Plan {
    /// Images are shared out when there are several and either enough of them for the threads
    /// or products too small to thread anyway; `tasks` is how many chunks to aim for.
    fn new(batch: usize, work: usize, tasks: usize) -> Plan {
        let threads = threads();
        if batch <= 1 || (batch < threads && work >= PAR_WORK) {
            Plan::Serial
        } else {
            Plan::Chunks(batch.div_ceil(tasks.clamp(1, batch)))
        }
    }

    /// The plan of the forward pass and the input gradient.
    fn images(p: &ConvProblem, s: &Sizes) -> Plan {
        Plan::new(p.batch, s.work(p), threads() * CHUNKS_PER_THREAD)
    }
}

/// rayon's thread count.
#[cfg(feature = "rayon")]
fn threads() -> usize {
    rayon::current_num_threads()
}

/// One thread without rayon.
#[cfg(not(feature = "rayon"))]
fn threads() -> usize {
    1
}

/// Runs `f(first image, its images' slice of buf, serial)` over `buf`, `per_image` elements an
/// image, as `plan` says.
fn for_images<E: Dtype>(
    plan: Plan,
    buf: &mut [E],
    per_image: usize,
    f: impl Fn(usize, &mut [E], bool) -> Result<()> + Sync + Send,
) -> Result<()> {
    if buf.is_empty() || per_image == 0 {
        return Ok(());
    }
    match plan {
        Plan::Serial => f(0, buf, false),
        Plan::Chunks(chunk) => {
            #[cfg(feature = "rayon")]
            use rayon::prelude::*;
            #[cfg(feature = "rayon")]
            let chunks = buf.par_chunks_mut(chunk * per_image);
            #[cfg(not(feature = "rayon"))]
            let chunks = buf.chunks_mut(chunk * per_image);
            chunks
                .enumerate()
                .try_for_each(|(t, c)| f(t * chunk, c, true))
        }
    }
}

impl<E: Dtype> ConvKernel<E> for Cpu {
    fn try_conv_fwd(&self, p: &ConvProblem, x: &CpuBuf<E>, w: &CpuBuf<E>) -> Result<CpuBuf<E>> {
        let s = Sizes::of(p);
        let (in_image, out_image) = s.images(p);
        let mut y = CpuBuf::<E>::try_zeroed(p.batch * p.c_out * p.oh * p.ow)?;
        for_images(Plan::images(p, &s), &mut y, out_image, |b0, ys, serial| {
            let mut col = s.col::<E>()?;
            for (i, yb) in ys.chunks_exact_mut(out_image).enumerate() {
                let img = &x[(b0 + i) * in_image..][..in_image];
                for g in 0..p.groups {
                    // y[b, g] (cog × ohw) += w[g] (cog × k) · col (k × ohw)
                    let (src, sv) = if s.direct {
                        (img, mat(g * s.cig * s.hw, s.hw))
                    } else {
                        im2col(p, img, g, &mut col);
                        (&col[..], mat(0, s.ohw))
                    };
                    gemm(
                        serial,
                        [s.cog, s.k, s.ohw],
                        w,
                        mat(g * s.cog * s.k, s.k),
                        src,
                        sv,
                        yb,
                        mat(g * s.cog * s.ohw, s.ohw),
                    )?;
                }
            }
            Ok(())
        })?;
        Ok(y)
    }

    fn try_conv_bwd_input(
        &self,
        p: &ConvProblem,
        w: &CpuBuf<E>,
        gy: &CpuBuf<E>,
        gx: &mut CpuBuf<E>,
    ) -> Result<()> {
        if gy.is_empty() {
            return Ok(());
        }
        let s = Sizes::of(p);
        let (in_image, out_image) = s.images(p);
        for_images(Plan::images(p, &s), gx, in_image, |b0, gxs, serial| {
            let mut col = s.col::<E>()?;
            for (i, gxb) in gxs.chunks_exact_mut(in_image).enumerate() {
                let gyb = &gy[(b0 + i) * out_image..][..out_image];
                for g in 0..p.groups {
                    // col (k × ohw) = w[g]ᵀ (k × cog) · gy[b, g] (cog × ohw), added back into
                    // the image; a direct image takes the product itself
                    let (wv, gv) = (mat(g * s.cog * s.k, s.k).t(), mat(g * s.cog * s.ohw, s.ohw));
                    let dims = [s.k, s.cog, s.ohw];
                    if s.direct {
                        gemm(
                            serial,
                            dims,
                            w,
                            wv,
                            gyb,
                            gv,
                            gxb,
                            mat(g * s.cig * s.hw, s.hw),
                        )?;
                    } else {
                        col.fill(E::zero());
                        gemm(serial, dims, w, wv, gyb, gv, &mut col, mat(0, s.ohw))?;
                        col2im(p, &col, g, gxb);
                    }
                }
            }
            Ok(())
        })
    }

    fn try_conv_bwd_weight(
        &self,
        p: &ConvProblem,
        x: &CpuBuf<E>,
        gy: &CpuBuf<E>,
        gw: &mut CpuBuf<E>,
    ) -> Result<()> {
        if gw.is_empty() || p.batch == 0 || gy.is_empty() {
            return Ok(());
        }
        let s = Sizes::of(p);
        let (in_image, out_image) = s.images(p);
        // gw[g] (cog × k) += gy[b, g] (cog × ohw) · col[b, g]ᵀ (ohw × k) for images `range`
        let add_images = |range: core::ops::Range<usize>, gw: &mut [E], serial: bool| {
            let mut col = s.col::<E>()?;
            for b in range {
                let img = &x[b * in_image..][..in_image];
                let gyb = &gy[b * out_image..][..out_image];
                for g in 0..p.groups {
                    let (src, sv) = if s.direct {
                        (img, mat(g * s.cig * s.hw, s.hw).t())
                    } else {
                        im2col(p, img, g, &mut col);
                        (&col[..], mat(0, s.ohw).t())
                    };
                    gemm(
                        serial,
                        [s.cog, s.ohw, s.k],
                        gyb,
                        mat(g * s.cog * s.ohw, s.ohw),
                        src,
                        sv,
                        gw,
                        mat(g * s.cog * s.k, s.k),
                    )?;
                }
            }
            Ok(())
        };
        let chunk = match Plan::new(p.batch, s.work(p), WEIGHT_TASKS) {
            Plan::Serial => return add_images(0..p.batch, gw, false),
            Plan::Chunks(chunk) => chunk,
        };
        let tasks = p.batch.div_ceil(chunk);
        let partial = |t: usize| -> Result<CpuBuf<E>> {
            let mut part = CpuBuf::<E>::try_zeroed(gw.len())?;
            add_images(t * chunk..((t + 1) * chunk).min(p.batch), &mut part, true)?;
            Ok(part)
        };
        #[cfg(feature = "rayon")]
        let parts: Vec<CpuBuf<E>> = {
            use rayon::prelude::*;
            (0..tasks)
                .into_par_iter()
                .map(partial)
                .collect::<Result<_>>()?
        };
        #[cfg(not(feature = "rayon"))]
        let parts: Vec<CpuBuf<E>> = (0..tasks).map(partial).collect::<Result<_>>()?;
        // in chunk order, so the sum rounds the same way on every run
        for part in &parts {
            for (g, &v) in gw.iter_mut().zip(part.iter()) {
                *g += v;
            }
        }
        Ok(())
    }
}
