//! Property tests of conv2d and pooling against direct-loop references.

use gf_core::ops::conv::ConvArgs;
use gf_core::ops::pool::PoolKind;
use gf_core::prelude::*;
use proptest::prelude::*;

/// The textbook definition: y[b, o, i, j] = Σ x[b, g·cig + c, i·s + ky·d − p, j·s + kx·d − p] · w[o, c, ky, kx].
#[allow(clippy::too_many_arguments)]
fn conv2d_reference(
    x: &[f64],
    xd: [usize; 4],
    w: &[f64],
    wd: [usize; 4],
    s: usize,
    p: usize,
    d: usize,
    g: usize,
) -> (Vec<f64>, [usize; 4]) {
    let [b, c, h, wi] = xd;
    let [o, cig, kh, kw] = wd;
    let oh = (h + 2 * p - d * (kh - 1) - 1) / s + 1;
    let ow = (wi + 2 * p - d * (kw - 1) - 1) / s + 1;
    let cog = o / g;
    let mut y = vec![0.0; b * o * oh * ow];
    for bi in 0..b {
        for oc in 0..o {
            let grp = oc / cog;
            for i in 0..oh {
                for j in 0..ow {
                    let mut acc = 0.0;
                    for ci in 0..cig {
                        for ky in 0..kh {
                            for kx in 0..kw {
                                let (y0, x0) = (
                                    (i * s + ky * d) as isize - p as isize,
                                    (j * s + kx * d) as isize - p as isize,
                                );
                                if y0 >= 0 && x0 >= 0 && (y0 as usize) < h && (x0 as usize) < wi {
                                    let xi = ((bi * c + grp * cig + ci) * h + y0 as usize) * wi
                                        + x0 as usize;
                                    acc += x[xi] * w[((oc * cig + ci) * kh + ky) * kw + kx];
                                }
                            }
                        }
                    }
                    y[((bi * o + oc) * oh + i) * ow + j] = acc;
                }
            }
        }
    }
    (y, [b, o, oh, ow])
}

prop_compose! {
    fn conv_case()(b in 1usize..3, g in 1usize..3, cig in 1usize..3, cog in 1usize..3, k in 1usize..4, s in 1usize..3, p in 0usize..2, d in 1usize..3, extra in 0usize..4, seed in any::<u64>()) -> (usize, usize, usize, usize, usize, usize, usize, usize, usize, u64) {
        (b, g, cig, cog, k, s, p, d, d * (k - 1) + 1 + extra, seed)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn conv2d_matches_reference((b, g, cig, cog, k, s, p, d, h, seed) in conv_case()) {
        let dev = Cpu::seed_from_u64(seed);
        let (xd, wd) = ([b, g * cig, h, h + 1], [g * cog, cig, k, k]);
        let x: Tensor<DynShape, f64, Cpu> = dev.randn_like(&DynShape::new(xd));
        let w: Tensor<DynShape, f64, Cpu> = dev.randn_like(&DynShape::new(wd));
        let (want, dims) = conv2d_reference(&x.to_vec(), xd, &w.to_vec(), wd, s, p, d, g);
        let a = ConvArgs { stride: [s; 2], padding: [p; 2], dilation: [d; 2], groups: g, output_padding: 0 };
        let got = x.try_conv2d_args::<DynShape, _, _>(w, a).unwrap();
        prop_assert_eq!(got.dims(), dims.to_vec());
        for (g, w) in got.to_vec().iter().zip(&want) {
            prop_assert!((g - w).abs() < 1e-9, "{} vs {}", g, w);
        }
    }

    #[test]
    fn conv_transpose2d_is_the_adjoint_of_conv2d((b, g, cig, cog, k, s, p, d, h, seed) in conv_case()) {
        prop_assume!(h + 2 * p > d * (k - 1));
        // ⟨conv(x), y⟩ = ⟨x, conv_transpose(y)⟩ for the same weight
        let dev = Cpu::seed_from_u64(seed);
        let (xd, wd) = ([b, g * cig, h, h], [g * cog, cig, k, k]);
        let x: Tensor<DynShape, f64, Cpu> = dev.randn_like(&DynShape::new(xd));
        let w: Tensor<DynShape, f64, Cpu> = dev.randn_like(&DynShape::new(wd));
        let a = ConvArgs { stride: [s; 2], padding: [p; 2], dilation: [d; 2], groups: g, output_padding: 0 };
        let cx = x.clone().try_conv2d_args::<DynShape, _, _>(w.clone(), a).unwrap();
        let y: Tensor<DynShape, f64, Cpu> = dev.randn_like(cx.shape());
        // output_padding restores the rows that the stride's remainder drops, so the transposed
        // convolution maps back onto the whole input
        let base = ((cx.dims()[2] - 1) * s + d * (k - 1) + 1) as isize - 2 * p as isize;
        prop_assume!(base > 0 && (h as isize - base) < s.max(d) as isize);
        let at = ConvArgs { output_padding: h - base as usize, ..a };
        let ty = y.clone().try_conv_transpose2d_args::<DynShape, _, _>(w, at).unwrap();
        prop_assert_eq!(ty.dims(), xd.to_vec());
        let lhs: f64 = cx.to_vec().iter().zip(y.to_vec()).map(|(a, b)| a * b).sum();
        let rhs: f64 = x.to_vec().iter().zip(ty.to_vec()).map(|(a, b)| a * b).sum();
        prop_assert!((lhs - rhs).abs() < 1e-8 * (1.0 + lhs.abs()), "{} vs {}", lhs, rhs);
    }

    #[test]
    fn max_and_avg_pool_match_reference(planes in 1usize..4, h in 2usize..7, w in 2usize..7, k in 1usize..3, s in 1usize..3, seed in any::<u64>()) {
        prop_assume!(k <= h && k <= w);
        let dev = Cpu::seed_from_u64(seed);
        let x: Tensor<DynShape, f64, Cpu> = dev.randn_like(&DynShape::new([planes, h, w]));
        let xv = x.to_vec();
        let (oh, ow) = ((h - k) / s + 1, (w - k) / s + 1);
        let mut max = vec![f64::NEG_INFINITY; planes * oh * ow];
        let mut avg = vec![0.0; planes * oh * ow];
        for c in 0..planes { for i in 0..oh { for j in 0..ow { for dy in 0..k { for dx in 0..k {
            let v = xv[(c * h + i * s + dy) * w + j * s + dx];
            let o = (c * oh + i) * ow + j;
            max[o] = max[o].max(v);
            avg[o] += v / (k * k) as f64;
        }}}}}
        let got_max = x.clone().try_pool2d_args::<DynShape>(PoolKind::Max, [k, k], [s, s], [0, 0], [0, 0]).unwrap();
        prop_assert_eq!(got_max.to_vec(), max);
        let got_avg = x.try_pool2d_args::<DynShape>(PoolKind::Avg, [k, k], [s, s], [0, 0], [0, 0]).unwrap().to_vec();
        for (g, w) in got_avg.iter().zip(&avg) {
            prop_assert!((g - w).abs() < 1e-12);
        }
    }
}
