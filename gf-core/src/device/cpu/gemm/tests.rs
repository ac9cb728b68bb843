use super::*;

/// Deterministic values in [-1, 1).
fn data<E: GemmElem>(n: usize, seed: u64) -> Vec<E> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            E::from_f64((s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0)
        })
        .collect()
}

/// A strided matrix view: `rows × cols`, transposed or not, with padding between rows (or
/// columns) and a column step, in a buffer of its own.
#[derive(Clone, Copy, Debug)]
struct Layout {
    trans: bool,
    pad: usize,
    step: usize,
}

const PLAIN: Layout = Layout {
    trans: false,
    pad: 0,
    step: 1,
};

impl Layout {
    fn view(self, rows: usize, cols: usize, offset: usize) -> (MatView, usize) {
        // the inner index walks with `step`, the outer one spans it plus `pad`
        let (inner, outer) = if self.trans {
            (rows, cols)
        } else {
            (cols, rows)
        };
        let lead = inner.max(1) * self.step + self.pad;
        let len = offset + outer * lead;
        let (rs, cs) = if self.trans {
            (self.step, lead)
        } else {
            (lead, self.step)
        };
        (MatView::new(offset, len - offset, rs, cs), len)
    }
}

/// The product in f64 and Σ|a|·|b| per element, for the tolerance.
#[allow(clippy::too_many_arguments)]
fn reference<E: GemmElem>(
    m: usize,
    k: usize,
    n: usize,
    a: &[E],
    av: MatView,
    b: &[E],
    bv: MatView,
    batch: usize,
) -> (Vec<f64>, Vec<f64>) {
    let mut out = vec![0.0; m * n];
    let mut mag = vec![0.0; m * n];
    let at = |v: MatView, bi: usize, i: usize, j: usize| {
        v.offset + bi * v.batch_stride + i * v.row_stride + j * v.col_stride
    };
    for i in 0..m {
        for j in 0..n {
            for bi in 0..batch {
                for p in 0..k {
                    let x = a[at(av, bi, i, p)].as_f64() * b[at(bv, bi, p, j)].as_f64();
                    out[i * n + j] += x;
                    mag[i * n + j] += x.abs();
                }
            }
        }
    }
    (out, mag)
}

/// C (initially `c0`, laid out by `lc`) += A·B on `path`, summed over a batch into one C
/// (C's batch stride 0) when `batch > 1`, B broadcast when `b_shared`; checked against the
/// reference.
#[allow(clippy::too_many_arguments)]
fn check<E: GemmElem>(
    path: SimdPath,
    (m, k, n): (usize, usize, usize),
    la: Layout,
    lb: Layout,
    lc: Layout,
    batch: usize,
    b_shared: bool,
) {
    let (av1, alen) = la.view(m, k, 3);
    let (bv1, blen) = lb.view(k, n, 1);
    let (cv, clen) = lc.view(m, n, 2);
    let a = data::<E>(alen * batch, 1 + m as u64);
    let b = data::<E>(blen * if b_shared { 1 } else { batch }, 2 + n as u64);
    let av = MatView::new(av1.offset, alen, av1.row_stride, av1.col_stride);
    let bv = MatView::new(
        bv1.offset,
        if b_shared { 0 } else { blen },
        bv1.row_stride,
        bv1.col_stride,
    );
    let cv = MatView::new(cv.offset, 0, cv.row_stride, cv.col_stride);
    let mut c = data::<E>(clen, 9);
    let c0 = c.clone();
    let dims = GemmDims::new(batch, m, k, n).unwrap();
    gemm_on(path, dims, &a, av, &b, bv, &mut c, cv).unwrap();
    let (want, mag) = reference(m, k, n, &a, av, &b, bv, batch);
    let eps = E::epsilon().as_f64();
    for i in 0..m {
        for j in 0..n {
            let o = cv.offset + i * cv.row_stride + j * cv.col_stride;
            let w = c0[o].as_f64() + want[i * n + j];
            let tol = 2.0 * eps * (k * batch + 2) as f64 * (mag[i * n + j] + c0[o].as_f64().abs());
            let g = c[o].as_f64();
            assert!(
                (g - w).abs() <= tol,
                "{} {path}: ({m}, {k}, {n}) {la:?} {lb:?} {lc:?} batch {batch}: c[{i}][{j}] = {g}, want {w} (tol {tol})",
                E::NAME
            );
        }
    }
    // elements of C's buffer outside the view are untouched
    let mut inside = vec![false; clen];
    for i in 0..m {
        for j in 0..n {
            inside[cv.offset + i * cv.row_stride + j * cv.col_stride] = true;
        }
    }
    for (o, _) in inside.iter().enumerate().filter(|(_, &x)| !x) {
        assert_eq!(c[o], c0[o], "{path}: padding at {o} was written");
    }
}

