//! Isomap, MDS (SMACOF), smacof and ClassicalMDS against scikit-learn 1.9 on
//! `fixtures/isomap_mds.json` (written by `fixtures/make_isomap_mds_fixtures.py`). Isomap's
//! embedding is compared up to the sign of each column (an eigenvector's sign is arbitrary,
//! though both sides flip it the same way), with its geodesic distances, eigenvalues,
//! reconstruction error and transform of new points, on kNN and radius graphs, Dijkstra and
//! Floyd-Warshall, and a two-component graph that Isomap joins. MDS runs from the same init
//! (given, seeded random, classical), so its embedding, stress and iteration count equal
//! scikit-learn's. Bad inputs give an `Err` that names the parameter or row.

mod common;

use common::*;
use gf_learn::manifold::{smacof, ClassicalMDS, Isomap, MdsInit, MdsMetric, PathMethod, MDS};
use gf_learn::Error;
use serde_json::Value;

/// The largest `|got - want| / max(|want|, 1)`.
fn max_rel(got: &[f64], want: &[f64]) -> f64 {
    assert_eq!(got.len(), want.len(), "lengths differ");
    got.iter()
        .zip(want)
        .map(|(g, w)| (g - w).abs() / w.abs().max(1.0))
        .fold(0.0, f64::max)
}

fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    let d = max_rel(got, want);
    eprintln!("{what}: max relative difference {d:.3e}");
    assert!(d <= tol, "{what}: max relative difference {d} > {tol}");
}

/// `got` with each column's sign flipped to agree with `want`'s.
fn align_signs(got: &[f64], want: &[f64], cols: usize) -> Vec<f64> {
    let mut out = got.to_vec();
    for c in 0..cols {
        let dot: f64 = (0..got.len() / cols)
            .map(|i| got[i * cols + c] * want[i * cols + c])
            .sum();
        if dot < 0.0 {
            (0..got.len() / cols).for_each(|i| out[i * cols + c] = -out[i * cols + c]);
        }
    }
    out
}

fn as_usize(v: &Value) -> usize {
    v.as_u64().unwrap() as usize
}

#[test]
fn isomap_matches_scikit_learn() {
    let fx = read_json("isomap_mds.json");
    let fx = &fx["isomap"];
    let (n, train) = matrix(&fx["train"]);
    let (m, new) = matrix(&fx["new"]);
    let (x, x_new) = (tensor2(train, n), tensor2(new, m));
    for case in fx["cases"].as_array().unwrap() {
        let p = &case["params"];
        let k = as_usize(&p["n_components"]);
        let mut iso = Isomap::new().n_components(k);
        iso = match p["n_neighbors"].as_u64() {
            Some(nn) => iso.n_neighbors(nn as usize),
            None => iso.radius(p["radius"].as_f64().unwrap()),
        };
        iso = iso.path_method(match p["path_method"].as_str() {
            Some("D") => PathMethod::Dijkstra,
            Some("FW") => PathMethod::FloydWarshall,
            _ => PathMethod::Auto,
        });
        let z = iso.fit_transform(&x).unwrap().to_vec();
        let want = matrix(&case["embedding"]).1;
        let what = format!("{p}");
        assert_close(
            &format!("{what} embedding"),
            &align_signs(&z, &want, k),
            &want,
            1e-8,
        );
        let dist = iso.dist_matrix_().unwrap();
        let rows: Vec<f64> = [0, 77, 149]
            .iter()
            .flat_map(|&i| dist[i * n..(i + 1) * n].to_vec())
            .collect();
        assert_close(
            &format!("{what} dist rows"),
            &rows,
            &matrix(&case["dist_rows"]).1,
            1e-12,
        );
        let sum: f64 = dist.iter().sum();
        assert_close(
            &format!("{what} dist sum"),
            &[sum],
            &[case["dist_sum"].as_f64().unwrap()],
            1e-12,
        );
        let evals = iso.kernel_pca_().unwrap().eigenvalues_().unwrap();
        assert_close(
            &format!("{what} eigenvalues"),
            evals,
            &floats(&case["eigenvalues"]),
            1e-10,
        );
        let err = iso.reconstruction_error().unwrap();
        let want_err = case["reconstruction_error"].as_f64().unwrap();
        assert_close(
            &format!("{what} reconstruction_error"),
            &[err],
            &[want_err],
            1e-8,
        );
        let t = iso.transform(&x_new).unwrap().to_vec();
        let want_t = matrix(&case["transform"]).1;
        // Same flips as the embedding: the columns are the same eigenvectors.
        let signs: Vec<f64> = (0..k)
            .map(|c| {
                let dot: f64 = (0..n).map(|i| z[i * k + c] * want[i * k + c]).sum();
                dot.signum()
            })
            .collect();
        let t: Vec<f64> = t
            .iter()
            .enumerate()
            .map(|(i, v)| v * signs[i % k])
            .collect();
        assert_close(&format!("{what} transform"), &t, &want_t, 1e-8);
    }
}

