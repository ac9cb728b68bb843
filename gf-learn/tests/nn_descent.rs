//! `NNDescent` (approximate k-nearest neighbours, as pynndescent) against the exact search of
//! `KNeighborsClassifier::kneighbors`: the recall of the 15 nearest neighbours on 3000
//! gaussian-blob points in 20 dimensions (>= 0.95), the same result for the same seed on 1 and
//! 2 threads, duplicate points and `n_neighbors` up to `n_samples`, the errors of bad
//! parameters; and UMAP forced onto NN-descent keeping the trustworthiness of the exact graph
//! on digits (within 0.01). An ignored test times both searches on 20000 × 50.

mod common;

use std::collections::HashSet;
use std::time::Instant;

use common::{classification, on_threads, tensor2, X};
use gf_core::prelude::{Cpu, TensorCreate};
use gf_core::rng::Xoshiro256;
use gf_learn::manifold::{trustworthiness, UMAP};
use gf_learn::neighbors::{KNeighborsClassifier, NNDescent};
use gf_learn::prelude::*;
use gf_learn::Error;

/// `n` points in `d` dimensions around `centers` gaussian centres (spread 1, centres uniform
/// in [-10, 10]).
fn blobs(n: usize, d: usize, centers: usize, seed: u64) -> X {
    let mut rng = Xoshiro256::new(seed);
    let c: Vec<f64> = (0..centers * d).map(|_| rng.uniform(-10.0, 10.0)).collect();
    let data = (0..n)
        .flat_map(|i| {
            let at = (i % centers) * d;
            (0..d)
                .map(|j| c[at + j] + rng.next_normal())
                .collect::<Vec<_>>()
        })
        .collect();
    tensor2(data, n)
}

/// The exact `k` nearest rows of each row of `x`, itself included: `(indices, distances)`.
fn exact(x: &X, k: usize) -> (Vec<Vec<usize>>, Vec<Vec<f64>>) {
    let n = x.dims()[0];
    let y = Cpu::default().tensor_from_vec(vec![0usize; n], (n,));
    let mut knn = KNeighborsClassifier::new().n_neighbors(k);
    knn.fit(x, &y).unwrap();
    let (d, i) = knn.kneighbors(x).unwrap();
    (i, d)
}

/// The mean fraction of the exact neighbours found.
fn recall(got: &[Vec<usize>], want: &[Vec<usize>]) -> f64 {
    let hits: usize = got
        .iter()
        .zip(want)
        .map(|(g, w)| {
            let w: HashSet<_> = w.iter().collect();
            g.iter().filter(|j| w.contains(j)).count()
        })
        .sum();
    hits as f64 / want.iter().map(Vec::len).sum::<usize>() as f64
}

/// Each row starts with itself at distance 0, has distinct indices and sorted distances.
fn check_rows(idx: &[Vec<usize>], dist: &[Vec<f64>], k: usize) {
    for (i, (r, d)) in idx.iter().zip(dist).enumerate() {
        assert_eq!(r.len(), k);
        assert_eq!((r[0], d[0]), (i, 0.0), "row {i}");
        assert_eq!(r.iter().collect::<HashSet<_>>().len(), k, "row {i}");
        assert!(d.windows(2).all(|w| w[0] <= w[1]), "row {i}");
    }
}

/// 3000 × 20 blobs, 15 neighbours with umap-learn's forest and rounds (its parameters for
/// this size): recall >= 0.95 against the exact search, and the distances of the neighbours
/// found exact.
#[test]
fn recall_against_the_exact_search() {
    let (n, k) = (3000, 15);
    let x = blobs(n, 20, 3, 1);
    let (want, want_d) = exact(&x, k);
    let nnd = NNDescent::new()
        .n_neighbors(k)
        .n_trees(Some(8))
        .n_iters(Some(12))
        .max_candidates(Some(60))
        .random_state(42);
    let t = Instant::now();
    let (got, got_d) = nnd.neighbor_graph(&x).unwrap();
    let secs = t.elapsed().as_secs_f64();
    check_rows(&got, &got_d, k);
    let r = recall(&got, &want);
    // The k-th distance found is never below the exact one.
    let worst = got_d
        .iter()
        .zip(&want_d)
        .map(|(g, w)| g[k - 1] - w[k - 1])
        .fold(0.0f64, f64::min);
    println!("NN-descent recall of the 15-NN on 3000 x 20 blobs: {r:.4} ({secs:.2} s)");
    assert!(r >= 0.95, "recall {r}");
    assert!(
        worst >= -1e-9,
        "a k-th distance below the exact one by {worst}"
    );
    // pynndescent's own defaults for these sizes do as well.
    let (got, _) = NNDescent::new().n_neighbors(k).neighbor_graph(&x).unwrap();
    let r = recall(&got, &want);
    println!("with pynndescent's default parameters: {r:.4}");
    assert!(r >= 0.95, "recall {r}");
}

/// The same seed gives the same graph on 1 and 2 threads; another seed a different one.
#[test]
fn deterministic_for_a_seed_whatever_the_threads() {
    let x = blobs(1500, 10, 6, 2);
    let run = |seed: u64| {
        NNDescent::new()
            .n_neighbors(10)
            .random_state(seed)
            .neighbor_graph(&x)
    };
    let one = on_threads(1, || run(7).unwrap());
    let two = on_threads(2, || run(7).unwrap());
    assert_eq!(one, two);
    assert_eq!(one, run(7).unwrap());
    assert_ne!(one.0, run(8).unwrap().0);
}

