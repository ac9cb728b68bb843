//! GaussianMixture against scikit-learn on `fixtures/gmm.json` (written by
//! `fixtures/make_gmm_fixtures.py`): from given weights, means and precisions, EM is
//! deterministic and every fitted attribute, score and criterion equals scikit-learn's to 1e-8
//! for the four covariance types; from k-means and the random initialisations (whose draws
//! differ from numpy's) the lower bound is within 1e-3 of scikit-learn's and the partition is
//! the same (where scikit-learn's run reached an optimum rather than stalling).

mod common;

use common::*;
use gf_core::prelude::*;
use gf_learn::metrics::adjusted_rand_score;
use gf_learn::mixture::{CovarianceType, GaussianMixture, InitParams};
use gf_learn::prelude::*;
use serde_json::Value;

const TOL: f64 = 1e-8;

fn covariance_type(name: &str) -> CovarianceType {
    match name {
        "full" => CovarianceType::Full,
        "tied" => CovarianceType::Tied,
        "diag" => CovarianceType::Diag,
        "spherical" => CovarianceType::Spherical,
        other => panic!("unknown covariance_type {other}"),
    }
}

fn init_params(name: &str) -> InitParams {
    match name {
        "kmeans" => InitParams::KMeans,
        "k-means++" => InitParams::KMeansPlusPlus,
        "random" => InitParams::Random,
        "random_from_data" => InitParams::RandomFromData,
        other => panic!("unknown init_params {other}"),
    }
}

fn x_of(v: &Value) -> X {
    let (rows, data) = matrix(v);
    tensor2(data, rows)
}

fn f(v: &Value) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("expected a number, got {v}"))
}

/// Every fitted attribute and output of `gm` against scikit-learn's in `want`.
fn assert_fitted_matches(name: &str, gm: &GaussianMixture, x: &X, x_test: &X, want: &Value) {
    let close = |what: &str, got: &[f64], key: &str| {
        let want = match &want[key] {
            Value::Number(n) => vec![n.as_f64().unwrap()],
            v => floats(v),
        };
        assert_close(&format!("{name} {what}"), got, &want, TOL)
    };
    close("weights_", gm.weights_().unwrap(), "weights");
    close("means_", gm.means_().unwrap(), "means");
    close("covariances_", gm.covariances_().unwrap(), "covariances");
    close("precisions_", gm.precisions_().unwrap(), "precisions");
    close(
        "precisions_cholesky_",
        gm.precisions_cholesky_().unwrap(),
        "precisions_cholesky",
    );
    close("lower_bound_", &[gm.lower_bound_().unwrap()], "lower_bound");
    close("lower_bounds_", gm.lower_bounds_().unwrap(), "lower_bounds");
    assert_eq!(
        gm.n_iter_(),
        Some(want["n_iter"].as_u64().unwrap() as usize),
        "{name} n_iter_"
    );
    assert_eq!(
        gm.converged_(),
        want["converged"].as_bool(),
        "{name} converged_"
    );
    let labels: Vec<i64> = usizes(&want["labels"]).iter().map(|&l| l as i64).collect();
    assert_eq!(gm.labels_().unwrap(), labels.as_slice(), "{name} labels_");
    assert_eq!(
        gm.predict(x_test).unwrap().to_vec(),
        usizes(&want["predict_test"]),
        "{name} predict"
    );
    close(
        "predict_proba",
        &gm.predict_proba(x_test).unwrap().to_vec(),
        "predict_proba",
    );
    close(
        "score_samples",
        &gm.score_samples(x_test).unwrap().to_vec(),
        "score_samples",
    );
    close("score", &[gm.score(x).unwrap()], "score");
    close("bic", &[gm.bic(x).unwrap()], "bic");
    close("aic", &[gm.aic(x).unwrap()], "aic");
}

#[test]
fn given_initial_parameters_match_scikit_learn_for_every_covariance_type() {
    let fx = read_json("gmm.json");
    let given = &fx["given"];
    let (x, x_test) = (x_of(&given["x"]), x_of(&given["x_test"]));
    for case in given["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let mut gm = GaussianMixture::new()
            .n_components(3)
            .covariance_type(covariance_type(case["covariance_type"].as_str().unwrap()))
            .max_iter(case["max_iter"].as_u64().unwrap() as usize)
            .weights_init(floats(&case["weights_init"]))
            .means_init(floats(&case["means_init"]))
            .precisions_init(floats(&case["precisions_init"]));
        gm.fit(&x).unwrap();
        assert_fitted_matches(name, &gm, &x, &x_test, case);
    }
}

