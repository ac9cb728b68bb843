//! AgglomerativeClustering against scikit-learn on `fixtures/agglomerative.json` (written by
//! `fixtures/make_agglomerative_fixtures.py`, on tie-free data): for every linkage, metric and
//! stopping rule, with and without a connectivity graph (connected or not, whole or partial
//! trees), `children_` and `labels_` are scikit-learn's exactly, `distances_` agree to 1e-10
//! relative (without a graph they are the same doubles), and so do `n_clusters_`, `n_leaves_`
//! and `n_connected_components_`. Then the errors scikit-learn raises.

mod common;

use common::*;
use gf_core::prelude::*;
use gf_learn::cluster::{AgglomerativeClustering, AgglomerativeMetric, Linkage};
use gf_learn::prelude::*;
use gf_learn::Error;
use serde_json::Value;

fn linkage(name: &str) -> Linkage {
    match name {
        "ward" => Linkage::Ward,
        "complete" => Linkage::Complete,
        "average" => Linkage::Average,
        "single" => Linkage::Single,
        other => panic!("no linkage {other}"),
    }
}

fn metric(name: &str) -> AgglomerativeMetric {
    match name {
        "euclidean" => AgglomerativeMetric::Euclidean,
        "manhattan" => AgglomerativeMetric::Manhattan,
        "cosine" => AgglomerativeMetric::Cosine,
        other => panic!("no metric {other}"),
    }
}

/// The estimator a fixture case's `params` describe, its connectivity graph from `fx`.
fn estimator(fx: &Value, params: &Value) -> AgglomerativeClustering {
    let mut agg = AgglomerativeClustering::new()
        .n_clusters(params["n_clusters"].as_u64().map(|k| k as usize))
        .distance_threshold(params["distance_threshold"].as_f64());
    if let Some(l) = params["linkage"].as_str() {
        agg = agg.linkage(linkage(l));
    }
    if let Some(m) = params["metric"].as_str() {
        agg = agg.metric(metric(m));
    }
    if let Some(c) = params["compute_distances"].as_bool() {
        agg = agg.compute_distances(c);
    }
    if let Some(full) = params["compute_full_tree"].as_bool() {
        agg = agg.compute_full_tree(full);
    }
    if let Some(graph) = params["connectivity"].as_str() {
        let edges = fx["graphs"][graph]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let e = usizes(e);
                (e[0], e[1])
            })
            .collect();
        agg = agg.connectivity(edges);
    }
    agg
}

/// `got` within `tol` of `want`, relative to `want`.
#[track_caller]
fn assert_relative(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * w.abs(),
            "{what}[{i}]: got {g}, scikit-learn has {w}"
        );
    }
}

fn children(v: &Value) -> Vec<[usize; 2]> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            let p = usizes(pair);
            [p[0], p[1]]
        })
        .collect()
}

/// A JSON array of numbers written as strings (the fixture's exact reprs), parsed exactly.
fn exact_floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("expected an array, got {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().parse().unwrap())
        .collect()
}

fn dataset(fx: &Value, name: &str) -> X {
    let rows = fx["datasets"][name].as_array().unwrap();
    tensor2(rows.iter().flat_map(exact_floats).collect(), rows.len())
}

#[track_caller]
fn check_case(fx: &Value, case: &Value, agg: &AgglomerativeClustering, labels: &[i64]) {
    let name = case["name"].as_str().unwrap();
    let tree = &fx["trees"][case["tree"].as_str().unwrap()];
    let n_merges = case["n_merges"].as_u64().unwrap() as usize;
    let want_labels: Vec<i64> = usizes(&case["labels"]).iter().map(|&l| l as i64).collect();
    assert_eq!(
        agg.children_().unwrap(),
        &children(&tree["children"])[..n_merges],
        "{name}: children_"
    );
    assert_eq!(labels, want_labels.as_slice(), "{name}: labels_");
    assert_eq!(agg.labels_().unwrap(), want_labels.as_slice(), "{name}");
    let count = |key: &str| Some(case[key].as_u64().unwrap() as usize);
    assert_eq!(
        agg.n_clusters_(),
        count("n_clusters_"),
        "{name}: n_clusters_"
    );
    assert_eq!(agg.n_leaves_(), count("n_leaves_"), "{name}: n_leaves_");
    assert_eq!(
        agg.n_connected_components_(),
        count("n_connected_components_"),
        "{name}: n_connected_components_"
    );
    if case["has_distances"].as_bool().unwrap() {
        let want = &exact_floats(&tree["distances"])[..n_merges];
        assert_relative(name, agg.distances_().unwrap(), want, 1e-10);
    } else {
        assert_eq!(agg.distances_(), None, "{name}: distances_");
    }
}

#[test]
fn agglomerative_matches_scikit_learn_on_every_case() {
    let fx = read_json("agglomerative.json");
    let cases = fx["cases"].as_array().unwrap();
    assert!(cases.len() >= 100);
    for case in cases {
        let x = dataset(&fx, case["dataset"].as_str().unwrap());
        let mut agg = estimator(&fx, &case["params"]);
        let labels = agg.fit_predict(&x).unwrap();
        check_case(&fx, case, &agg, &labels);
    }
}