#[test]
fn isomap_joins_a_disconnected_graph_as_scikit_learn() {
    let fx = read_json("isomap_mds.json");
    let fx = &fx["isomap"]["disconnected"];
    let (n, data) = matrix(&fx["x"]);
    let mut iso = Isomap::new().n_neighbors(4).n_components(2);
    let z = iso.fit_transform(&tensor2(data, n)).unwrap().to_vec();
    let want = matrix(&fx["embedding"]).1;
    assert_close("embedding", &align_signs(&z, &want, 2), &want, 1e-8);
    let sum: f64 = iso.dist_matrix_().unwrap().iter().sum();
    assert_close(
        "dist sum",
        &[sum],
        &[fx["dist_sum"].as_f64().unwrap()],
        1e-12,
    );
    let err = iso.reconstruction_error().unwrap();
    assert_close(
        "reconstruction_error",
        &[err],
        &[fx["reconstruction_error"].as_f64().unwrap()],
        1e-8,
    );
}

#[test]
fn isomap_rejects_bad_input() {
    let x = tensor2((0..20).map(|v| v as f64).collect(), 10);
    let param = |r: Result<_, Error>, name: &str| match r {
        Err(Error::InvalidParameter { name: got, .. }) => assert_eq!(got, name),
        other => panic!("expected an error on {name}, got {other:?}"),
    };
    param(
        Isomap::new().n_neighbors(10).fit(&x).map(|_| ()),
        "n_neighbors",
    );
    param(
        Isomap::new().n_neighbors(0).fit(&x).map(|_| ()),
        "n_neighbors",
    );
    param(
        Isomap::new().n_components(0).fit(&x).map(|_| ()),
        "n_components",
    );
    param(
        Isomap::new().n_components(11).fit(&x).map(|_| ()),
        "n_components",
    );
    param(Isomap::new().radius(-1.0).fit(&x).map(|_| ()), "radius");
    let empty = tensor2(vec![], 0);
    assert!(matches!(
        Isomap::new().fit(&empty),
        Err(Error::InvalidInput { .. })
    ));
    let mut nan: Vec<f64> = (0..20).map(|v| v as f64).collect();
    nan[7] = f64::NAN;
    assert!(matches!(
        Isomap::new().fit(&tensor2(nan, 10)),
        Err(Error::NonFinite { row: 3, col: 1, .. })
    ));
    assert!(matches!(
        Isomap::new().transform(&x),
        Err(Error::NotFitted { .. })
    ));
    let mut iso = Isomap::new();
    iso.fit(&x).unwrap();
    let wide = tensor2(vec![0.0; 9], 3);
    assert!(matches!(
        iso.transform(&wide),
        Err(Error::InvalidInput { .. })
    ));
}

fn mds_of(case: &Value) -> MDS {
    let mut m = MDS::new().metric_mds(case["metric_mds"].as_bool().unwrap());
    if let Some(b) = case["normalized_stress"].as_bool() {
        m = m.normalized_stress(b);
    }
    if let Some(k) = case["n_init"].as_u64() {
        m = m.n_init(k as usize);
    }
    if let Some(s) = case["random_state"].as_u64() {
        m = m.random_state(s);
    }
    if let Some(k) = case["max_iter"].as_u64() {
        m = m.max_iter(k as usize);
    }
    m
}

