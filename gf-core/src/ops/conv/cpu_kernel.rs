use super::{ConvKernel, ConvProblem};
use crate::device::{Cpu, CpuBuf};
use crate::dtype::Dtype;
use crate::error::Result;
use crate::ops::matmul::{GemmDims, MatMulKernel, MatView};

impl Cpu {
    /// The im2col matrix of one image and group: rows (channel, ky, kx), columns (oy, ox).
    fn im2col<E: Dtype>(p: &ConvProblem, x: &[E], b: usize, g: usize, col: &mut [E]) {
        let cig = p.c_in / p.groups;
        let (ohw, kk) = (p.oh * p.ow, p.kh * p.kw);
        for ci in 0..cig {
            let plane = &x[((b * p.c_in) + g * cig + ci) * p.h * p.w..][..p.h * p.w];
            for ky in 0..p.kh {
                for kx in 0..p.kw {
                    let row = &mut col[(ci * kk + ky * p.kw + kx) * ohw..][..ohw];
                    for oy in 0..p.oh {
                        let iy = (oy * p.stride[0] + ky * p.dilation[0]) as isize
                            - p.padding[0] as isize;
                        for ox in 0..p.ow {
                            let ix = (ox * p.stride[1] + kx * p.dilation[1]) as isize
                                - p.padding[1] as isize;
                            let inside =
                                iy >= 0 && (iy as usize) < p.h && ix >= 0 && (ix as usize) < p.w;
                            row[oy * p.ow + ox] = if inside {
                                plane[iy as usize * p.w + ix as usize]
                            } else {
                                E::zero()
                            };
                        }
                    }
                }
            }
        }
    }

    /// Adds an im2col-shaped matrix back into the image it came from (the adjoint of `im2col`).
    fn col2im<E: Dtype>(p: &ConvProblem, col: &[E], b: usize, g: usize, x: &mut [E]) {
        let cig = p.c_in / p.groups;
        let (ohw, kk) = (p.oh * p.ow, p.kh * p.kw);
        for ci in 0..cig {
            let plane = &mut x[((b * p.c_in) + g * cig + ci) * p.h * p.w..][..p.h * p.w];
            for ky in 0..p.kh {
                for kx in 0..p.kw {
                    let row = &col[(ci * kk + ky * p.kw + kx) * ohw..][..ohw];
                    for oy in 0..p.oh {
                        let iy = (oy * p.stride[0] + ky * p.dilation[0]) as isize
                            - p.padding[0] as isize;
                        if iy < 0 || iy as usize >= p.h {
                            continue;
                        }
                        for ox in 0..p.ow {
                            let ix = (ox * p.stride[1] + kx * p.dilation[1]) as isize
                                - p.padding[1] as isize;
                            if ix >= 0 && (ix as usize) < p.w {
                                plane[iy as usize * p.w + ix as usize] += row[oy * p.ow + ox];
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A row-major matrix of `cols` columns starting at `offset`.
fn mat(offset: usize, cols: usize) -> MatView {
    MatView {
        offset,
        batch_stride: 0,
        row_stride: cols,
        col_stride: 1,
    }
}

impl<E: Dtype> ConvKernel<E> for Cpu {
    fn try_conv_fwd(&self, p: &ConvProblem, x: &CpuBuf<E>, w: &CpuBuf<E>) -> Result<CpuBuf<E>> {
        let (cig, cog, ohw) = (p.c_in / p.groups, p.c_out / p.groups, p.oh * p.ow);
        let k = cig * p.kh * p.kw;
        let mut y = CpuBuf::<E>::try_zeroed(p.batch * p.c_out * ohw)?;
        let mut col = CpuBuf::<E>::try_zeroed(k * ohw)?;
        for b in 0..p.batch {
            for g in 0..p.groups {
                Cpu::im2col(p, x, b, g, &mut col);
                // y[b, g] (cog × ohw) += w[g] (cog × k) · col (k × ohw)
                self.try_gemm(
                    GemmDims {
                        batch: 1,
                        m: cog,
                        k,
                        n: ohw,
                    },
                    w,
                    mat(g * cog * k, k),
                    &col,
                    mat(0, ohw),
                    &mut y,
                    mat((b * p.c_out + g * cog) * ohw, ohw),
                )?;
            }
        }
        Ok(y)
    }

    fn try_conv_bwd_input(
        &self,
        p: &ConvProblem,
        w: &CpuBuf<E>,
        gy: &CpuBuf<E>,
        gx: &mut CpuBuf<E>,
    ) -> Result<()> {
        let (cig, cog, ohw) = (p.c_in / p.groups, p.c_out / p.groups, p.oh * p.ow);
        let k = cig * p.kh * p.kw;
        let mut col = CpuBuf::<E>::try_zeroed(k * ohw)?;
        for b in 0..p.batch {
            for g in 0..p.groups {
                col.iter_mut().for_each(|c| *c = E::zero());
                // col (k × ohw) = w[g]ᵀ (k × cog) · gy[b, g] (cog × ohw)
                self.try_gemm(
                    GemmDims {
                        batch: 1,
                        m: k,
                        k: cog,
                        n: ohw,
                    },
                    w,
                    mat(g * cog * k, k).t(),
                    gy,
                    mat((b * p.c_out + g * cog) * ohw, ohw),
                    &mut col,
                    mat(0, ohw),
                )?;
                Cpu::col2im(p, &col, b, g, gx);
            }
        }
        Ok(())
    }

    fn try_conv_bwd_weight(
        &self,
        p: &ConvProblem,
        x: &CpuBuf<E>,
        gy: &CpuBuf<E>,
        gw: &mut CpuBuf<E>,
    ) -> Result<()> {
        let (cig, cog, ohw) = (p.c_in / p.groups, p.c_out / p.groups, p.oh * p.ow);
        let k = cig * p.kh * p.kw;
        let mut col = CpuBuf::<E>::try_zeroed(k * ohw)?;
        for b in 0..p.batch {
            for g in 0..p.groups {
                Cpu::im2col(p, x, b, g, &mut col);
                // gw[g] (cog × k) += gy[b, g] (cog × ohw) · colᵀ (ohw × k)
                self.try_gemm(
                    GemmDims {
                        batch: 1,
                        m: cog,
                        k: ohw,
                        n: k,
                    },
                    gy,
                    mat((b * p.c_out + g * cog) * ohw, ohw),
                    &col,
                    mat(0, ohw).t(),
                    gw,
                    mat(g * cog * k, k),
                )?;
            }
        }
        Ok(())
    }
}