#[test]
fn agglomerative_does_not_depend_on_the_thread_count() {
    let fx = read_json("agglomerative.json");
    for case in fx["cases"].as_array().unwrap().iter().step_by(7) {
        let x = dataset(&fx, case["dataset"].as_str().unwrap());
        let run = || {
            let mut agg = estimator(&fx, &case["params"]);
            let labels = agg.fit_predict(&x).unwrap();
            (labels, agg)
        };
        for threads in [1, 3] {
            let (labels, agg) = on_threads(threads, run);
            check_case(&fx, case, &agg, &labels);
        }
    }
}

#[test]
fn agglomerative_defaults_are_scikit_learns() {
    // scikit-learn's docstring example: ward, two clusters.
    let x = tensor2(
        vec![1.0, 2.0, 1.0, 4.0, 1.0, 0.0, 4.0, 2.0, 4.0, 4.0, 4.0, 0.0],
        6,
    );
    let mut agg = AgglomerativeClustering::default();
    assert_eq!(agg.labels_(), None);
    assert_eq!(agg.children_(), None);
    assert_eq!(agg.fit_predict(&x).unwrap(), vec![1, 1, 1, 0, 0, 0]);
    assert_eq!(agg.n_clusters_(), Some(2));
    assert_eq!(agg.n_leaves_(), Some(6));
    assert_eq!(agg.n_connected_components_(), Some(1));
    assert_eq!(agg.distances_(), None);
    // f32 input is widened to f64, as scikit-learn computes.
    let x32 = Cpu::default().tensor_from_vec(
        x.to_vec().iter().map(|&v| v as f32).collect::<Vec<f32>>(),
        (6, 2),
    );
    assert_eq!(
        AgglomerativeClustering::new().fit_predict(&x32).unwrap(),
        vec![1, 1, 1, 0, 0, 0]
    );
}

fn parameter_name(err: &Error) -> &'static str {
    match err {
        Error::InvalidParameter { name, .. } => name,
        other => panic!("expected an InvalidParameter error, got {other:?}"),
    }
}

#[test]
fn agglomerative_rejects_what_scikit_learn_rejects() {
    let x = tensor2(vec![0.0, 0.0, 1.0, 0.5, 5.0, 5.0, 6.0, 5.5], 4);
    // Exactly one of n_clusters and distance_threshold.
    let both = AgglomerativeClustering::new()
        .n_clusters(Some(2))
        .distance_threshold(Some(1.0))
        .fit(&x)
        .unwrap_err();
    assert_eq!(parameter_name(&both), "distance_threshold", "{both}");
    assert!(both.to_string().contains("exactly one of"), "{both}");
    let neither = AgglomerativeClustering::new()
        .n_clusters(None)
        .fit(&x)
        .unwrap_err();
    assert_eq!(parameter_name(&neither), "n_clusters", "{neither}");
    // Ward takes the euclidean metric only.
    for m in [AgglomerativeMetric::Manhattan, AgglomerativeMetric::Cosine] {
        let err = AgglomerativeClustering::new()
            .metric(m)
            .fit(&x)
            .unwrap_err();
        assert_eq!(parameter_name(&err), "metric", "{err}");
        assert!(err.to_string().contains("Ward"), "{err}");
    }
    // The ranges of n_clusters and distance_threshold.
    let zero = AgglomerativeClustering::new()
        .n_clusters(Some(0))
        .fit(&x)
        .unwrap_err();
    assert_eq!(parameter_name(&zero), "n_clusters", "{zero}");
    for t in [-1.0, f64::NAN] {
        let err = AgglomerativeClustering::new()
            .n_clusters(None)
            .distance_threshold(Some(t))
            .fit(&x)
            .unwrap_err();
        assert_eq!(parameter_name(&err), "distance_threshold", "{err}");
    }
    // A threshold needs the full tree.
    let partial = AgglomerativeClustering::new()
        .n_clusters(None)
        .distance_threshold(Some(1.0))
        .compute_full_tree(false)
        .fit(&x)
        .unwrap_err();
    assert_eq!(parameter_name(&partial), "compute_full_tree", "{partial}");
    // More clusters than samples.
    let many = AgglomerativeClustering::new()
        .n_clusters(Some(5))
        .fit(&x)
        .unwrap_err();
    assert!(
        matches!(many, Error::InvalidInput { .. }) && many.to_string().contains("5 clusters"),
        "{many}"
    );
    // n_clusters == n_samples is fine: every sample its own cluster.
    let mut all = AgglomerativeClustering::new().n_clusters(Some(4));
    let mut labels = all.fit_predict(&x).unwrap();
    labels.sort_unstable();
    assert_eq!(labels, vec![0, 1, 2, 3]);
}

