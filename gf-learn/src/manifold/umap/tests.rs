//! Parity of UMAP's internals with umap-learn's functions (`find_ab_params`,
//! `smooth_knn_dist`, `fuzzy_simplicial_set`) on the fixture written by
//! `tests/fixtures/make_umap_fixtures.py`. The public behaviour is tested in `tests/umap.rs`.

use serde_json::Value;

use super::curve::find_ab_params;
use super::fuzzy::{fuzzy_union, membership_strengths, smooth_knn_dist};
use super::knn::knn;
use crate::validation::Matrix;

fn fixture() -> Value {
    serde_json::from_str(include_str!("../../../tests/fixtures/umap.json")).expect("umap.json")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .flat_map(|x| match x {
            Value::Array(_) => floats(x),
            _ => vec![x.as_f64().expect("a number")],
        })
        .collect()
}

/// `find_ab_params` for five (min_dist, spread): a and b within 1e-6 relative of scipy's
/// `curve_fit` (both minimise the same least squares; scipy stops at its default tolerances).
#[test]
fn ab_params_match_umap_learn() {
    let f = fixture();
    let mut worst = 0.0f64;
    for case in f["ab"].as_array().expect("cases") {
        let (min_dist, spread) = (
            case["min_dist"].as_f64().unwrap(),
            case["spread"].as_f64().unwrap(),
        );
        let (a, b) = find_ab_params(spread, min_dist);
        let (wa, wb) = (case["a"].as_f64().unwrap(), case["b"].as_f64().unwrap());
        let d = ((a - wa) / wa).abs().max(((b - wb) / wb).abs());
        worst = worst.max(d);
        assert!(
            d < 1e-6,
            "min_dist {min_dist} spread {spread}: ({a}, {b}) vs ({wa}, {wb})"
        );
    }
    println!("find_ab_params: max relative difference {worst:e}");
}

fn small() -> (Value, Matrix, usize) {
    let f = fixture();
    let s = f["smooth"].clone();
    let rows = s["x"].as_array().expect("rows").len();
    let data = floats(&s["x"]);
    let k = s["k"].as_u64().unwrap() as usize;
    (
        s.clone(),
        Matrix {
            rows,
            cols: data.len() / rows,
            data,
        },
        k,
    )
}

/// `smooth_knn_dist` on 40 seeded points with k = 8, local_connectivity 1 and 1.5: sigma and
/// rho within 1e-6 (relative to the value, both are float32).
#[test]
fn smooth_knn_dist_matches_umap_learn() {
    let (s, x, k) = small();
    let nn = knn(&x, &x, k);
    let mut worst = 0.0f64;
    for case in s["smooth"].as_array().unwrap() {
        let lc = case["local_connectivity"].as_f64().unwrap();
        let (sigma, rho) = smooth_knn_dist(&nn.dists, k, k as f64, lc);
        for (got, want) in [(sigma, floats(&case["sigma"])), (rho, floats(&case["rho"]))] {
            for (g, w) in got.iter().zip(&want) {
                let d = (f64::from(*g) - w).abs() / w.abs().max(1e-12);
                worst = worst.max(d);
                assert!(d < 1e-6, "lc {lc}: {g} vs {w}");
            }
        }
    }
    println!("smooth_knn_dist: max relative difference {worst:e}");
}

/// The fuzzy simplicial set on the same points, for set_op_mix_ratio 1 and 0.5: the same
/// edges, values within 1e-6.
#[test]
fn fuzzy_simplicial_set_matches_umap_learn() {
    let (s, x, k) = small();
    let n = x.rows;
    let nn = knn(&x, &x, k);
    let (sigma, rho) = smooth_knn_dist(&nn.dists, k, k as f64, 1.0);
    let directed = membership_strengths(&nn, &sigma, &rho, n, false);
    let mut worst = 0.0f64;
    for case in s["graphs"].as_array().unwrap() {
        let mix = case["set_op_mix_ratio"].as_f64().unwrap();
        let g = fuzzy_union(&directed, mix as f32);
        let mut want = vec![0.0; n * n];
        let (r, c, v) = (
            floats(&case["row"]),
            floats(&case["col"]),
            floats(&case["val"]),
        );
        for ((r, c), v) in r.iter().zip(&c).zip(&v) {
            want[*r as usize * n + *c as usize] = *v;
        }
        let mut got = vec![0.0; n * n];
        for i in 0..n {
            for p in g.indptr[i]..g.indptr[i + 1] {
                got[i * n + g.indices[p]] = f64::from(g.data[p]);
            }
        }
        assert_eq!(g.data.len(), v.len(), "mix {mix}: edge count");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            worst = worst.max((g - w).abs());
            assert!(
                (g - w).abs() < 1e-6,
                "mix {mix} ({}, {}): {g} vs {w}",
                i / n,
                i % n
            );
        }
    }
    println!("fuzzy_simplicial_set: max difference {worst:e}");
}

/// On the 1797 digits (k = 15), the graph is connected and the Lanczos spectral start
/// converges (so `fit` does not fall back to a random start there).
#[test]
fn spectral_start_converges_on_digits() {
    use super::fuzzy::Graph;
    use super::spectral::{connected_components, spectral_layout};
    let (x, _) = gf_data::datasets::load_digits().expect("digits").into_xy();
    let (rows, cols) = (x.dims()[0], x.dims()[1]);
    let x = Matrix {
        rows,
        cols,
        data: x.try_to_vec().expect("digits"),
    };
    let nn = knn(&x, &x, 15);
    let (sigma, rho) = smooth_knn_dist(&nn.dists, 15, 15.0, 1.0);
    let g: Graph = fuzzy_union(&membership_strengths(&nn, &sigma, &rho, rows, false), 1.0);
    let g = g.pruned(g.max() / 500.0);
    assert_eq!(connected_components(&g).1, 1);
    let layout = spectral_layout(&g, 2).expect("eigh").expect("converged");
    assert_eq!(layout.len(), rows * 2);
    assert!(layout.iter().all(|v| v.is_finite()));
}
