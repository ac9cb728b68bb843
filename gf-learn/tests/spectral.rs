//! SpectralEmbedding and SpectralClustering against scikit-learn on `fixtures/spectral.json`
//! (written by `fixtures/make_spectral_fixtures.py`): blobs, two moons and circles (90-100
//! points) with nearest-neighbour, RBF and precomputed affinities.
//!
//! scikit-learn solves with ARPACK, we with a dense eigensolver; after both sides' sign flip
//! the embeddings agree to 1e-6 (absolute, on entries of size ~0.1; measured 2.3e-11). Labels
//! equal scikit-learn's exactly, cluster numbers included (adjusted Rand index 1 and, on a
//! graph in pieces, only that): k-means
//! and discretize draw from numpy's RandomState on scikit-learn's stream, cluster_qr is
//! deterministic. Error paths name the parameter.

mod common;

use common::*;
use gf_learn::cluster::{AssignLabels, SpectralClustering};
use gf_learn::manifold::{spectral_embedding, SpectralAffinity, SpectralEmbedding};
use gf_learn::metrics::adjusted_rand_score;
use gf_learn::prelude::*;
use gf_learn::Error;
use serde_json::Value;

fn data(fx: &Value, name: &str) -> X {
    let (rows, d) = matrix(&fx["data"][name]);
    tensor2(d, rows)
}

fn affinity_of(p: &Value) -> SpectralAffinity {
    match p["affinity"].as_str().unwrap() {
        "nearest_neighbors" => SpectralAffinity::NearestNeighbors,
        "rbf" => SpectralAffinity::Rbf,
        "precomputed" => SpectralAffinity::Precomputed,
        other => panic!("unknown affinity {other}"),
    }
}

/// scikit-learn's rbf_kernel of `x`, for the precomputed cases.
fn rbf(x: &X, gamma: f64) -> X {
    let [n, d] = x.dims();
    let v = x.to_vec();
    let mut k = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            let d2: f64 = (0..d).map(|c| (v[i * d + c] - v[j * d + c]).powi(2)).sum();
            k[i * n + j] = (-gamma * d2).exp();
        }
    }
    tensor2(k, n)
}

#[test]
fn spectral_embedding_matches_scikit_learn() {
    let fx = read_json("spectral.json");
    let mut worst: f64 = 0.0;
    for case in fx["embedding"].as_array().unwrap() {
        let p = &case["params"];
        let x = data(&fx, case["data"].as_str().unwrap());
        let mut se = SpectralEmbedding::new()
            .affinity(affinity_of(p))
            .random_state(0);
        if let Some(k) = p["n_neighbors"].as_u64() {
            se = se.n_neighbors(k as usize);
        }
        if let Some(k) = p["n_components"].as_u64() {
            se = se.n_components(k as usize);
        }
        let x = match affinity_of(p) {
            SpectralAffinity::Precomputed => rbf(&x, p["gamma"].as_f64().unwrap()),
            _ => {
                if let Some(g) = p["gamma"].as_f64() {
                    se = se.gamma(g);
                }
                x
            }
        };
        let got = se.fit_transform(&x).unwrap().to_vec();
        let (_, want) = matrix(&case["embedding"]);
        assert_eq!(got.len(), want.len(), "{p}");
        let diff = got
            .iter()
            .zip(&want)
            .map(|(g, w)| (g - w).abs())
            .fold(0.0, f64::max);
        assert!(diff < 1e-6, "{} {p}: max difference {diff}", case["data"]);
        worst = worst.max(diff);
    }
    println!("spectral embedding: max |difference| {worst:e}");
}

#[test]
fn spectral_embedding_function_matches_the_estimator() {
    let fx = read_json("spectral.json");
    let x = data(&fx, "moons");
    let k = rbf(&x, 2.0);
    let got = spectral_embedding(&k, 2, true, true, 0).unwrap().to_vec();
    let mut se = SpectralEmbedding::new().affinity(SpectralAffinity::Precomputed);
    let want = se.fit_transform(&k).unwrap().to_vec();
    assert_eq!(got, want);
    assert_eq!(se.affinity_matrix_().unwrap(), k.to_vec().as_slice());
}

