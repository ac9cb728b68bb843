//! FastICA and KernelPCA against scikit-learn on `fixtures/ica_kpca.json` (written by
//! `fixtures/make_ica_kpca_fixtures.py`).
//!
//! FastICA, given scikit-learn's `w_init`: components, mixing, mean, whitening, `n_iter_`,
//! transform, fit_transform and inverse_transform agree to 1e-8 for logcosh, exp and cube,
//! parallel and deflation, unit- and arbitrary-variance whitening, the svd and eigh whitening
//! solvers and `whiten=False`; without `w_init`, the sources are recovered (|correlation| above
//! 0.99), as scikit-learn recovers them. KernelPCA with the dense solver: eigenvalues to 1e-10
//! (relative), eigenvectors and projections of training and new rows to 1e-8, with the same
//! signs, for the linear, rbf, poly, sigmoid and cosine kernels on standardised iris and wine;
//! inverse transforms likewise.

mod common;

use common::*;
use gf_learn::decomposition::{
    FastICA, IcaAlgorithm, IcaFun, IcaWhiten, KernelPCA, KpcaKernel, WhitenSolver,
};
use gf_learn::prelude::*;
use gf_learn::Error;
use serde_json::Value;

fn flat(v: &Value) -> Vec<f64> {
    matrix(v).1
}

fn ica_from_case(case: &Value) -> FastICA {
    let mut ica = FastICA::new()
        .algorithm(match case["algorithm"].as_str().unwrap() {
            "parallel" => IcaAlgorithm::Parallel,
            _ => IcaAlgorithm::Deflation,
        })
        .whiten(match &case["whiten"] {
            Value::String(s) if s == "unit-variance" => IcaWhiten::UnitVariance,
            Value::String(_) => IcaWhiten::ArbitraryVariance,
            _ => IcaWhiten::Disabled,
        })
        .fun(match case["fun"].as_str().unwrap() {
            "logcosh" => IcaFun::Logcosh {
                alpha: case["fun_args"]["alpha"].as_f64().unwrap_or(1.0),
            },
            "exp" => IcaFun::Exp,
            _ => IcaFun::Cube,
        })
        .whiten_solver(match case["whiten_solver"].as_str().unwrap() {
            "svd" => WhitenSolver::Svd,
            _ => WhitenSolver::Eigh,
        })
        .w_init(flat(&case["w_init"]));
    if let Some(k) = case["n_components"].as_u64() {
        ica = ica.n_components(k as usize);
    }
    if let Some(m) = case["max_iter"].as_u64() {
        ica = ica.max_iter(m as usize);
    }
    if let Some(t) = case["tol"].as_f64() {
        ica = ica.tol(t);
    }
    ica
}

/// The fitted transformer's output on `x` through the `Transformer` trait.
fn transform_via_trait<T: Transformer>(model: &T, x: &X) -> Vec<f64> {
    model.transform(x).unwrap().to_vec()
}

#[test]
fn fastica_with_w_init_matches_scikit_learn() {
    let fx = read_json("ica_kpca.json");
    let fx = &fx["ica"];
    let (rows, data) = matrix(&fx["x"]);
    let x = tensor2(data, rows);
    let (rows_w, data_w) = matrix(&fx["x_white"]);
    let xw = tensor2(data_w, rows_w);
    let tol = 1e-8;
    for case in fx["cases"].as_array().unwrap() {
        let name = format!(
            "{} {} whiten={} solver={} n_components={} max_iter={}",
            case["algorithm"],
            case["fun"],
            case["whiten"],
            case["whiten_solver"],
            case["n_components"],
            case["max_iter"]
        );
        let x = if case["whiten"].is_boolean() { &xw } else { &x };
        let mut ica = ica_from_case(case);
        let z = ica.fit_transform(x).unwrap();
        assert_eq!(
            ica.n_iter_(),
            Some(case["n_iter"].as_u64().unwrap() as usize),
            "{name}: n_iter_"
        );
        let check = |what: &str, got: &[f64]| {
            assert_close(&format!("{name}: {what}"), got, &flat(&case[what]), tol);
        };
        check("components", ica.components_().unwrap());
        check("mixing", ica.mixing_().unwrap());
        if case["whiten"].is_string() {
            assert_close(
                &format!("{name}: mean"),
                ica.mean_().unwrap(),
                &floats(&case["mean"]),
                tol,
            );
            check("whitening", ica.whitening_().unwrap());
        } else {
            assert!(ica.mean_().is_none() && ica.whitening_().is_none());
        }
        let n_head = case["transform"].as_array().unwrap().len();
        let head_x = head(x, n_head);
        check("transform", &transform_via_trait(&ica, &head_x));
        let z_head = head(&z, n_head);
        check("fit_transform_head", &z_head.to_vec());
        check(
            "inverse_transform",
            &ica.inverse_transform(&z_head).unwrap().to_vec(),
        );
    }
}