/// Points repeated many times (every tree split degenerate, many distances 0): no panic, and
/// the neighbours of a point repeated at least k times are all at distance 0.
#[test]
fn duplicate_points() {
    let distinct = blobs(40, 4, 3, 3).try_to_vec().unwrap();
    let data: Vec<f64> = (0..600)
        .flat_map(|i| distinct[(i % 40) * 4..(i % 40) * 4 + 4].to_vec())
        .collect();
    let x = tensor2(data, 600);
    let k = 10;
    let (idx, dist) = NNDescent::new()
        .n_neighbors(k)
        .leaf_size(Some(8))
        .neighbor_graph(&x)
        .unwrap();
    check_rows(&idx, &dist, k);
    // Each point has 14 copies.
    let zero = dist.iter().filter(|d| d.iter().all(|&v| v == 0.0)).count();
    println!("rows all at distance 0: {zero} of 600");
    assert!(zero >= 590, "{zero} rows");
    // All points identical.
    let same = tensor2(vec![2.5; 100 * 3], 100);
    let (idx, dist) = NNDescent::new()
        .n_neighbors(5)
        .neighbor_graph(&same)
        .unwrap();
    check_rows(&idx, &dist, 5);
}

/// `n_neighbors = n_samples - 1` and `= n_samples`: every row holds (almost) every point.
#[test]
fn as_many_neighbours_as_points() {
    let x = blobs(60, 3, 2, 4);
    for k in [59, 60] {
        let (idx, dist) = NNDescent::new()
            .n_neighbors(k)
            .leaf_size(Some(10))
            .neighbor_graph(&x)
            .unwrap();
        check_rows(&idx, &dist, k);
    }
    let (idx, dist) = NNDescent::new().n_neighbors(1).neighbor_graph(&x).unwrap();
    check_rows(&idx, &dist, 1);
    let one = tensor2(vec![1.0, 2.0], 1);
    let (idx, _) = NNDescent::new()
        .n_neighbors(1)
        .neighbor_graph(&one)
        .unwrap();
    assert_eq!(idx, vec![vec![0]]);
}

#[test]
fn bad_parameters_and_data() {
    let x = blobs(20, 2, 2, 5);
    let err = |nnd: NNDescent| nnd.neighbor_graph(&x).unwrap_err();
    assert!(matches!(
        err(NNDescent::new().n_neighbors(0)),
        Error::InvalidParameter {
            name: "n_neighbors",
            ..
        }
    ));
    assert!(matches!(
        err(NNDescent::new().n_neighbors(21)),
        Error::InvalidInput { .. }
    ));
    assert!(matches!(
        err(NNDescent::new().n_neighbors(5).leaf_size(Some(0))),
        Error::InvalidParameter {
            name: "leaf_size",
            ..
        }
    ));
    assert!(matches!(
        err(NNDescent::new().n_neighbors(5).delta(-1.0)),
        Error::InvalidParameter { name: "delta", .. }
    ));
    let nan = tensor2(vec![f64::NAN, 1.0, 2.0, 3.0], 2);
    assert!(NNDescent::new()
        .n_neighbors(1)
        .neighbor_graph(&nan)
        .is_err());
}

/// UMAP on digits (1797 samples, so exact by default) forced onto NN-descent: the
/// trustworthiness (5 neighbours) within 0.01 of the exact graph's, same seed, 100 epochs.
#[test]
fn umap_forced_approximation_keeps_the_quality() {
    let x = classification("digits").0;
    let fit = |force: bool| {
        let emb = UMAP::new()
            .random_state(42)
            .n_epochs(Some(100))
            .force_approximation_algorithm(force)
            .fit_transform(&x)
            .unwrap();
        trustworthiness(&x, &emb, 5).unwrap()
    };
    let (exact, approx) = (fit(false), fit(true));
    println!("digits trustworthiness: exact kNN {exact:.4}, NN-descent {approx:.4}");
    assert!((exact - approx).abs() <= 0.01, "{exact} vs {approx}");
}

/// The exact GEMM search against NN-descent with umap-learn's parameters on 20000 × 50
/// (run with `--ignored --nocapture`).
#[test]
#[ignore]
fn time_exact_against_nn_descent_20k() {
    let (n, k) = (20_000, 15);
    let x = blobs(n, 50, 20, 6);
    let t = Instant::now();
    let (want, _) = exact(&x, k);
    let exact_s = t.elapsed().as_secs_f64();
    let nnd = NNDescent::new()
        .n_neighbors(k)
        .n_trees(Some(12))
        .n_iters(Some(14))
        .max_candidates(Some(60))
        .random_state(1);
    let t = Instant::now();
    let (got, _) = nnd.neighbor_graph(&x).unwrap();
    let nnd_s = t.elapsed().as_secs_f64();
    println!(
        "20000 x 50, k = 15: exact {exact_s:.2} s, NN-descent {nnd_s:.2} s, recall {:.4}",
        recall(&got, &want)
    );
}
