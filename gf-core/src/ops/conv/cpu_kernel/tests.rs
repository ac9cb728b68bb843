//! The CPU convolution kernels against a direct loop over every (image, output, tap), on
//! shapes that take each path: one image and several (serial and shared-out batches), odd
//! sizes, groups, dilation, stride 2, padding, 1×1 (no im2col) and a cropped output.

use super::*;

/// Deterministic values in [-1, 1).
fn data(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        })
        .collect()
}

/// The three products by their definition: y = conv(x, w), and for an output gradient `gy`
/// the input gradient and the weight gradient.
fn direct(p: &ConvProblem, x: &[f64], w: &[f64], gy: &[f64]) -> [Vec<f64>; 3] {
    let (cig, cog) = (p.c_in / p.groups, p.c_out / p.groups);
    let mut y = vec![0.0; p.batch * p.c_out * p.oh * p.ow];
    let mut gx = vec![0.0; x.len()];
    let mut gw = vec![0.0; w.len()];
    for b in 0..p.batch {
        for o in 0..p.c_out {
            let g = o / cog;
            for i in 0..p.oh {
                for j in 0..p.ow {
                    let yi = ((b * p.c_out + o) * p.oh + i) * p.ow + j;
                    for c in 0..cig {
                        for ky in 0..p.kh {
                            for kx in 0..p.kw {
                                let iy = (i * p.stride[0] + ky * p.dilation[0]) as isize
                                    - p.padding[0] as isize;
                                let ix = (j * p.stride[1] + kx * p.dilation[1]) as isize
                                    - p.padding[1] as isize;
                                if iy < 0 || ix < 0 || iy as usize >= p.h || ix as usize >= p.w {
                                    continue;
                                }
                                let xi = ((b * p.c_in + g * cig + c) * p.h + iy as usize) * p.w
                                    + ix as usize;
                                let wi = ((o * cig + c) * p.kh + ky) * p.kw + kx;
                                y[yi] += x[xi] * w[wi];
                                gx[xi] += gy[yi] * w[wi];
                                gw[wi] += gy[yi] * x[xi];
                            }
                        }
                    }
                }
            }
        }
    }
    [y, gx, gw]
}

/// Runs the kernels on `p` (gradients added to buffers that already hold values, as the tape
/// does) and compares them with [`direct`] to 1e-12.
fn check(p: ConvProblem) {
    let cig = p.c_in / p.groups;
    let x = data(p.batch * p.c_in * p.h * p.w, 1);
    let w = data(p.c_out * cig * p.kh * p.kw, 2);
    let gy = data(p.batch * p.c_out * p.oh * p.ow, 3);
    let (gx0, gw0) = (data(x.len(), 4), data(w.len(), 5));
    let [y, gx, gw] = direct(&p, &x, &w, &gy);
    let buf = |v: &[f64]| {
        let mut b = CpuBuf::<f64>::try_zeroed(v.len()).unwrap();
        b.copy_from_slice(v);
        b
    };
    let dev = Cpu::default();
    let (xb, wb, gyb) = (buf(&x), buf(&w), buf(&gy));
    let got_y = dev.try_conv_fwd(&p, &xb, &wb).unwrap();
    let mut got_gx = buf(&gx0);
    dev.try_conv_bwd_input(&p, &wb, &gyb, &mut got_gx).unwrap();
    let mut got_gw = buf(&gw0);
    dev.try_conv_bwd_weight(&p, &xb, &gyb, &mut got_gw).unwrap();
    let close = |what: &str, got: &[f64], want: &[f64], base: &[f64]| {
        assert_eq!(got.len(), want.len(), "{what} of {p:?}");
        let worst = got
            .iter()
            .zip(want)
            .zip(base.iter().chain(core::iter::repeat(&0.0)))
            .map(|((g, w), b)| (g - (w + b)).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-12, "{what} of {p:?} is off by {worst}");
    };
    close("y", &got_y, &y, &[]);
    close("gx", &got_gx, &gx, &gx0);
    close("gw", &got_gw, &gw, &gw0);
}

/// `ConvProblem::new` with square options.
fn problem(
    input: [usize; 4],
    weight: [usize; 4],
    stride: usize,
    padding: usize,
    dilation: usize,
    groups: usize,
) -> ConvProblem {
    ConvProblem::new(
        input,
        weight,
        [stride; 2],
        [padding; 2],
        [dilation; 2],
        groups,
    )
    .unwrap()
}