#[test]
fn warm_start_continues_from_the_fitted_parameters_as_scikit_learn() {
    let fx = read_json("gmm.json");
    let given = &fx["given"];
    let (x, x_test) = (x_of(&given["x"]), x_of(&given["x_test"]));
    let want = &given["warm_start"];
    let mut gm = GaussianMixture::new()
        .n_components(3)
        .max_iter(3)
        .warm_start(true)
        .weights_init(floats(&want["weights_init"]))
        .means_init(floats(&want["means_init"]))
        .precisions_init(floats(&want["precisions_init"]));
    gm.fit(&x).unwrap();
    gm.fit(&x).unwrap();
    assert_fitted_matches("warm_start", &gm, &x, &x_test, want);
}

#[test]
fn every_init_reaches_scikit_learns_lower_bound_and_partition_on_separated_blobs() {
    let fx = read_json("gmm.json");
    let km = &fx["kmeans"];
    let x = x_of(&km["x"]);
    for case in km["cases"].as_array().unwrap() {
        let (cov, init) = (
            case["covariance_type"].as_str().unwrap(),
            case["init_params"].as_str().unwrap(),
        );
        let mut gm = GaussianMixture::new()
            .n_components(4)
            .covariance_type(covariance_type(cov))
            .init_params(init_params(init))
            .n_init(case["n_init"].as_u64().unwrap() as usize)
            .random_state(0);
        let labels = gm.fit_predict(&x).unwrap();
        let (got, want) = (gm.lower_bound_().unwrap(), f(&case["lower_bound"]));
        assert!(
            (got - want).abs() <= 1e-3,
            "{cov} {init}: lower_bound_ {got}, scikit-learn has {want}"
        );
        // A run that stalled near the overall mean (scikit-learn's tied covariance from one
        // sample per component) has an arbitrary partition.
        if !case["stalled"].as_bool().unwrap() {
            let ari = adjusted_rand_score(&labels, &usizes(&case["labels"])).unwrap();
            assert!(ari == 1.0, "{cov} {init}: adjusted Rand index {ari}");
        }
        let (bic, want_bic) = (gm.bic(&x).unwrap(), f(&case["bic"]));
        assert!(
            (bic - want_bic).abs() <= 1e-3 * 240.0 * 2.0,
            "{cov} {init}: bic {bic}, scikit-learn has {want_bic}"
        );
    }
}

#[test]
fn given_means_alone_start_from_them_with_k_means_weights_and_covariances() {
    let fx = read_json("gmm.json");
    let km = &fx["kmeans"];
    let x = x_of(&km["x"]);
    let want = &km["means_init_only"];
    let means = floats(&want["means_init"]);
    let mut gm = GaussianMixture::new()
        .n_components(4)
        .means_init(means.clone());
    let labels = gm.fit_predict(&x).unwrap();
    let (got, lb) = (gm.lower_bound_().unwrap(), f(&want["lower_bound"]));
    assert!(
        (got - lb).abs() <= 1e-3,
        "lower_bound_ {got}, scikit-learn has {lb}"
    );
    assert_eq!(labels, gm.labels_().unwrap());
    let ari = adjusted_rand_score(&labels, &usizes(&want["labels"])).unwrap();
    assert!(ari == 1.0, "adjusted Rand index {ari}");
    // With no EM step the given means are kept as they are.
    let mut start = GaussianMixture::new()
        .n_components(4)
        .means_init(means.clone())
        .max_iter(0);
    start.fit(&x).unwrap();
    assert_eq!(start.means_().unwrap(), means.as_slice());
    assert_eq!(start.n_iter_(), Some(0));
    assert_eq!(start.converged_(), Some(false));
    let weights: f64 = start.weights_().unwrap().iter().sum();
    assert!(
        (weights - 1.0).abs() < 1e-12,
        "k-means weights sum to {weights}"
    );
}

