use super::*;

pub(super) const LENGTHS: [usize; 12] = [0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 1023, 4097];

/// Deterministic values in [-1, 1) with some negative, some positive.
pub(super) fn data<E: SimdElem>(n: usize, seed: u64) -> Vec<E> {
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

fn close<E: SimdElem>(got: E, want: E, n: usize, what: &str) {
    let tol = E::epsilon().as_f64() * 4.0 * (n as f64 + 1.0);
    assert!(
        (got.as_f64() - want.as_f64()).abs() <= tol,
        "{what}: got {got}, scalar gives {want} (tolerance {tol})"
    );
}

fn every_path_matches_scalar<E: SimdElem>() {
    for path in SimdPath::available() {
        for n in LENGTHS {
            let (a, b) = (data::<E>(n, 1), data::<E>(n, 2));
            let at = |what: &str| format!("{what} on {path}, length {n}");
            let s = SimdPath::Scalar;
            close(dot(path, &a, &b), dot(s, &a, &b), n, &at("dot"));
            close(sum(path, &a), sum(s, &a), n, &at("sum"));
            assert_eq!(max(path, &a), max(s, &a), "{}", at("max"));
            // the guard elements past `n` catch a tail that writes too far
            let mut y = data::<E>(n + 3, 3);
            let mut y_ref = y.clone();
            axpy(path, E::from_f64(0.5), &a, &mut y[..n]);
            axpy(s, E::from_f64(0.5), &a, &mut y_ref[..n]);
            for (i, (g, w)) in y.iter().zip(&y_ref).enumerate() {
                close(*g, *w, 1, &at(&format!("axpy element {i}")));
            }
            let mut r = vec![E::from_f64(7.0); n + 3];
            relu_into(path, &a, &mut r[..n]);
            let mut r_ref = vec![E::from_f64(7.0); n + 3];
            relu_into(s, &a, &mut r_ref[..n]);
            assert_eq!(r, r_ref, "{}", at("relu"));
        }
    }
}

#[test]
fn every_path_matches_scalar_f32() {
    every_path_matches_scalar::<f32>();
}

#[test]
fn every_path_matches_scalar_f64() {
    every_path_matches_scalar::<f64>();
}

#[test]
fn nan_propagates_through_max_and_relu_on_every_path() {
    for path in SimdPath::available() {
        for n in [1, 9, 33] {
            for at in [0, n / 2, n - 1] {
                let mut x = data::<f32>(n, 4);
                x[at] = f32::NAN;
                assert!(max(path, &x).is_nan(), "max on {path}, NaN at {at} of {n}");
                let mut r = vec![0.0; n];
                relu_into(path, &x, &mut r);
                assert!(r[at].is_nan(), "relu on {path}, NaN at {at} of {n}");
                assert!(sum(path, &x).is_nan());
            }
        }
        assert_eq!(max::<f64>(path, &[]), f64::NEG_INFINITY);
        assert_eq!(max(path, &[-3.0f64, -2.0, -5.0]), -2.0);
    }
}

#[test]
fn a_forced_path_falls_back_when_unavailable_and_names_parse() {
    let detected = SimdPath::detect();
    for p in SimdPath::ALL {
        assert_eq!(SimdPath::from_name(p.name()), Some(p));
        let chosen = choose(Some(p.name()));
        assert_eq!(chosen, if p.is_available() { p } else { detected });
        assert_eq!(p.check().is_ok(), p.is_available());
    }
    assert_eq!(choose(Some("sse9")), detected);
    assert_eq!(choose(None), detected);
    assert!(path().is_available());
}

/// A lane function the accuracy sweeps run.
#[derive(Clone, Copy, Debug)]
enum Func {
    Exp,
    Ln,
    Tanh,
    Sigmoid,
}

struct MapFunc<'a, E>(Func, &'a [E], &'a mut [E]);

impl<E: SimdElem> WithSimd<E> for MapFunc<'_, E> {
    type Output = ();
    #[inline(always)]
    unsafe fn with<V: SimdVec<E>>(self) {
        let (x, y, n, w) = (self.1.as_ptr(), self.2.as_mut_ptr(), self.1.len(), V::LANES);
        let f = |v: V| {
            // SAFETY: `V`'s instructions run here (the caller's contract).
            unsafe {
                match self.0 {
                    Func::Exp => v.exp(),
                    Func::Ln => v.ln(),
                    Func::Tanh => v.tanh(),
                    Func::Sigmoid => v.sigmoid(),
                }
            }
        };
        let mut i = 0;
        // SAFETY: `V`'s instructions run here; loads and stores stay below `n`.
        unsafe {
            while i + w <= n {
                f(V::load(x.add(i))).store(y.add(i));
                i += w;
            }
            f(V::load_partial(x.add(i), n - i)).store_partial(y.add(i), n - i);
        }
    }
}