#[test]
fn one_image_and_odd_batches_match_the_direct_loop() {
    for batch in [1, 3, 5, 17] {
        check(problem([batch, 3, 9, 7], [4, 3, 3, 3], 1, 1, 1, 1));
        check(problem([batch, 2, 8, 11], [3, 2, 3, 2], 1, 0, 1, 1));
    }
}

#[test]
fn strides_padding_dilation_and_groups_match_the_direct_loop() {
    check(problem([3, 4, 11, 10], [6, 2, 3, 3], 2, 1, 1, 2));
    check(problem([2, 3, 12, 9], [5, 3, 3, 3], 1, 2, 2, 1));
    check(problem([3, 6, 10, 13], [6, 1, 3, 3], 2, 1, 2, 6));
    check(problem([4, 2, 7, 7], [2, 2, 5, 5], 3, 2, 1, 1));
    // padding past the kernel's reach: whole rows and columns of taps see only zeros
    check(problem([2, 1, 3, 4], [2, 1, 2, 2], 1, 3, 1, 1));
    // unequal strides, padding and dilation per axis
    check(ConvProblem::new([3, 2, 9, 12], [4, 2, 3, 2], [2, 1], [1, 2], [1, 3], 1).unwrap());
}

#[test]
fn one_by_one_convolutions_match_the_direct_loop() {
    // stride 1 and no padding use the image as its own column matrix
    check(problem([1, 8, 5, 6], [4, 8, 1, 1], 1, 0, 1, 1));
    check(problem([5, 8, 5, 6], [6, 4, 1, 1], 1, 0, 1, 2));
    // strided or padded 1×1 still goes through im2col
    check(problem([3, 4, 7, 6], [3, 4, 1, 1], 2, 0, 1, 1));
    check(problem([3, 4, 5, 5], [3, 4, 1, 1], 1, 1, 1, 1));
}

#[test]
fn a_cropped_output_matches_the_direct_loop() {
    // what conv_transpose2d with output padding asks for
    let p = problem([3, 2, 8, 8], [3, 2, 3, 3], 2, 1, 1, 1);
    check(p.with_output([p.oh - 1, p.ow - 1]).unwrap());
    let p = problem([3, 4, 6, 6], [4, 4, 1, 1], 1, 0, 1, 1);
    check(p.with_output([5, 4]).unwrap());
}

#[test]
fn large_images_match_the_direct_loop() {
    // products above the GEMM's threading threshold, one image (threaded GEMM) and several
    check(problem([1, 16, 20, 20], [32, 16, 3, 3], 1, 1, 1, 1));
    check(problem([3, 16, 20, 20], [32, 16, 3, 3], 1, 1, 1, 1));
}

#[test]
fn plans_share_out_batches_of_more_than_one_image() {
    assert_eq!(Plan::new(1, 10, 8), Plan::Serial);
    assert_eq!(Plan::new(1, PAR_WORK * 10, 8), Plan::Serial);
    assert_eq!(Plan::new(64, 10, 8), Plan::Chunks(8));
    assert_eq!(Plan::new(3, 10, 8), Plan::Chunks(1));
    assert_eq!(Plan::new(64, 10, WEIGHT_TASKS), Plan::Chunks(4));
}

/// The weight gradient is the same bit for bit on one thread and on several.
#[cfg(feature = "rayon")]
#[test]
fn the_weight_gradient_does_not_depend_on_the_thread_count() {
    let p = problem([37, 3, 9, 9], [5, 3, 3, 3], 1, 1, 1, 1);
    let x = data(p.batch * p.c_in * p.h * p.w, 6);
    let gy = data(p.batch * p.c_out * p.oh * p.ow, 7);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut xb = CpuBuf::<f64>::try_zeroed(x.len()).unwrap();
            xb.copy_from_slice(&x);
            let mut gyb = CpuBuf::<f64>::try_zeroed(gy.len()).unwrap();
            gyb.copy_from_slice(&gy);
            let mut gw = CpuBuf::<f64>::try_zeroed(5 * 3 * 9).unwrap();
            Cpu::default()
                .try_conv_bwd_weight(&p, &xb, &gyb, &mut gw)
                .unwrap();
            gw.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        })
    };
    let one = run(1);
    assert_eq!(one, run(3));
    assert_eq!(one, run(4));
}