#[test]
fn agglomerative_rejects_bad_input() {
    // At least two samples.
    let one = tensor2(vec![1.0, 2.0], 1);
    let err = AgglomerativeClustering::new().fit(&one).unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { .. }) && err.to_string().contains("minimum of 2"),
        "{err}"
    );
    let empty = tensor2(vec![], 0);
    assert!(AgglomerativeClustering::new().fit(&empty).is_err());
    // NaN and infinities, named by row and column.
    for bad in [f64::NAN, f64::INFINITY] {
        let x = tensor2(vec![0.0, 0.0, 1.0, 1.0, 2.0, bad, 3.0, 3.0], 4);
        for l in [Linkage::Ward, Linkage::Single] {
            let err = AgglomerativeClustering::new()
                .linkage(l)
                .fit(&x)
                .unwrap_err();
            assert!(
                matches!(err, Error::NonFinite { row: 2, col: 1, .. }),
                "{l:?}: {err:?}"
            );
        }
    }
    // Cosine distances need non-zero samples.
    let x = tensor2(vec![1.0, 0.0, 0.0, 0.0, 0.0, 1.0], 3);
    let err = AgglomerativeClustering::new()
        .linkage(Linkage::Average)
        .metric(AgglomerativeMetric::Cosine)
        .fit(&x)
        .unwrap_err();
    assert!(err.to_string().contains("row 1"), "{err}");
    // Distances that overflow.
    let x = tensor2(vec![-1e200, 0.0, 1e200, 0.0, 0.0, 1.0], 3);
    for l in [Linkage::Ward, Linkage::Single] {
        let err = AgglomerativeClustering::new()
            .linkage(l)
            .fit(&x)
            .unwrap_err();
        assert!(err.to_string().contains("not finite"), "{l:?}: {err}");
    }
}

#[test]
fn a_complete_connectivity_graph_builds_the_unstructured_tree() {
    // Every pair an edge: the structured heaps merge the globally closest pair each time,
    // which is the tree scipy's nearest-neighbour chain builds.
    let fx = read_json("agglomerative.json");
    let x = dataset(&fx, "blobs_60x5");
    let n = 60;
    let complete: Vec<(usize, usize)> = (0..n)
        .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
        .collect();
    for l in [
        Linkage::Ward,
        Linkage::Complete,
        Linkage::Average,
        Linkage::Single,
    ] {
        let fit = |graph: Option<Vec<(usize, usize)>>| {
            let mut agg = AgglomerativeClustering::new()
                .linkage(l)
                .n_clusters(Some(4))
                .compute_distances(true);
            if let Some(g) = graph {
                agg = agg.connectivity(g);
            }
            agg.fit(&x).unwrap();
            agg
        };
        let (plain, graph) = (fit(None), fit(Some(complete.clone())));
        let sorted = |agg: &AgglomerativeClustering| -> Vec<[usize; 2]> {
            agg.children_()
                .unwrap()
                .iter()
                .map(|c| [c[0].min(c[1]), c[0].max(c[1])])
                .collect()
        };
        assert_eq!(sorted(&plain), sorted(&graph), "{l:?}");
        assert_eq!(plain.labels_(), graph.labels_(), "{l:?}");
        assert_close(
            &format!("{l:?}"),
            graph.distances_().unwrap(),
            plain.distances_().unwrap(),
            1e-12,
        );
        assert_eq!(graph.n_connected_components_(), Some(1));
    }
}

#[test]
fn connectivity_edges_are_taken_in_either_order_once() {
    let fx = read_json("agglomerative.json");
    let x = dataset(&fx, "blobs_60x5");
    let graph: Vec<(usize, usize)> = fx["graphs"]["blobs_60x5_knn20"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e[0].as_u64().unwrap() as usize,
                e[1].as_u64().unwrap() as usize,
            )
        })
        .collect();
    // Reversed, repeated, with self-loops: the same symmetric graph.
    let mut noisy: Vec<(usize, usize)> = graph.iter().map(|&(i, j)| (j, i)).collect();
    noisy.extend(graph.iter().step_by(3));
    noisy.extend((0..60).map(|i| (i, i)));
    for l in [Linkage::Ward, Linkage::Average, Linkage::Single] {
        let fit = |edges: Vec<(usize, usize)>| {
            let mut agg = AgglomerativeClustering::new()
                .linkage(l)
                .n_clusters(Some(3))
                .connectivity(edges);
            let labels = agg.fit_predict(&x).unwrap();
            (labels, agg.children_().unwrap().to_vec())
        };
        assert_eq!(fit(graph.clone()), fit(noisy.clone()), "{l:?}");
    }
}

#[test]
fn connectivity_must_name_samples_of_x() {
    let x = tensor2(vec![0.0, 0.0, 1.0, 0.5, 5.0, 5.0, 6.0, 5.5], 4);
    let err = AgglomerativeClustering::new()
        .connectivity(vec![(0, 1), (2, 4)])
        .fit(&x)
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { .. }) && err.to_string().contains("(2, 4)"),
        "{err}"
    );
    // No edges at all: every sample its own component, completed to a tree.
    let mut agg = AgglomerativeClustering::new().connectivity(vec![]);
    assert_eq!(agg.fit_predict(&x).unwrap(), vec![1, 1, 0, 0]);
    assert_eq!(agg.n_connected_components_(), Some(4));
}