#[test]
fn fit_predict_labels_equal_predict_on_the_training_data() {
    let fx = read_json("gmm.json");
    let x = x_of(&fx["kmeans"]["x"]);
    for cov in ["full", "tied", "diag", "spherical"] {
        let mut gm = GaussianMixture::new()
            .n_components(4)
            .covariance_type(covariance_type(cov))
            .random_state(3);
        let labels = gm.fit_predict(&x).unwrap();
        let pred: Vec<i64> = gm
            .predict(&x)
            .unwrap()
            .to_vec()
            .iter()
            .map(|&l| l as i64)
            .collect();
        assert_eq!(labels, pred, "{cov}");
        // f32 data are widened to f64, as scikit-learn's float32 input is not: the fit agrees
        // to f32 precision.
        let x32: Vec<f32> = x.to_vec().iter().map(|&v| v as f32).collect();
        let x32 = Cpu::default().tensor_from_vec(x32, (x.dims()[0], x.dims()[1]));
        let mut gm32 = gm.clone();
        assert_eq!(gm32.fit_predict(&x32).unwrap(), labels, "{cov} f32");
        let (lb, lb32) = (gm.lower_bound_().unwrap(), gm32.lower_bound_().unwrap());
        assert!(
            (lb - lb32).abs() < 1e-5,
            "{cov}: f32 lower bound {lb32}, f64 {lb}"
        );
        let proba = gm.predict_proba(&x).unwrap().to_vec();
        for (i, row) in proba.chunks(4).enumerate() {
            let s: f64 = row.iter().sum();
            assert!(
                (s - 1.0).abs() < 1e-12,
                "{cov}: row {i} of predict_proba sums to {s}"
            );
        }
    }
}

#[test]
fn samples_follow_the_fitted_mixture() {
    let fx = read_json("gmm.json");
    let x = x_of(&fx["kmeans"]["x"]);
    for cov in ["full", "tied", "diag", "spherical"] {
        let mut gm = GaussianMixture::new()
            .n_components(4)
            .covariance_type(covariance_type(cov));
        gm.fit(&x).unwrap();
        let n = 4000;
        let (draws, labels) = gm.sample(n).unwrap();
        assert_eq!(draws.dims(), [n, 3]);
        let (draws, labels) = (draws.to_vec(), labels.to_vec());
        assert!(
            labels.windows(2).all(|w| w[0] <= w[1]),
            "{cov}: grouped by component"
        );
        let (weights, means) = (gm.weights_().unwrap(), gm.means_().unwrap());
        for c in 0..4 {
            let rows: Vec<&[f64]> = (0..n)
                .filter(|&i| labels[i] == c)
                .map(|i| &draws[i * 3..(i + 1) * 3])
                .collect();
            let share = rows.len() as f64 / n as f64;
            assert!(
                (share - weights[c]).abs() < 0.04,
                "{cov}: component {c} has {share} of the draws, weight {}",
                weights[c]
            );
            for j in 0..3 {
                let mean = rows.iter().map(|r| r[j]).sum::<f64>() / rows.len() as f64;
                assert!(
                    (mean - means[c * 3 + j]).abs() < 0.3,
                    "{cov}: component {c} feature {j}: sample mean {mean}, mean {}",
                    means[c * 3 + j]
                );
            }
        }
        assert_eq!(
            gm.sample(10).unwrap().0.to_vec(),
            gm.sample(10).unwrap().0.to_vec()
        );
    }
}

fn fit_err(gm: GaussianMixture, x: &X) -> String {
    let mut gm = gm;
    gm.fit(x).unwrap_err().to_string()
}

