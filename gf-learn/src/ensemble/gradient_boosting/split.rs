//! The validation split of early stopping: scikit-learn's
//! `train_test_split(X, y, sample_weight, random_state=random_state,
//! test_size=validation_fraction, stratify=y if classifier else None)`, drawn from numpy's
//! legacy `RandomState` exactly as `ShuffleSplit` and `StratifiedShuffleSplit` draw it, so the
//! same seed holds out the same samples, in the same order, as scikit-learn.
//!
//! (`model_selection::train_test_split` follows scikit-learn's sizes but draws from GhostFlow's
//! own generator, which would hold out other samples.)

use crate::error::{Error, Result};
use crate::model_selection::split::approximate_mode;
use crate::tree::numpy_random::NumpyRandom;

/// The training and validation rows (in scikit-learn's order) of `n` samples, holding out
/// `ceil(fraction * n)`; stratified by the class codes `strata` (`0..n_classes`) when given.
pub(crate) fn validation_split(
    op: &'static str,
    n: usize,
    fraction: f64,
    strata: Option<(&[usize], usize)>,
    seed: u32,
) -> Result<(Vec<usize>, Vec<usize>)> {
    let n_test = (fraction * n as f64).ceil() as usize;
    let n_train = n.saturating_sub(n_test);
    if n_train == 0 || n_test == 0 {
        return Err(Error::input(
            op,
            format!(
                "with n_samples={n} and validation_fraction={fraction}, the training or the validation set would be empty"
            ),
        ));
    }
    let mut rng = NumpyRandom::new(seed);
    let Some((codes, n_classes)) = strata else {
        let perm = rng.permutation(n);
        return Ok((perm[n_test..].to_vec(), perm[..n_test].to_vec()));
    };
    let mut class_indices: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
    for (i, &c) in codes.iter().enumerate() {
        class_indices[c].push(i);
    }
    let counts: Vec<usize> = class_indices.iter().map(Vec::len).collect();
    if counts.iter().any(|&c| c < 2) {
        return Err(Error::input(
            op,
            "the least populated class in y has only 1 member, too few for the stratified validation split of early stopping",
        ));
    }
    if n_train < n_classes || n_test < n_classes {
        return Err(Error::input(
            op,
            format!(
                "the validation split ({n_train} training, {n_test} validation samples) must hold at least one sample of each of the {n_classes} classes"
            ),
        ));
    }
    let n_i = approximate_mode(&counts, n_train, |v| permute(v, &mut rng));
    let remaining: Vec<usize> = counts.iter().zip(&n_i).map(|(c, t)| c - t).collect();
    let t_i = approximate_mode(&remaining, n_test, |v| permute(v, &mut rng));
    let (mut train, mut test) = (Vec::with_capacity(n_train), Vec::with_capacity(n_test));
    for (k, indices) in class_indices.iter().enumerate() {
        let mut shuffled = indices.clone();
        permute(&mut shuffled, &mut rng);
        train.extend_from_slice(&shuffled[..n_i[k]]);
        test.extend_from_slice(&shuffled[n_i[k]..n_i[k] + t_i[k]]);
    }
    permute(&mut train, &mut rng);
    permute(&mut test, &mut rng);
    Ok((train, test))
}

/// numpy's `rng.permutation(v)` (and `rng.choice(v, len, replace=False)`), in place: `v` in the
/// order of `rng.permutation(len)`, which shuffles with the same swaps.
fn permute(v: &mut Vec<usize>, rng: &mut NumpyRandom) {
    *v = rng.permutation(v.len()).iter().map(|&p| v[p]).collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_matches_numpy() {
        // sklearn: train_test_split(np.arange(10), test_size=0.3, random_state=0)
        // -> train [9 1 6 7 3 0 5], test [2 8 4].
        let (train, test) = validation_split("t", 10, 0.3, None, 0).unwrap();
        assert_eq!(test, vec![2, 8, 4]);
        assert_eq!(train, vec![9, 1, 6, 7, 3, 0, 5]);
    }

    #[test]
    fn stratified_split_matches_numpy() {
        let codes = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2];
        // sklearn: the same with stratify=codes, random_state=1.
        let (train, test) = validation_split("t", 10, 0.3, Some((&codes, 3)), 1).unwrap();
        assert_eq!(train, vec![0, 4, 6, 5, 2, 8, 1]);
        assert_eq!(test, vec![3, 7, 9]);
    }
}