const SHAPES: [(usize, usize, usize); 9] = [
    (1, 1, 1),
    (1, 300, 1),
    (17, 33, 65),
    (1000, 3, 1000),
    (600, 40, 5),
    (5, 40, 600),
    (8, 8, 8),
    (130, 700, 70),
    (1, 64, 50),
];

fn odd_shapes_on_every_path<E: GemmElem>() {
    for path in SimdPath::available() {
        for shape in SHAPES {
            check::<E>(path, shape, PLAIN, PLAIN, PLAIN, 1, true);
        }
    }
}

#[test]
fn odd_shapes_on_every_path_f32() {
    odd_shapes_on_every_path::<f32>();
}

#[test]
fn odd_shapes_on_every_path_f64() {
    odd_shapes_on_every_path::<f64>();
}

fn transposes_and_strides_on_every_path<E: GemmElem>() {
    let t = Layout {
        trans: true,
        pad: 0,
        step: 1,
    };
    let strided = Layout {
        trans: false,
        pad: 3,
        step: 2,
    };
    let strided_t = Layout {
        trans: true,
        pad: 1,
        step: 3,
    };
    for path in SimdPath::available() {
        for shape in [(17, 33, 65), (70, 300, 40), (1, 20, 9), (9, 20, 1)] {
            for (la, lb) in [(PLAIN, t), (t, PLAIN), (t, t), (strided, strided_t)] {
                check::<E>(path, shape, la, lb, PLAIN, 1, true);
            }
            // a padded C and a column-major C
            check::<E>(path, shape, strided_t, strided, strided, 1, true);
            check::<E>(path, shape, PLAIN, PLAIN, t, 1, true);
        }
    }
}

#[test]
fn transposes_and_strides_on_every_path_f32() {
    transposes_and_strides_on_every_path::<f32>();
}

#[test]
fn transposes_and_strides_on_every_path_f64() {
    transposes_and_strides_on_every_path::<f64>();
}

#[test]
fn a_batch_with_a_broadcast_right_operand_adds_up_on_every_path() {
    for path in SimdPath::available() {
        check::<f32>(path, (20, 30, 40), PLAIN, PLAIN, PLAIN, 3, true);
        check::<f64>(path, (20, 30, 40), PLAIN, PLAIN, PLAIN, 3, false);
    }
}

#[test]
fn batched_products_through_the_public_kernel_write_each_output() {
    let (m, k, n, batch) = (13, 21, 34, 3);
    let a = data::<f32>(batch * m * k, 5);
    let b = data::<f32>(k * n, 6);
    let mut c = vec![0.0f32; batch * m * n];
    let dims = GemmDims::new(batch, m, k, n).unwrap();
    let av = MatView::packed(m, k);
    let bv = MatView::new(0, 0, n, 1);
    sgemm(dims, &a, av, &b, bv, &mut c, MatView::packed(m, n)).unwrap();
    for bi in 0..batch {
        let a1 = &a[bi * m * k..(bi + 1) * m * k];
        let (want, mag) = reference(m, k, n, a1, MatView::packed(m, k), &b, bv, 1);
        for (x, (w, g)) in want.iter().zip(&mag).enumerate() {
            let got = c[bi * m * n + x] as f64;
            assert!(
                (got - w).abs() <= 1e-6 * k as f64 * (g + 1.0),
                "{bi}/{x}: {got} vs {w}"
            );
        }
    }
}