#[test]
fn mds_matches_scikit_learn() {
    let fx = read_json("isomap_mds.json");
    let fx = &fx["mds"];
    let (n, data) = matrix(&fx["x"]);
    let x = tensor2(data, n);
    let init = tensor2(matrix(&fx["init"]).1, n);
    for case in fx["cases"].as_array().unwrap() {
        let mut m = mds_of(case);
        let z = match case["init"].as_str().unwrap() {
            "given" => m.fit_transform_with_init(&x, &init).unwrap(),
            "random" => {
                m = m.init(MdsInit::Random);
                m.fit_transform(&x).unwrap()
            }
            _ => {
                m = m.init(MdsInit::ClassicalMds);
                m.fit_transform(&x).unwrap()
            }
        }
        .to_vec();
        let what = format!(
            "init {} metric_mds {} normalized {}",
            case["init"], case["metric_mds"], case["normalized_stress"]
        );
        assert_eq!(
            m.n_iter_().unwrap(),
            as_usize(&case["n_iter"]),
            "{what} n_iter"
        );
        assert_close(
            &format!("{what} embedding"),
            &z,
            &matrix(&case["embedding"]).1,
            1e-8,
        );
        let stress = m.stress_().unwrap();
        assert_close(
            &format!("{what} stress"),
            &[stress],
            &[case["stress"].as_f64().unwrap()],
            1e-8,
        );
    }
}

#[test]
fn mds_precomputed_smacof_and_classical_match_scikit_learn() {
    let fx = read_json("isomap_mds.json");
    let fx = &fx["mds"];
    let (n, data) = matrix(&fx["x"]);
    let x = tensor2(data, n);
    // Precomputed dissimilarities: the euclidean distances of x.
    let mut m = MDS::new();
    m.fit(&x).unwrap();
    let d = tensor2(m.dissimilarity_matrix_().unwrap().to_vec(), n);
    let pre = &fx["precomputed"];
    let init3 = tensor2(matrix(&pre["init"]).1, n);
    let mut m = MDS::new()
        .n_components(3)
        .metric(MdsMetric::Precomputed)
        .eps(1e-3);
    let z = m.fit_transform_with_init(&d, &init3).unwrap().to_vec();
    assert_eq!(m.n_iter_().unwrap(), as_usize(&pre["n_iter"]));
    assert_close(
        "precomputed embedding",
        &z,
        &matrix(&pre["embedding"]).1,
        1e-8,
    );
    assert_close(
        "precomputed stress",
        &[m.stress_().unwrap()],
        &[pre["stress"].as_f64().unwrap()],
        1e-8,
    );

    let sm = &fx["smacof"];
    let init = tensor2(matrix(&fx["init"]).1, n);
    let (z, stress, n_iter) =
        smacof(&d, Some(&init), &MDS::new().metric_mds(false).max_iter(40)).unwrap();
    assert_eq!(n_iter, as_usize(&sm["n_iter"]));
    assert_close(
        "smacof embedding",
        &z.to_vec(),
        &matrix(&sm["embedding"]).1,
        1e-8,
    );
    assert_close(
        "smacof stress",
        &[stress],
        &[sm["stress"].as_f64().unwrap()],
        1e-8,
    );

    let cl = &fx["classical"];
    let mut cmds = ClassicalMDS::new().n_components(3);
    let z = cmds.fit_transform(&x).unwrap().to_vec();
    assert_close(
        "classical embedding",
        &z,
        &matrix(&cl["embedding"]).1,
        1e-10,
    );
    assert_close(
        "classical eigenvalues",
        cmds.eigenvalues_().unwrap(),
        &floats(&cl["eigenvalues"]),
        1e-10,
    );
}