/// For each true source, the largest |correlation| with a recovered component.
fn best_abs_correlations(sources: &[f64], recovered: &[f64], n: usize) -> Vec<f64> {
    let (ks, kr) = (sources.len() / n, recovered.len() / n);
    let column = |m: &[f64], k: usize, j: usize| -> Vec<f64> {
        let c: Vec<f64> = (0..n).map(|i| m[i * k + j]).collect();
        let mean = c.iter().sum::<f64>() / n as f64;
        let centred: Vec<f64> = c.iter().map(|v| v - mean).collect();
        let norm = centred.iter().map(|v| v * v).sum::<f64>().sqrt();
        centred.iter().map(|v| v / norm).collect()
    };
    (0..ks)
        .map(|s| {
            let a = column(sources, ks, s);
            (0..kr)
                .map(|r| {
                    let b = column(recovered, kr, r);
                    a.iter().zip(&b).map(|(x, y)| x * y).sum::<f64>().abs()
                })
                .fold(0.0, f64::max)
        })
        .collect()
}

#[test]
fn fastica_without_w_init_recovers_the_sources_as_scikit_learn_does() {
    let fx = read_json("ica_kpca.json");
    let fx = &fx["ica"];
    let (rows, data) = matrix(&fx["x"]);
    let x = tensor2(data, rows);
    let sources = flat(&fx["sources"]);
    let sklearn = floats(&fx["sklearn_random_init_min_abs_corr"]);
    for (algorithm, sk) in [IcaAlgorithm::Parallel, IcaAlgorithm::Deflation]
        .into_iter()
        .zip(sklearn)
    {
        for seed in [0, 1, 2] {
            let z = FastICA::new()
                .n_components(3)
                .algorithm(algorithm)
                .random_state(seed)
                .fit_transform(&x)
                .unwrap()
                .to_vec();
            let corr = best_abs_correlations(&sources, &z, rows);
            assert!(
                corr.iter().all(|&c| c > 0.99),
                "{algorithm:?} seed {seed}: |correlations| {corr:?} (scikit-learn's smallest: {sk})"
            );
        }
    }
}

fn assert_parameter_error(err: Error, name: &str) {
    match &err {
        Error::InvalidParameter { name: got, .. } => {
            assert_eq!(*got, name, "wrong parameter named: {err}")
        }
        _ => panic!("expected an invalid '{name}', got {err}"),
    }
}

#[test]
fn fastica_rejects_bad_parameters_and_input() {
    let fx = read_json("ica_kpca.json");
    let (rows, data) = matrix(&fx["ica"]["x"]);
    let x = tensor2(data.clone(), rows);
    let fit_err = |ica: FastICA| ica.clone().fit(&x).map(|_| ()).unwrap_err();
    assert_parameter_error(fit_err(FastICA::new().n_components(0)), "n_components");
    assert_parameter_error(fit_err(FastICA::new().n_components(4)), "n_components");
    assert_parameter_error(fit_err(FastICA::new().max_iter(0)), "max_iter");
    assert_parameter_error(fit_err(FastICA::new().tol(-1.0)), "tol");
    assert_parameter_error(fit_err(FastICA::new().tol(f64::NAN)), "tol");
    assert_parameter_error(
        fit_err(FastICA::new().fun(IcaFun::Logcosh { alpha: 3.0 })),
        "fun_args['alpha']",
    );
    let err = fit_err(FastICA::new().n_components(2).w_init(vec![1.0; 9]));
    assert!(
        matches!(&err, Error::InvalidInput { message, .. } if message.contains("w_init")),
        "{err}"
    );
    let mut nan = data.clone();
    nan[7] = f64::NAN;
    let err = FastICA::new()
        .fit(&tensor2(nan, rows))
        .map(|_| ())
        .unwrap_err();
    assert!(
        matches!(err, Error::NonFinite { row: 2, col: 1, .. }),
        "{err}"
    );
    let err = FastICA::new().fit(&head(&x, 1)).map(|_| ()).unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err}");

    let unfitted = FastICA::new();
    assert!(unfitted.components_().is_none() && unfitted.n_iter_().is_none());
    let err = unfitted.transform(&x).unwrap_err();
    assert!(matches!(err, Error::NotFitted { .. }), "{err}");
    let mut ica = FastICA::new().n_components(2);
    ica.fit(&x).unwrap();
    let narrow = tensor2(data[..2 * 20].to_vec(), 20);
    let err = ica.transform(&narrow).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { message, .. } if message.contains("3 features")),
        "{err}"
    );
    let err = ica.inverse_transform(&x).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { message, .. } if message.contains("2 features")),
        "{err}"
    );
}