#[test]
fn spectral_clustering_matches_scikit_learn() {
    let fx = read_json("spectral.json");
    for case in fx["clustering"].as_array().unwrap() {
        let p = &case["params"];
        let x = data(&fx, case["data"].as_str().unwrap());
        let assign = match case["assign_labels"].as_str().unwrap() {
            "kmeans" => AssignLabels::KMeans,
            "discretize" => AssignLabels::Discretize,
            _ => AssignLabels::ClusterQr,
        };
        let mut sc = SpectralClustering::new()
            .n_clusters(p["n_clusters"].as_u64().unwrap() as usize)
            .affinity(affinity_of(p))
            .assign_labels(assign)
            .random_state(0);
        if let Some(k) = p["n_neighbors"].as_u64() {
            sc = sc.n_neighbors(k as usize);
        }
        let x = match affinity_of(p) {
            SpectralAffinity::Precomputed => rbf(&x, p["gamma"].as_f64().unwrap()),
            _ => {
                if let Some(g) = p["gamma"].as_f64() {
                    sc = sc.gamma(g);
                }
                x
            }
        };
        let got = sc.fit_predict(&x).unwrap();
        let want: Vec<i64> = floats(&case["labels"]).iter().map(|&v| v as i64).collect();
        let ari = adjusted_rand_score(want.as_slice(), got.as_slice()).unwrap();
        // Same seeds, same draws: the cluster numbers themselves agree too, unless the graph
        // is in pieces (then the embedding is any basis of a repeated eigenvalue's space, and
        // k-means' ties among identical embedded samples fall either way).
        if case["connected"].as_bool().unwrap() {
            assert_eq!(got, want, "{} {p} {}", case["data"], case["assign_labels"]);
        }
        assert!(
            ari == 1.0,
            "{} {p} {}: ARI {ari}",
            case["data"],
            case["assign_labels"]
        );
    }
}

fn is_parameter(e: Error, which: &str) -> bool {
    matches!(e, Error::InvalidParameter { name, .. } if name == which)
}

#[test]
fn bad_input_is_an_error() {
    let fx = read_json("spectral.json");
    let x = data(&fx, "moons");
    let n = x.dims()[0];
    let e = SpectralClustering::new().n_clusters(0).fit(&x).unwrap_err();
    assert!(is_parameter(e, "n_clusters"));
    let e = SpectralClustering::new()
        .n_clusters(n + 1)
        .fit(&x)
        .unwrap_err();
    assert!(is_parameter(e, "n_clusters"));
    let e = SpectralClustering::new()
        .affinity(SpectralAffinity::NearestNeighbors)
        .n_neighbors(n + 1)
        .fit(&x)
        .unwrap_err();
    assert!(is_parameter(e, "n_neighbors"));
    let e = SpectralEmbedding::new()
        .n_neighbors(n + 1)
        .fit(&x)
        .unwrap_err();
    assert!(is_parameter(e, "n_neighbors"));
    let e = SpectralEmbedding::new()
        .n_components(0)
        .fit(&x)
        .unwrap_err();
    assert!(is_parameter(e, "n_components"));
    let e = SpectralClustering::new().gamma(-1.0).fit(&x).unwrap_err();
    assert!(is_parameter(e, "gamma"));

    let empty = tensor2(vec![], 0);
    assert!(SpectralClustering::new().fit(&empty).is_err());
    assert!(SpectralEmbedding::new().fit(&empty).is_err());
    let one = tensor2(vec![1.0, 2.0], 1);
    assert!(SpectralEmbedding::new().fit(&one).is_err());

    let mut v = x.to_vec();
    v[7] = f64::NAN;
    let nan = tensor2(v, n);
    let e = SpectralClustering::new()
        .n_clusters(2)
        .fit(&nan)
        .unwrap_err();
    assert!(matches!(e, Error::NonFinite { row: 3, .. }), "{e}");
    assert!(SpectralEmbedding::new().fit(&nan).is_err());

    let pre = |data: Vec<f64>, rows: usize| {
        SpectralClustering::new()
            .n_clusters(2)
            .affinity(SpectralAffinity::Precomputed)
            .fit(&tensor2(data, rows))
            .map(|_| ())
    };
    let not_square = pre(vec![1.0; 6], 2).unwrap_err();
    assert!(
        matches!(not_square, Error::InvalidInput { .. }),
        "{not_square}"
    );
    let not_symmetric = pre(vec![1.0, 0.5, 0.2, 1.0], 2).unwrap_err();
    assert!(format!("{not_symmetric}").contains("symmetric"));
    let negative = pre(vec![1.0, -0.5, -0.5, 1.0], 2).unwrap_err();
    assert!(format!("{negative}").contains("non-negative"));
    let e =
        spectral_embedding(&tensor2(vec![1.0, 0.5, 0.2, 1.0], 2), 1, true, true, 0).unwrap_err();
    assert!(format!("{e}").contains("symmetric"));
    // n_components + 1 eigenvectors need that many samples.
    let e = SpectralEmbedding::new()
        .affinity(SpectralAffinity::Rbf)
        .n_components(n)
        .fit(&x)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput { .. }), "{e}");
}

#[test]
fn labels_are_none_before_fit() {
    let sc = SpectralClustering::new();
    assert!(sc.labels_().is_none());
    assert!(sc.affinity_matrix_().is_none());
    assert!(SpectralEmbedding::new().embedding_().is_none());
}
