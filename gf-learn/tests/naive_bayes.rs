//! Naive Bayes against scikit-learn (`fixtures/naive_bayes.json`): fitted parameters and
//! probabilities agree to 1e-10, predictions exactly.

mod common;

use common::*;
use gf_learn::naive_bayes::{BernoulliNB, GaussianNB, MultinomialNB};
use gf_learn::prelude::*;

#[test]
fn gaussian_nb_matches_scikit_learn_on_iris_and_wine() {
    let fx = read_json("naive_bayes.json");
    for name in ["iris", "wine"] {
        let want = &fx[format!("gaussian_{name}")];
        let (x, y) = classification(name);
        let mut nb = GaussianNB::new();
        nb.fit(&x, &y).unwrap();
        assert_close(name, nb.theta_().unwrap(), &matrix(&want["theta"]).1, 1e-12);
        assert_close(name, nb.var_().unwrap(), &matrix(&want["var"]).1, 1e-12);
        assert_close(
            name,
            nb.class_prior_().unwrap(),
            &floats(&want["class_prior"]),
            1e-15,
        );
        let (rows, proba) = matrix(&want["proba"]);
        let got = nb.predict_proba(&head(&x, rows)).unwrap().to_vec();
        assert_close(name, &got, &proba, 1e-10);
        assert_eq!(
            nb.predict(&x).unwrap().to_vec(),
            usizes(&want["predict"]),
            "{name}"
        );
    }
}

#[test]
fn discrete_nb_match_scikit_learn_on_counts() {
    let fx = read_json("naive_bayes.json");
    let data = &fx["multinomial"];
    let (rows, xs) = matrix(&data["x"]);
    let (x, y) = (tensor2(xs, rows), tensor1(usizes(&data["y"])));

    let mut mnb = MultinomialNB::new().alpha(0.5);
    mnb.fit(&x, &y).unwrap();
    let flp = mnb.feature_log_prob_().unwrap();
    assert_close(
        "multinomial flp",
        &flp,
        &matrix(&data["feature_log_prob"]).1,
        1e-12,
    );
    let clp = mnb.class_log_prior_().unwrap();
    assert_close(
        "multinomial prior",
        &clp,
        &floats(&data["class_log_prior"]),
        1e-12,
    );
    let proba = mnb.predict_proba(&x).unwrap().to_vec();
    assert_close(
        "multinomial proba",
        &proba,
        &matrix(&data["proba"]).1,
        1e-10,
    );

    let want = &fx["bernoulli"];
    let mut bnb = BernoulliNB::new().binarize(Some(1.5));
    bnb.fit(&x, &y).unwrap();
    let flp = bnb.feature_log_prob_().unwrap();
    assert_close(
        "bernoulli flp",
        &flp,
        &matrix(&want["feature_log_prob"]).1,
        1e-12,
    );
    let proba = bnb.predict_proba(&x).unwrap().to_vec();
    assert_close("bernoulli proba", &proba, &matrix(&want["proba"]).1, 1e-10);
}

#[test]
fn partial_fit_in_batches_equals_one_fit() {
    let fx = read_json("naive_bayes.json");
    let data = &fx["multinomial"];
    let (rows, xs) = matrix(&data["x"]);
    let labels = usizes(&data["y"]);
    let cols = xs.len() / rows;
    let mut whole = MultinomialNB::new();
    whole
        .fit(&tensor2(xs.clone(), rows), &tensor1(labels.clone()))
        .unwrap();
    let mut parts = MultinomialNB::new();
    for (chunk, ys) in xs.chunks(10 * cols).zip(labels.chunks(10)) {
        let n = ys.len();
        parts
            .partial_fit(
                &tensor2(chunk.to_vec(), n),
                &tensor1(ys.to_vec()),
                Some(&[0, 1, 2]),
            )
            .unwrap();
    }
    assert_eq!(whole.feature_count_(), parts.feature_count_());
    assert_eq!(whole.class_count_(), parts.class_count_());
    // A label outside the classes fixed by the first call is an error.
    let err = parts
        .partial_fit(&tensor2(vec![1.0; cols], 1), &tensor1(vec![7]), None)
        .unwrap_err();
    assert!(err.to_string().contains("label 7"), "{err}");
}

#[test]
fn multinomial_nb_rejects_negative_counts() {
    let x = tensor2(vec![1.0, -1.0, 2.0, 0.0], 2);
    let err = MultinomialNB::new()
        .fit(&x, &tensor1(vec![0usize, 1]))
        .unwrap_err();
    assert!(err.to_string().contains("row 0, column 1"), "{err}");
}
