//! PCA against scikit-learn on `fixtures/pca.json` (written by
//! `fixtures/make_cluster_fixtures.py`): with the full and the covariance solvers (the latter
//! also through `auto` on tall data), components (same signs, by `svd_flip`), explained
//! variances and their ratios, singular values, mean, noise variance, transform and inverse
//! transform agree to 1e-10; the randomized solver finds the same
//! subspace on low-rank data. TruncatedSVD likewise, exact (1e-10) and randomized (1e-6).

mod common;

use common::*;
use gf_learn::decomposition::{PcaSolver, TruncatedSVD, TruncatedSvdAlgorithm, PCA};
use gf_learn::prelude::*;

fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * w.abs().max(1.0),
            "{what}[{i}]: got {g}, scikit-learn has {w}"
        );
    }
}

#[test]
fn full_and_covariance_pca_match_scikit_learn() {
    let fx = read_json("pca.json");
    let (rows, data) = matrix(&fx["x"]);
    let x = tensor2(data.clone(), rows);
    let cols = data.len() / rows;
    let head = tensor2(data[..6 * cols].to_vec(), 6);
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let solver = match case["svd_solver"].as_str().unwrap() {
            "full" => PcaSolver::Full,
            "covariance_eigh" => PcaSolver::CovarianceEigh,
            _ => PcaSolver::Auto,
        };
        let mut pca = PCA::new()
            .svd_solver(solver)
            .whiten(case["whiten"].as_bool().unwrap());
        if let Some(k) = case["n_components"].as_u64() {
            pca = pca.n_components(k as usize);
        }
        pca.fit(&x).unwrap();
        let check = |what: &str, got: &[f64]| {
            let want = match &case[what] {
                v if v
                    .as_array()
                    .is_some_and(|a| a.first().is_some_and(|r| r.is_array())) =>
                {
                    matrix(v).1
                }
                v if v.is_array() => floats(v),
                v => vec![v.as_f64().unwrap()],
            };
            assert_close(&format!("{name} {what}"), got, &want, 1e-10);
        };
        check("mean", pca.mean_().unwrap());
        check("components", pca.components_().unwrap());
        check("explained_variance", pca.explained_variance_().unwrap());
        check(
            "explained_variance_ratio",
            pca.explained_variance_ratio_().unwrap(),
        );
        check("singular_values", pca.singular_values_().unwrap());
        check("noise_variance", &[pca.noise_variance_().unwrap()]);
        let z = pca.transform(&head).unwrap();
        check("transform", &z.to_vec());
        check(
            "inverse_transform",
            &pca.inverse_transform(&z).unwrap().to_vec(),
        );
    }
}

#[test]
fn randomized_pca_finds_the_full_solvers_subspace() {
    let fx = read_json("pca.json");
    let wide = &fx["wide"];
    let (rows, data) = matrix(&wide["x"]);
    let x = tensor2(data, rows);
    let k = wide["n_components"].as_u64().unwrap() as usize;
    let (_, components) = matrix(&wide["components"]);
    for solver in [PcaSolver::Full, PcaSolver::Randomized] {
        let mut pca = PCA::new()
            .n_components(k)
            .svd_solver(solver)
            .random_state(1);
        pca.fit(&x).unwrap();
        // Randomized: 5 dominant directions of a rank-5 signal plus small noise, found to
        // about the noise-to-signal ratio of the sketch after the power iterations.
        let tol = if solver == PcaSolver::Full {
            1e-10
        } else {
            1e-6
        };
        let what = format!("{solver:?}");
        assert_close(&what, pca.components_().unwrap(), &components, tol);
        assert_close(
            &what,
            pca.explained_variance_().unwrap(),
            &floats(&wide["explained_variance"]),
            tol,
        );
        assert_close(
            &what,
            pca.explained_variance_ratio_().unwrap(),
            &floats(&wide["explained_variance_ratio"]),
            tol,
        );
        assert_close(
            &what,
            pca.singular_values_().unwrap(),
            &floats(&wide["singular_values"]),
            tol,
        );
    }
}

#[test]
fn pca_rejects_bad_input_naming_the_parameter() {
    let x = tensor2(vec![0.0, 1.0, 2.0, 1.0, 5.0, 4.0], 3);
    let err = PCA::new().n_components(3).fit(&x).unwrap_err();
    assert!(
        err.to_string().contains("'n_components'")
            && err.to_string().contains("min(n_samples, n_features) = 2"),
        "{err}"
    );
    let err = PCA::new().n_components(0).fit(&x).unwrap_err();
    assert!(err.to_string().contains("'n_components'"), "{err}");
    let nan = tensor2(vec![0.0, 1.0, 2.0, f64::INFINITY, 5.0, 4.0], 3);
    let err = PCA::new().fit(&nan).unwrap_err();
    assert!(err.to_string().contains("row 1, column 1"), "{err}");
    let one = tensor2(vec![0.0, 1.0], 1);
    assert!(PCA::new().fit(&one).is_err());
    let err = PCA::new().transform(&x).unwrap_err();
    assert!(err.to_string().contains("not fitted"), "{err}");
    let mut pca = PCA::new().n_components(1);
    Transformer::fit(&mut pca, &x).unwrap();
    let err = pca.inverse_transform(&x).unwrap_err();
    assert!(err.to_string().contains("expecting 1 features"), "{err}");
}

#[test]
fn truncated_svd_matches_scikit_learn() {
    let fx = read_json("pca.json");
    for (case, data, algorithm, tol) in [
        (
            "truncated_svd_arpack",
            "x",
            TruncatedSvdAlgorithm::Arpack,
            1e-10,
        ),
        (
            "truncated_svd_randomized",
            "wide",
            TruncatedSvdAlgorithm::Randomized,
            1e-6,
        ),
    ] {
        let want = &fx[case];
        let source = if data == "x" {
            &fx["x"]
        } else {
            &fx["wide"]["x"]
        };
        let (rows, values) = matrix(source);
        let cols = values.len() / rows;
        let x = tensor2(values.clone(), rows);
        let mut svd = TruncatedSVD::new()
            .n_components(want["n_components"].as_u64().unwrap() as usize)
            .algorithm(algorithm);
        svd.fit(&x).unwrap();
        assert_close(
            case,
            svd.components_().unwrap(),
            &matrix(&want["components"]).1,
            tol,
        );
        assert_close(
            case,
            svd.explained_variance_().unwrap(),
            &floats(&want["explained_variance"]),
            tol,
        );
        assert_close(
            case,
            svd.explained_variance_ratio_().unwrap(),
            &floats(&want["explained_variance_ratio"]),
            tol,
        );
        assert_close(
            case,
            svd.singular_values_().unwrap(),
            &floats(&want["singular_values"]),
            tol,
        );
        let head = tensor2(values[..4 * cols].to_vec(), 4);
        let z = svd.transform(&head).unwrap();
        assert_close(case, &z.to_vec(), &matrix(&want["transform"]).1, tol);
        assert_eq!(svd.inverse_transform(&z).unwrap().dims(), [4, cols]);
    }
    let x = tensor2(vec![0.0, 1.0, 2.0, 1.0, 5.0, 4.0], 3);
    let err = TruncatedSVD::new().n_components(3).fit(&x).unwrap_err();
    assert!(err.to_string().contains("'n_components'"), "{err}");
}