fn kpca_from_case(case: &Value) -> KernelPCA {
    let mut kp = KernelPCA::new().kernel(match case["kernel"].as_str().unwrap() {
        "linear" => KpcaKernel::Linear,
        "rbf" => KpcaKernel::Rbf,
        "poly" => KpcaKernel::Poly,
        "sigmoid" => KpcaKernel::Sigmoid,
        _ => KpcaKernel::Cosine,
    });
    if let Some(k) = case["n_components"].as_u64() {
        kp = kp.n_components(k as usize);
    }
    if let Some(g) = case["gamma"].as_f64() {
        kp = kp.gamma(g);
    }
    if let Some(d) = case["degree"].as_f64() {
        kp = kp.degree(d);
    }
    if let Some(c) = case["coef0"].as_f64() {
        kp = kp.coef0(c);
    }
    if let Some(a) = case["alpha"].as_f64() {
        kp = kp.alpha(a);
    }
    if let Some(b) = case["fit_inverse_transform"].as_bool() {
        kp = kp.fit_inverse_transform(b);
    }
    if let Some(b) = case["remove_zero_eig"].as_bool() {
        kp = kp.remove_zero_eig(b);
    }
    kp
}

/// Standardised `name` split as the fixture script does: even rows train, odd rows test.
fn kpca_split(name: &str) -> (X, X) {
    let (x, _) = standardized(name);
    let n = x.dims()[0];
    let even: Vec<usize> = (0..n).step_by(2).collect();
    let odd: Vec<usize> = (1..n).step_by(2).collect();
    (rows(&x, &even), rows(&x, &odd))
}

#[test]
fn kernel_pca_matches_scikit_learn() {
    let fx = read_json("ica_kpca.json");
    for case in fx["kpca"]["cases"].as_array().unwrap() {
        let dataset = case["dataset"].as_str().unwrap();
        let name = format!(
            "{dataset} {} n_components={}",
            case["kernel"], case["n_components"]
        );
        let (train, test) = kpca_split(dataset);
        let mut kp = kpca_from_case(case);
        let z = kp.fit_transform(&train).unwrap();
        assert_eq!(kp.n_features_in_(), Some(train.dims()[1]));
        let want = floats(&case["eigenvalues"]);
        let got = kp.eigenvalues_().unwrap();
        assert_eq!(got.len(), want.len(), "{name}: number of components");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                (g - w).abs() <= 1e-10 * w.abs(),
                "{name}: eigenvalues_[{i}]: got {g}, scikit-learn has {w}"
            );
        }
        let c = want.len();
        let check = |what: &str, got: &[f64]| {
            assert_close(&format!("{name}: {what}"), got, &flat(&case[what]), 1e-8);
        };
        let n_head = case["fit_transform_head"].as_array().unwrap().len();
        check(
            "eigenvectors_head",
            &kp.eigenvectors_().unwrap()[..n_head * c],
        );
        check("fit_transform_head", &z.to_vec()[..n_head * c]);
        check(
            "transform_test_head",
            &transform_via_trait(&kp, &head(&test, n_head)),
        );
        // The training rows through transform give the projections of fit_transform.
        let again = kp.transform(&head(&train, n_head)).unwrap().to_vec();
        assert_close(
            &format!("{name}: transform of training rows"),
            &again,
            &z.to_vec()[..n_head * c],
            1e-8,
        );
        if case["fit_inverse_transform"].as_bool() == Some(true) {
            let pre = kp.inverse_transform(&head(&z, n_head)).unwrap().to_vec();
            check("inverse_transform", &pre);
        }
    }
}

#[test]
fn kernel_pca_rejects_bad_parameters_and_input() {
    let (train, _) = kpca_split("iris");
    let fit_err = |kp: KernelPCA| kp.clone().fit(&train).map(|_| ()).unwrap_err();
    assert_parameter_error(fit_err(KernelPCA::new().n_components(0)), "n_components");
    assert_parameter_error(fit_err(KernelPCA::new().gamma(-1.0)), "gamma");
    assert_parameter_error(fit_err(KernelPCA::new().degree(-2.0)), "degree");
    assert_parameter_error(fit_err(KernelPCA::new().coef0(f64::INFINITY)), "coef0");
    assert_parameter_error(fit_err(KernelPCA::new().alpha(-0.5)), "alpha");
    let mut nan = train.to_vec();
    nan[5] = f64::NAN;
    let err = KernelPCA::new()
        .fit(&tensor2(nan, train.dims()[0]))
        .map(|_| ())
        .unwrap_err();
    assert!(
        matches!(err, Error::NonFinite { row: 1, col: 1, .. }),
        "{err}"
    );

    let unfitted = KernelPCA::new();
    assert!(unfitted.eigenvalues_().is_none() && unfitted.n_features_in_().is_none());
    let err = unfitted.transform(&train).unwrap_err();
    assert!(matches!(err, Error::NotFitted { .. }), "{err}");
    let mut kp = KernelPCA::new().kernel(KpcaKernel::Rbf).n_components(2);
    let z = kp.fit_transform(&train).unwrap();
    let narrow = tensor2(train.to_vec()[..3 * 10].to_vec(), 10);
    let err = kp.transform(&narrow).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { message, .. } if message.contains("4 features")),
        "{err}"
    );
    let err = kp.inverse_transform(&z).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { message, .. } if message.contains("fit_inverse_transform")),
        "{err}"
    );
}