fn map_func<E: SimdElem>(path: SimdPath, func: Func, x: &[E]) -> Vec<E> {
    let mut y = vec![E::zero(); x.len()];
    dispatch(path, MapFunc(func, x, &mut y));
    y
}

/// `|got − want|` in units of the last place of `want` (subnormal spacing below the normal
/// range); 0 when both are the same infinity or both NaN, ∞ when only one is.
fn ulps<E: SimdElem>(got: E, want: E) -> f64 {
    if got == want || (got.is_nan() && want.is_nan()) {
        return 0.0;
    }
    if !got.is_finite() || !want.is_finite() {
        return f64::INFINITY;
    }
    let (_, exp, _) = want.integer_decode();
    // exp2, not powi, which underflows through 1/2^1074
    let spacing = f64::from(exp).exp2();
    (got.as_f64() - want.as_f64()).abs() / spacing
}

/// `n` points evenly over `[lo, hi]`.
fn sweep(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
        .collect()
}

/// The largest error in ulps of `func` on `path` against the scalar (libm) path over `xs`,
/// with the input where it happens.
fn max_ulps<E: SimdElem>(path: SimdPath, func: Func, xs: &[f64]) -> (f64, f64) {
    let x: Vec<E> = xs.iter().map(|&v| E::from_f64(v)).collect();
    let got = map_func(path, func, &x);
    let want = map_func(SimdPath::Scalar, func, &x);
    got.iter()
        .zip(&want)
        .zip(&x)
        .map(|((&g, &w), &x)| (ulps(g, w), x.as_f64()))
        .fold((0.0, 0.0), |a, b| if b.0 > a.0 { b } else { a })
}

/// The ranges each function's bound is stated on (see `math.rs`), per precision.
fn ranges<E: SimdElem>(func: Func) -> Vec<Vec<f64>> {
    let single = E::MANTISSA_DIGITS == 24;
    let n = 40_000;
    match func {
        Func::Exp | Func::Sigmoid if single => vec![sweep(-87.0, 88.0, n), sweep(-1.0, 1.0, n)],
        Func::Exp | Func::Sigmoid => vec![sweep(-708.0, 709.0, n), sweep(-1.0, 1.0, n)],
        Func::Tanh => vec![sweep(-10.0, 10.0, n), sweep(-1e-3, 1e-3, n)],
        Func::Ln => {
            let (lo, hi) = if single {
                (-149.0, 128.0)
            } else {
                (-1074.0, 1024.0)
            };
            // every binade, subnormals included, and densely around 1 where ln cancels
            let binades = sweep(lo, hi - 1e-9, n).into_iter().map(f64::exp2).collect();
            vec![binades, sweep(0.5, 2.0, n)]
        }
    }
}

fn transcendentals_within_bounds<E: SimdElem>(bounds: [(Func, f64); 4]) {
    for path in SimdPath::available() {
        for (func, bound) in bounds {
            for xs in ranges::<E>(func) {
                let (err, at) = max_ulps::<E>(path, func, &xs);
                println!("{func:?} {} on {path}: {err:.2} ulp at {at:e}", E::NAME);
                assert!(
                    err <= bound,
                    "{func:?} {} on {path}: {err} ulp at x = {at:e}, bound {bound}",
                    E::NAME
                );
            }
        }
    }
}

#[test]
fn transcendentals_stay_within_their_ulp_bounds_f32() {
    use Func::*;
    transcendentals_within_bounds::<f32>([(Exp, 1.0), (Ln, 1.0), (Tanh, 3.0), (Sigmoid, 3.0)]);
}

#[test]
fn transcendentals_stay_within_their_ulp_bounds_f64() {
    use Func::*;
    transcendentals_within_bounds::<f64>([(Exp, 1.0), (Ln, 1.0), (Tanh, 3.0), (Sigmoid, 3.0)]);
}

#[test]
fn transcendentals_take_special_values_like_libm() {
    let specials = [
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        1e-300,
        -1e-300,
        1e-40,
        -1.0,
        1e300,
        -1e300,
        88.75,
        -103.5,
        709.9,
        -745.5,
        -20.0,
        30.0,
    ];
    for path in SimdPath::available() {
        for func in [Func::Exp, Func::Ln, Func::Tanh, Func::Sigmoid] {
            for (err, at) in [
                max_ulps::<f32>(path, func, &specials),
                max_ulps::<f64>(path, func, &specials),
            ] {
                // past the stated ranges only the class of the result must agree
                assert!(err <= 4.0, "{func:?} on {path} at {at:e}: {err} ulp");
            }
        }
    }
}