#[test]
fn zero_times_nan_stays_nan_on_every_path() {
    for path in SimdPath::available() {
        for (m, k, n) in [(3, 4, 5), (40, 50, 60), (1, 7, 9), (9, 7, 1)] {
            let a = vec![0.0f32; m * k];
            let mut b = vec![1.0f32; k * n];
            b[(k - 1) * n + n / 2] = f32::NAN;
            let mut c = vec![0.0f32; m * n];
            let d = GemmDims::new(1, m, k, n).unwrap();
            gemm_on(
                path,
                d,
                &a,
                MatView::packed(m, k),
                &b,
                MatView::packed(k, n),
                &mut c,
                MatView::packed(m, n),
            )
            .unwrap();
            for i in 0..m {
                for j in 0..n {
                    let want_nan = j == n / 2;
                    assert_eq!(
                        c[i * n + j].is_nan(),
                        want_nan,
                        "{path} ({m},{k},{n}) [{i}][{j}]"
                    );
                }
            }
        }
    }
}

#[test]
fn bad_views_and_paths_are_errors() {
    let d = GemmDims::new(1, 4, 4, 4).unwrap();
    let (x, p) = (vec![1.0f64; 16], MatView::packed(4, 4));
    let mut c = vec![0.0f64; 16];
    let short = vec![1.0f64; 15];
    assert!(dgemm(d, &short, p, &x, p, &mut c, p).is_err());
    // rows of C on top of each other
    let overlapping = MatView::new(0, 0, 1, 1);
    assert!(dgemm(d, &x, p, &x, p, &mut c, overlapping).is_err());
    for path in SimdPath::ALL.into_iter().filter(|p| !p.is_available()) {
        assert!(gemm_on(path, d, &x, p, &x, p, &mut c, p).is_err());
    }
    assert!(c.iter().all(|&v| v == 0.0));
}

#[test]
fn block_sizes_follow_the_caches() {
    let c = CacheSizes {
        l1d: 32 << 10,
        l2: 1 << 20,
        l3: 32 << 20,
    };
    let b = Blocking::new(c, 6, 64, 4);
    assert_eq!((b.kc, b.mc % 6, b.nc % 64), (256, 0, 0));
    assert!(b.mc * b.kc * 4 <= c.l2 / 2 && b.nc * b.kc * 4 <= c.l3 / 4);
    assert_eq!(blocking::parse_size("32K"), Some(32 << 10));
    assert_eq!(blocking::parse_size("1024K\n"), Some(1 << 20));
    assert_eq!(blocking::parse_size("8M"), Some(8 << 20));
    assert_eq!(blocking::parse_size("x"), None);
    let d = CacheSizes::detect();
    assert!(d.l1d > 0 && d.l2 >= d.l1d);
}

/// `gemm_serial` runs the same kernels as `gemm`, so a product above the threading threshold
/// comes out the same bit for bit.
#[test]
fn the_serial_entry_point_matches_the_threaded_one() {
    let (m, k, n) = (150, 130, 140);
    assert!(m * k * n >= PAR_WORK);
    let a = data::<f32>(m * k, 11);
    let b = data::<f32>(k * n, 12);
    let d = GemmDims::new(1, m, k, n).unwrap();
    let (av, bv, cv) = (
        MatView::packed(m, k),
        MatView::packed(k, n),
        MatView::packed(m, n),
    );
    let mut threaded = data::<f32>(m * n, 13);
    let mut serial = threaded.clone();
    gemm(d, &a, av, &b, bv, &mut threaded, cv).unwrap();
    gemm_serial(d, &a, av, &b, bv, &mut serial, cv).unwrap();
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&threaded), bits(&serial));
}
