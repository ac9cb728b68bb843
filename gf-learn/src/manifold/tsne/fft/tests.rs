//! The interpolated repulsion against the exact `O(n²)` sums.

use super::{lagrange, n_boxes, smooth_ceil, FftRepulsion};
use crate::tree::numpy_random::NumpyRandom;

/// The exact `Z = Σ_{i≠j} 1/(1+d²)` and forces `Σ_j (y_i - y_j)/(1+d²)²`.
fn exact<const D: usize>(y: &[f64]) -> (f64, Vec<[f64; D]>) {
    let n = y.len() / D;
    let mut z = 0.0;
    let forces = (0..n)
        .map(|i| {
            let mut f = [0.0; D];
            for j in 0..n {
                if j == i {
                    continue;
                }
                let d2: f64 = (0..D)
                    .map(|ax| (y[i * D + ax] - y[j * D + ax]).powi(2))
                    .sum();
                let q = 1.0 / (1.0 + d2);
                z += q;
                for ax in 0..D {
                    f[ax] += q * q * (y[i * D + ax] - y[j * D + ax]);
                }
            }
            f
        })
        .collect();
    (z, forces)
}

/// `n` points in `D` dimensions: three Gaussian clusters of scale `scale` around centres
/// `±2 scale`, as an embedding midway through a fit looks.
fn points<const D: usize>(n: usize, scale: f64, seed: u32) -> Vec<f64> {
    let mut rng = NumpyRandom::new(seed);
    (0..n)
        .flat_map(|i| {
            let centre = [-2.0, 0.0, 2.0][i % 3] * scale;
            (0..D)
                .map(|ax| centre * (1.0 - ax as f64 * 0.5) + scale * rng.standard_normal())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The relative errors of `Z` and of the forces (‖ΔF‖ / ‖F‖ over all points, and the
/// largest per-point error over the largest force) of `fft` on `y`.
fn errors<const D: usize>(mut fft: FftRepulsion<D>, y: &[f64]) -> (f64, f64, f64) {
    let z = fft.compute(y);
    let (want_z, want) = exact::<D>(y);
    let (mut diff2, mut norm2, mut max_diff, mut max_norm) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for ((_, got), want) in fft.per_point.iter().zip(&want) {
        let d2: f64 = (0..D).map(|ax| (got[ax] - want[ax]).powi(2)).sum();
        let w2: f64 = want.iter().map(|v| v * v).sum();
        diff2 += d2;
        norm2 += w2;
        max_diff = max_diff.max(d2.sqrt());
        max_norm = max_norm.max(w2.sqrt());
    }
    (
        (z - want_z).abs() / want_z,
        (diff2 / norm2).sqrt(),
        max_diff / max_norm,
    )
}

/// Checks the errors of t-SNE's grid and of a 4 times finer one on 500 points of each
/// spread: `(scale, Z bound, forces bound)` for t-SNE's grid; the finer one is within 1e-3.
fn check<const D: usize>(cases: &[(f64, f64, f64)]) {
    for (seed, &(scale, bound_z, bound_f)) in cases.iter().enumerate() {
        let y = points::<D>(500, scale, seed as u32);
        let range = y.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b))
            - y.iter().fold(f64::INFINITY, |a, &b| a.min(b));
        let (ez, ef, emax) = errors::<D>(FftRepulsion::default(), &y);
        let (fz, ff, fmax) = errors::<D>(FftRepulsion::with_grid(200, 4.0), &y);
        println!(
            "{D}-D, range {range:.1}: Z {ez:.2e}, forces {ef:.2e} (largest {emax:.2e}); \
             4x finer grid: Z {fz:.2e}, forces {ff:.2e} (largest {fmax:.2e})"
        );
        assert!(ez < bound_z && ef < bound_f, "range {range}: {ez:e} {ef:e}");
        assert!(
            fz < 1e-3 && ff < 1e-3,
            "range {range}, finer: {fz:e} {ff:e}"
        );
    }
}

#[test]
fn lagrange_weights_reproduce_quadratics() {
    for u in [0.0, 0.1, 0.5, 0.77, 1.0] {
        let w = lagrange(u);
        let nodes = [1.0 / 6.0, 0.5, 5.0 / 6.0];
        for f in [|t: f64| 1.0 + 0.0 * t, |t: f64| t, |t: f64| t * t] {
            let got: f64 = w.iter().zip(nodes).map(|(w, t)| w * f(t)).sum();
            assert!((got - f(u)).abs() < 1e-14, "u {u}: {got} vs {}", f(u));
        }
    }
}

#[test]
fn box_counts_follow_opentsne_and_stay_fft_friendly() {
    assert_eq!(smooth_ceil(49), 50);
    assert_eq!(smooth_ceil(61), 64);
    assert_eq!(smooth_ceil(97), 100);
    let boxes = |range| n_boxes(range, 2, 50, 1.0);
    assert_eq!(boxes(3.0), 50);
    assert_eq!(boxes(79.2), 80);
    assert_eq!(boxes(1e9), 200);
    assert_eq!(boxes(f64::NAN), 50);
}

/// On 500 points in 2-D: within 1e-3 of the exact sums while the embedding spans at most
/// 15 (the 50 boxes of the minimum are then at most 0.3 wide); wider, with boxes of about
/// one unit, the forces' error grows to a few percent (the cubic interpolation error of a
/// kernel of unit width), and a 4 times finer grid brings it back under 1e-3.
#[test]
fn two_d_repulsion_matches_the_exact_sums() {
    check::<2>(&[
        (1e-3, 1e-12, 1e-12),
        (1.5, 1e-3, 1e-3),
        (3.0, 1e-3, 1e-2),
        (5.0, 1e-2, 5e-2),
    ]);
}

/// The same in 1-D.
#[test]
fn one_d_repulsion_matches_the_exact_sums() {
    check::<1>(&[
        (1e-3, 1e-12, 1e-12),
        (1.5, 1e-3, 1e-3),
        (3.0, 1e-3, 1e-2),
        (30.0, 1e-2, 5e-2),
    ]);
}

/// Coincident points (a zero range) still give finite sums: every pair has q = 1.
#[test]
fn coincident_points_give_the_exact_sums() {
    let y = vec![0.5; 20];
    let mut fft = FftRepulsion::<2>::default();
    let z = fft.compute(&y);
    assert!((z - 90.0).abs() < 1e-4, "Z {z}");
    assert!(fft
        .per_point
        .iter()
        .all(|(_, f)| f.iter().all(|v| v.abs() < 1e-4)));
}