#[test]
fn bad_parameters_and_data_are_errors_that_say_what_is_wrong() {
    let x = tensor2(vec![0.0, 0.0, 1.0, 1.0, 5.0, 5.0, 6.0, 5.0], 4);
    let gm = || GaussianMixture::new().n_components(2);
    let err = fit_err(GaussianMixture::new().n_components(5), &x);
    assert!(err.contains("n_components = 5, n_samples = 4"), "{err}");
    let err = fit_err(GaussianMixture::new().n_components(0), &x);
    assert!(err.contains("'n_components'"), "{err}");
    let err = fit_err(gm().reg_covar(-1.0), &x);
    assert!(err.contains("'reg_covar'"), "{err}");
    let err = fit_err(gm().tol(-1.0), &x);
    assert!(err.contains("'tol'"), "{err}");
    let err = fit_err(gm().n_init(0), &x);
    assert!(err.contains("'n_init'"), "{err}");
    let nan = tensor2(vec![0.0, 0.0, 1.0, f64::NAN, 5.0, 5.0, 6.0, 5.0], 4);
    let err = fit_err(gm(), &nan);
    assert!(err.contains("row 1, column 1"), "{err}");
    let one = tensor2(vec![0.0, 0.0], 1);
    let err = fit_err(GaussianMixture::new(), &one);
    assert!(err.contains("minimum of 2"), "{err}");
    let err = fit_err(gm().weights_init(vec![1.0]), &x);
    assert!(
        err.contains("'weights_init'") && err.contains("[2]"),
        "{err}"
    );
    let err = fit_err(gm().weights_init(vec![0.5, 0.4]), &x);
    assert!(err.contains("normalized"), "{err}");
    let err = fit_err(gm().weights_init(vec![1.5, -0.5]), &x);
    assert!(err.contains("range [0, 1]"), "{err}");
    let err = fit_err(gm().means_init(vec![0.0; 3]), &x);
    assert!(
        err.contains("'means_init'") && err.contains("[2, 2]"),
        "{err}"
    );
    let err = fit_err(gm().precisions_init(vec![1.0; 4]), &x);
    assert!(
        err.contains("'precisions_init'") && err.contains("[2, 2, 2]"),
        "{err}"
    );
    let not_pd = vec![1.0, 2.0, 2.0, 1.0, 1.0, 0.0, 0.0, 1.0];
    let err = fit_err(gm().precisions_init(not_pd), &x);
    assert!(err.contains("positive-definite"), "{err}");
    let asymmetric = vec![1.0, 0.5, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0];
    let err = fit_err(gm().precisions_init(asymmetric), &x);
    assert!(err.contains("symmetric"), "{err}");
    let diag = gm().covariance_type(CovarianceType::Diag);
    let err = fit_err(diag.clone().precisions_init(vec![1.0, 0.0, 1.0, 1.0]), &x);
    assert!(
        err.contains("'diag' precision") && err.contains("positive"),
        "{err}"
    );
    let err = fit_err(diag.precisions_init(vec![1.0, 1.0]), &x);
    assert!(err.contains("[2, 2]"), "{err}");
    let err = fit_err(
        gm().covariance_type(CovarianceType::Spherical)
            .precisions_init(vec![1.0; 3]),
        &x,
    );
    assert!(err.contains("[2]"), "{err}");
}

#[test]
fn collapsed_components_are_scikit_learns_ill_defined_covariance_error() {
    // Two clusters of identical points: with reg_covar = 0 their covariances are zero.
    let x = tensor2(
        vec![0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0],
        6,
    );
    for cov in ["full", "tied", "diag", "spherical"] {
        let err = fit_err(
            GaussianMixture::new()
                .n_components(2)
                .covariance_type(covariance_type(cov))
                .reg_covar(0.0),
            &x,
        );
        assert!(
            err.contains("ill-defined empirical covariance"),
            "{cov}: {err}"
        );
        // The default regularisation keeps them positive definite.
        let mut gm = GaussianMixture::new()
            .n_components(2)
            .covariance_type(covariance_type(cov));
        let labels = gm.fit_predict(&x).unwrap();
        assert_eq!(labels[0], labels[2], "{cov}");
        assert_ne!(labels[0], labels[3], "{cov}");
    }
}

#[test]
fn methods_before_fit_and_of_the_wrong_width_are_errors() {
    let x = tensor2(vec![0.0, 0.0, 1.0, 1.0, 5.0, 5.0, 6.0, 5.0], 4);
    let gm = GaussianMixture::new();
    assert!(gm.weights_().is_none() && gm.lower_bound_().is_none());
    for err in [
        gm.predict(&x).unwrap_err(),
        gm.predict_proba(&x).unwrap_err(),
        gm.score_samples(&x).unwrap_err(),
        gm.bic(&x).unwrap_err(),
        gm.sample(3).unwrap_err(),
    ] {
        assert!(err.to_string().contains("not fitted"), "{err}");
    }
    let mut gm = GaussianMixture::new().n_components(2);
    gm.fit(&x).unwrap();
    let wide = tensor2(vec![0.0; 3], 1);
    let err = gm.score(&wide).unwrap_err();
    assert!(err.to_string().contains("3 features"), "{err}");
    let err = gm.sample(0).unwrap_err();
    assert!(err.to_string().contains("n_samples"), "{err}");
}