#[test]
fn mds_rejects_bad_input() {
    let x = tensor2((0..20).map(|v| (v * v % 7) as f64).collect(), 10);
    let param = |r: Result<(), Error>, name: &str| match r {
        Err(Error::InvalidParameter { name: got, .. }) => assert_eq!(got, name),
        other => panic!("expected an error on {name}, got {other:?}"),
    };
    param(
        MDS::new().n_components(0).fit(&x).map(|_| ()),
        "n_components",
    );
    param(MDS::new().n_init(0).fit(&x).map(|_| ()), "n_init");
    param(MDS::new().max_iter(0).fit(&x).map(|_| ()), "max_iter");
    param(MDS::new().eps(-1.0).fit(&x).map(|_| ()), "eps");
    param(
        MDS::new()
            .init(MdsInit::ClassicalMds)
            .n_components(11)
            .fit(&x)
            .map(|_| ()),
        "n_components",
    );
    param(
        ClassicalMDS::new().n_components(0).fit(&x).map(|_| ()),
        "n_components",
    );
    let empty = tensor2(vec![], 0);
    assert!(matches!(
        MDS::new().fit(&empty),
        Err(Error::InvalidInput { .. })
    ));
    let mut nan: Vec<f64> = (0..20).map(|v| v as f64).collect();
    nan[5] = f64::NAN;
    assert!(matches!(
        MDS::new().fit(&tensor2(nan, 10)),
        Err(Error::NonFinite { row: 2, col: 1, .. })
    ));
    let pre = MDS::new().metric(MdsMetric::Precomputed);
    // Not square, not symmetric, negative.
    assert!(matches!(
        pre.clone().fit(&x),
        Err(Error::InvalidInput { .. })
    ));
    let asym = tensor2(vec![0.0, 1.0, 2.0, 0.0], 2);
    assert!(matches!(
        pre.clone().fit(&asym),
        Err(Error::InvalidInput { .. })
    ));
    let neg = tensor2(vec![0.0, -1.0, -1.0, 0.0], 2);
    assert!(matches!(
        pre.clone().fit(&neg),
        Err(Error::InvalidInput { .. })
    ));
    // An init of the wrong height.
    let init = tensor2(vec![0.0; 6], 3);
    assert!(matches!(
        MDS::new().fit_with_init(&x, &init),
        Err(Error::InvalidInput { .. })
    ));
}

#[test]
fn kernel_pca_on_a_precomputed_gram_matrix_is_linear_kernel_pca() {
    use gf_learn::decomposition::{KernelPCA, KpcaKernel};
    let fx = read_json("isomap_mds.json");
    let (n, data) = matrix(&fx["mds"]["x"]);
    let cols = data.len() / n;
    let gram: Vec<f64> = (0..n)
        .flat_map(|i| {
            let data = &data;
            (0..n).map(move |j| {
                (0..cols)
                    .map(|c| data[i * cols + c] * data[j * cols + c])
                    .sum()
            })
        })
        .collect();
    let mut linear = KernelPCA::new().n_components(2);
    let want = linear
        .fit_transform(&tensor2(data.clone(), n))
        .unwrap()
        .to_vec();
    let mut pre = KernelPCA::new()
        .n_components(2)
        .kernel(KpcaKernel::Precomputed);
    let got = pre
        .fit_transform(&tensor2(gram.clone(), n))
        .unwrap()
        .to_vec();
    assert_close("precomputed kernel PCA", &got, &want, 1e-10);
    let again = pre.transform(&tensor2(gram, n)).unwrap().to_vec();
    assert_close("precomputed transform", &again, &want, 1e-10);
    let not_square = tensor2(vec![0.0; 6], 2);
    assert!(matches!(
        KernelPCA::new()
            .kernel(KpcaKernel::Precomputed)
            .fit(&not_square),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        KernelPCA::new()
            .kernel(KpcaKernel::Precomputed)
            .fit_inverse_transform(true)
            .fit(&tensor2(vec![1.0, 0.0, 0.0, 1.0], 2)),
        Err(Error::InvalidInput { .. })
    ));
}
