//! The pooling kernels against the element-at-a-time loops they replaced, bit for bit: the
//! same values in the same order, ties and NaNs included, on one thread and (above
//! `PAR_THRESHOLD`) several.

use super::*;

/// The previous kernels: every window as an iterator of flat input indices.
fn reference(p: &PoolProblem, x: &[f64], gy: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let ([h, w], [oh, ow]) = (p.input, p.output);
    let mut y = vec![0.0; p.planes * oh * ow];
    let mut gx = vec![0.0; x.len()];
    for plane in 0..p.planes {
        for oy in 0..oh {
            let (y0, y1, ky) = p.window(0, oy);
            for ox in 0..ow {
                let (x0, x1, kx) = p.window(1, ox);
                let idx: Vec<usize> = (y0..y1)
                    .flat_map(|r| (x0..x1).map(move |c| plane * h * w + r * w + c))
                    .collect();
                let o = (plane * oh + oy) * ow + ox;
                if p.kind == PoolKind::Max {
                    y[o] = idx.iter().fold(f64::NEG_INFINITY, |m, &i| {
                        if x[i] > m || x[i].is_nan() {
                            x[i]
                        } else {
                            m
                        }
                    });
                    let mut best: Option<usize> = None;
                    for &i in &idx {
                        if best.is_none_or(|b| x[i] > x[b]) {
                            best = Some(i);
                        }
                    }
                    if let Some(b) = best {
                        gx[b] += gy[o];
                    }
                } else {
                    let d = divisor(p, ky * kx, idx.len()) as f64;
                    y[o] = idx.iter().fold(0.0, |s, &i| s + x[i]) / d;
                    idx.iter().for_each(|&i| gx[i] += gy[o] / d);
                }
            }
        }
    }
    (y, gx)
}

/// Values with many ties (a few small integers and halves), a NaN now and then.
fn values(n: usize, seed: u64, nan: bool) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|i| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            if nan && i % 37 == 5 {
                f64::NAN
            } else {
                (s % 7) as f64 * 0.5 - 1.5
            }
        })
        .collect()
}

fn check(p: PoolProblem, nan: bool) {
    let [h, w] = p.input;
    let [oh, ow] = p.output;
    let x = values(p.planes * h * w, 1, nan);
    let gy = values(p.planes * oh * ow, 2, false);
    let (want_y, want_gx) = reference(&p, &x, &gy);
    let buf = |v: &[f64]| {
        let mut b = CpuBuf::<f64>::try_zeroed(v.len()).unwrap();
        b.copy_from_slice(v);
        b
    };
    let dev = Cpu::default();
    let (xb, gyb) = (buf(&x), buf(&gy));
    let y = dev.try_pool_fwd(&p, &xb).unwrap();
    let mut gx = CpuBuf::<f64>::try_zeroed(x.len()).unwrap();
    let input = (p.kind == PoolKind::Max).then_some(&xb);
    dev.try_pool_bwd(&p, input, &gyb, &mut gx).unwrap();
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&y), bits(&want_y), "forward of {p:?}");
    assert_eq!(bits(&gx), bits(&want_gx), "backward of {p:?}");
}

#[test]
fn sliding_windows_match_the_previous_loops() {
    for kind in [PoolKind::Max, PoolKind::Avg] {
        for (input, kernel, stride, padding) in [
            ([6, 6], [2, 2], [2, 2], [0, 0]),
            ([7, 9], [2, 2], [2, 2], [0, 0]),
            ([7, 9], [3, 3], [2, 2], [1, 1]),
            ([5, 8], [3, 2], [1, 2], [1, 0]),
            ([4, 4], [4, 4], [1, 1], [2, 2]),
            ([1, 5], [1, 3], [1, 1], [0, 1]),
        ] {
            for planes in [1, 3] {
                let p = PoolProblem::sliding(kind, planes, input, kernel, stride, padding).unwrap();
                check(p, false);
                check(p, true);
            }
        }
    }
}

#[test]
fn adaptive_bins_match_the_previous_loops() {
    for (input, output) in [
        ([7, 9], [3, 4]),
        ([4, 4], [4, 4]),
        ([3, 5], [5, 7]),
        ([9, 2], [1, 1]),
    ] {
        check(PoolProblem::adaptive(2, input, output).unwrap(), false);
    }
}

#[test]
fn planes_shared_out_over_threads_match_the_previous_loops() {
    // 40 planes of 30×30 are above PAR_THRESHOLD input elements
    const { assert!(40 * 30 * 30 >= PAR_THRESHOLD) };
    for kind in [PoolKind::Max, PoolKind::Avg] {
        check(
            PoolProblem::sliding(kind, 40, [30, 30], [2, 2], [2, 2], [0, 0]).unwrap(),
            true,
        );
        check(
            PoolProblem::sliding(kind, 40, [30, 30], [3, 3], [2, 2], [1, 1]).unwrap(),
            false,
        );
    }
    check(PoolProblem::adaptive(40, [30, 30], [7, 7]).unwrap(), false);
}
