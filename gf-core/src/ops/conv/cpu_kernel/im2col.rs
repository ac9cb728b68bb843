//! im2col and its adjoint col2im, a row segment at a time: for each kernel tap the output
//! positions whose input falls inside the image form one range per axis, found once, so the
//! inner loops copy (stride 1: a `copy_from_slice`) or step through an input row with no bounds
//! test per element, and only the padded ends are filled with zeros.

use super::super::ConvProblem;
use crate::dtype::Dtype;

/// The outputs `o` in `0..n_out` whose input `o·step + off` lies in `0..n_in`, as a range
/// (empty when there are none).
fn inside(n_out: usize, step: usize, off: isize, n_in: usize) -> (usize, usize) {
    // the smallest o with o·step + off ≥ 0, and the smallest with o·step + off ≥ n_in
    let lo = if off >= 0 {
        0
    } else {
        off.unsigned_abs().div_ceil(step)
    };
    let hi = if off >= n_in as isize {
        0
    } else {
        (n_in as isize - off).unsigned_abs().div_ceil(step)
    };
    let lo = lo.min(n_out);
    (lo, hi.clamp(lo, n_out))
}

/// The offset of kernel tap `t` on `axis`: input index = output index · stride + offset.
fn offset(p: &ConvProblem, axis: usize, t: usize) -> isize {
    (t * p.dilation[axis]) as isize - p.padding[axis] as isize
}

/// A piece of the column matrix of one group, as [`segments`] hands it out.
enum Segment {
    /// `len` entries from `start` that see only padding.
    Padding { start: usize, len: usize },
    /// One output row (`ow` entries from `start`) of one kernel tap: its columns `lo..hi`
    /// read input row `iy` of channel `ci` of the group from column `ix0` on, a stride apart;
    /// the others see padding.
    Row {
        start: usize,
        ci: usize,
        iy: usize,
        lo: usize,
        hi: usize,
        ix0: usize,
    },
}

/// Calls `f` on every piece of the column matrix of a group (`cig·kh·kw × oh·ow`: rows
/// (channel, ky, kx), columns (oy, ox)), in order.
fn segments(p: &ConvProblem, mut f: impl FnMut(Segment)) {
    let cig = p.c_in / p.groups;
    let (ohw, kk) = (p.oh * p.ow, p.kh * p.kw);
    for ci in 0..cig {
        for ky in 0..p.kh {
            let y_off = offset(p, 0, ky);
            let (ylo, yhi) = inside(p.oh, p.stride[0], y_off, p.h);
            for kx in 0..p.kw {
                let x_off = offset(p, 1, kx);
                let (lo, hi) = inside(p.ow, p.stride[1], x_off, p.w);
                // the first input column read (0 when none is)
                let ix0 = if lo < hi {
                    (lo as isize * p.stride[1] as isize + x_off) as usize
                } else {
                    0
                };
                let row = (ci * kk + ky * p.kw + kx) * ohw;
                f(Segment::Padding {
                    start: row,
                    len: ylo * p.ow,
                });
                for oy in ylo..yhi {
                    let iy = (oy as isize * p.stride[0] as isize + y_off) as usize;
                    f(Segment::Row {
                        start: row + oy * p.ow,
                        ci,
                        iy,
                        lo,
                        hi,
                        ix0,
                    });
                }
                f(Segment::Padding {
                    start: row + yhi * p.ow,
                    len: (p.oh - yhi) * p.ow,
                });
            }
        }
    }
}

/// Writes the column matrix of group `g` of one image into `col` (`cig·kh·kw × oh·ow`).
/// `img` is the image, `c_in × h × w`.
pub(super) fn im2col<E: Dtype>(p: &ConvProblem, img: &[E], g: usize, col: &mut [E]) {
    let (cig, hw, ow, sx) = (p.c_in / p.groups, p.h * p.w, p.ow, p.stride[1]);
    let planes = &img[g * cig * hw..][..cig * hw];
    segments(p, |s| match s {
        Segment::Padding { start, len } => col[start..][..len].fill(E::zero()),
        Segment::Row {
            start,
            ci,
            iy,
            lo,
            hi,
            ix0,
        } => {
            let dst = &mut col[start..][..ow];
            let src = &planes[ci * hw + iy * p.w..][..p.w];
            dst[..lo].fill(E::zero());
            dst[hi..].fill(E::zero());
            if sx == 1 {
                dst[lo..hi].copy_from_slice(&src[ix0..][..hi - lo]);
            } else {
                for (d, &v) in dst[lo..hi].iter_mut().zip(src[ix0..].iter().step_by(sx)) {
                    *d = v;
                }
            }
        }
    });
}

/// Adds a column matrix of group `g` back into the image it came from (the adjoint of
/// [`im2col`]); `img` is one image's gradient, `c_in × h × w`.
pub(super) fn col2im<E: Dtype>(p: &ConvProblem, col: &[E], g: usize, img: &mut [E]) {
    let (cig, hw, ow, sx) = (p.c_in / p.groups, p.h * p.w, p.ow, p.stride[1]);
    let planes = &mut img[g * cig * hw..][..cig * hw];
    segments(p, |s| {
        if let Segment::Row {
            start,
            ci,
            iy,
            lo,
            hi,
            ix0,
        } = s
        {
            let src = &col[start..][..ow][lo..hi];
            let dst = &mut planes[ci * hw + iy * p.w..][..p.w];
            if sx == 1 {
                for (d, &v) in dst[ix0..][..hi - lo].iter_mut().zip(src) {
                    *d += v;
                }
            } else {
                for (d, &v) in dst[ix0..].iter_mut().step_by(sx).zip(src) {
                    *d += v;
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::inside;

    /// `inside` against a scan of every output position.
    #[test]
    fn inside_matches_a_scan() {
        for n_out in 0..7 {
            for step in 1..4 {
                for off in -6isize..8 {
                    for n_in in 0..7 {
                        let ok: Vec<usize> = (0..n_out)
                            .filter(|&o| {
                                let i = o as isize * step as isize + off;
                                i >= 0 && i < n_in as isize
                            })
                            .collect();
                        let (lo, hi) = inside(n_out, step, off, n_in);
                        assert!(lo <= hi && hi <= n_out);
                        assert_eq!(
                            (lo..hi).collect::<Vec<_>>(),
                            ok,
                            "{n_out} {step} {off} {n_in}"
                        );
                    }
                }
            }
        }
    }
}
