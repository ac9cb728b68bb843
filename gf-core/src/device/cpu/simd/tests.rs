use super::*;

const LENGTHS: [usize; 12] = [0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 1023, 4097];

/// Deterministic values in [-1, 1) with some negative, some positive.
fn data<E: SimdElem>(n: usize, seed: u64) -> Vec<E> {
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
