//! `UMAP` against umap-learn 0.5.12 (fixtures from `tests/fixtures/make_umap_fixtures.py`): on
//! scikit-learn's digits, the trustworthiness (n_neighbors 5) of our embedding within 0.01 of
//! umap-learn's (random_state 42), and that of `transform` on a held-out half; determinism
//! for a seed; and the errors of bad parameters and data. (The parity of `find_ab_params`,
//! `smooth_knn_dist` and the fuzzy simplicial set is tested inside the crate, on its private
//! functions; the Lanczos spectral start against the dense eigendecomposition likewise.)

mod common;

use std::time::Instant;

use common::{classification, read_json, tensor2, X};
use gf_learn::manifold::{trustworthiness, UmapInit, UMAP};
use gf_learn::Error;

fn digits() -> X {
    classification("digits").0
}

/// Rows `start, start + 2, ...` of `x`.
fn every_other(x: &X, start: usize) -> X {
    let (n, d) = (x.dims()[0], x.dims()[1]);
    let v = x.try_to_vec().unwrap();
    let data: Vec<f64> = (start..n)
        .step_by(2)
        .flat_map(|i| v[i * d..(i + 1) * d].to_vec())
        .collect();
    let rows = data.len() / d;
    tensor2(data, rows)
}

/// The 1797 digits with random_state 42 and the default 500 epochs: the trustworthiness with
/// 5 neighbours within 0.01 of umap-learn's (0.9896); also the fitted curve and the graph's
/// shape.
#[test]
fn digits_trustworthiness_matches_umap_learn() {
    let f = read_json("umap.json");
    let fits = f["digits"]["fits"].as_array().unwrap();
    let want = default_fit_trustworthiness(fits);
    let x = digits();
    let t = Instant::now();
    let mut umap = UMAP::new().random_state(42);
    let emb = umap.fit_transform(&x).unwrap();
    let secs = t.elapsed().as_secs_f64();
    let tw = trustworthiness(&x, &emb, 5).unwrap();
    println!(
        "digits fit (500 epochs) in {secs:.2} s: trustworthiness {tw} (umap-learn {want}; {} \
         with 200 epochs)",
        fits[1]["trustworthiness"]
    );
    assert!(
        (tw - want).abs() <= 0.01,
        "trustworthiness {tw}, umap-learn {want}"
    );
    let (a, b) = umap.ab_().unwrap();
    assert!((a - 1.577).abs() < 1e-3 && (b - 0.895).abs() < 1e-3);
    let (indptr, indices, data) = umap.graph_().unwrap();
    assert_eq!(indptr.len(), 1798);
    assert_eq!(indices.len(), data.len());
    assert!(data.iter().all(|&v| v > 0.0 && v <= 1.0));
}

/// umap-learn's trustworthiness on digits with the default epochs, from the fixture's fits.
fn default_fit_trustworthiness(fits: &[serde_json::Value]) -> f64 {
    let fit = fits.iter().find(|v| v["n_epochs"].is_null()).unwrap();
    fit["trustworthiness"].as_f64().unwrap()
}

/// Unseeded, the layout runs lock-free on every thread (umap-learn's unseeded default): the
/// embedding then differs from run to run, but its trustworthiness on digits is still within
/// 0.01 of umap-learn's.
#[test]
fn unseeded_parallel_layout_keeps_umap_learns_quality() {
    let f = read_json("umap.json");
    let want = default_fit_trustworthiness(f["digits"]["fits"].as_array().unwrap());
    let x = digits();
    let emb = UMAP::new().fit_transform(&x).unwrap();
    let tw = trustworthiness(&x, &emb, 5).unwrap();
    assert!(
        (tw - want).abs() <= 0.01,
        "trustworthiness {tw}, umap-learn {want}"
    );
}

/// Fitted on the even digits (200 epochs), `transform` of the odd ones: the trustworthiness
/// of the transformed points within 0.01 of umap-learn's (0.9764), and that of the training
/// embedding too (0.9878).
#[test]
fn transform_places_new_points_near_their_neighbours() {
    let f = read_json("umap.json");
    let want = &f["digits"]["transform"];
    let x = digits();
    let (train, test) = (every_other(&x, 0), every_other(&x, 1));
    assert_eq!(train.dims()[0] + test.dims()[0], 1797);
    let mut umap = UMAP::new().n_epochs(Some(200)).random_state(42);
    let emb_train = umap.fit_transform(&train).unwrap();
    let t = Instant::now();
    let emb_test = umap.transform(&test).unwrap();
    let secs = t.elapsed().as_secs_f64();
    let tw_train = trustworthiness(&train, &emb_train, 5).unwrap();
    let tw_test = trustworthiness(&test, &emb_test, 5).unwrap();
    println!(
        "transform in {secs:.2} s: train {tw_train} (umap-learn {}), test {tw_test} (umap-learn {})",
        want["train_trustworthiness"], want["test_trustworthiness"]
    );
    let w_train = want["train_trustworthiness"].as_f64().unwrap();
    let w_test = want["test_trustworthiness"].as_f64().unwrap();
    assert!(
        (tw_train - w_train).abs() <= 0.01,
        "train {tw_train} vs {w_train}"
    );
    assert!(
        (tw_test - w_test).abs() <= 0.01,
        "test {tw_test} vs {w_test}"
    );
    // A training point transformed lands on its own embedding (membership 1 to itself).
    let again = umap
        .transform(&every_other(&train, 0))
        .unwrap()
        .try_to_vec()
        .unwrap();
    let e = emb_train.try_to_vec().unwrap();
    assert!((again[0] - e[0]).abs() < 1.0 && (again[1] - e[1]).abs() < 1.0);
}

fn blobs() -> X {
    let data: Vec<f64> = (0..60)
        .flat_map(|i| {
            let c = if i < 30 { 0.0 } else { 8.0 };
            let t = i as f64;
            [
                c + (t * 0.37).sin(),
                c + (t * 0.71).cos(),
                (t * 1.3).sin() * 0.5,
            ]
        })
        .collect();
    tensor2(data, 60)
}

/// The same seed gives the same embedding, bit for bit; the random start also separates two
/// blobs.
#[test]
fn a_seed_gives_the_same_embedding() {
    let x = blobs();
    let run = |init| {
        UMAP::new()
            .n_neighbors(8)
            .init(init)
            .random_state(7)
            .fit_transform(&x)
            .unwrap()
            .try_to_vec()
            .unwrap()
    };
    assert_eq!(run(UmapInit::Spectral), run(UmapInit::Spectral));
    let r = run(UmapInit::Random);
    assert_eq!(r, run(UmapInit::Random));
    let emb = tensor2(r, 60);
    assert!(trustworthiness(&x, &emb, 5).unwrap() > 0.9);
}

#[test]
fn bad_parameters_and_data_are_errors() {
    let x = blobs();
    let param = |u: UMAP, name: &str| match u.clone().fit(&x) {
        Err(Error::InvalidParameter { name: got, .. }) => assert_eq!(got, name),
        other => panic!("{name}: {:?}", other.map(|_| ())),
    };
    param(UMAP::new().n_neighbors(1), "n_neighbors");
    param(UMAP::new().n_neighbors(60), "n_neighbors");
    param(UMAP::new().n_components(0), "n_components");
    param(UMAP::new().min_dist(1.5), "min_dist");
    param(UMAP::new().spread(0.0), "spread");
    param(UMAP::new().set_op_mix_ratio(1.5), "set_op_mix_ratio");
    param(UMAP::new().learning_rate(0.0), "learning_rate");
    param(UMAP::new().repulsion_strength(-1.0), "repulsion_strength");
    let empty = tensor2(vec![], 0);
    assert!(matches!(
        UMAP::new().fit(&empty),
        Err(Error::InvalidInput { .. })
    ));
    let mut v = x.try_to_vec().unwrap();
    v[7 * 3 + 1] = f64::NAN;
    match UMAP::new().fit(&tensor2(v, 60)) {
        Err(Error::NonFinite { row, col, .. }) => assert_eq!((row, col), (7, 1)),
        other => panic!("NaN: {:?}", other.map(|_| ())),
    }
    let unfitted = UMAP::new();
    assert!(matches!(
        unfitted.transform(&x),
        Err(Error::NotFitted { .. })
    ));
    let mut fitted = UMAP::new().n_neighbors(5);
    fitted.fit(&x).unwrap();
    let narrow = tensor2(vec![0.0; 10], 5);
    assert!(matches!(
        fitted.transform(&narrow),
        Err(Error::InvalidInput { .. })
    ));
}
