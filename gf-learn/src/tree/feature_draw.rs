//! The order in which a node's split search visits features, drawn exactly as scikit-learn's
//! `BestSplitter` draws it, so that `random_state = s` gives scikit-learn's tree for
//! `random_state=s` even where two features tie (breast cancer's radius, perimeter and area
//! columns split the samples identically at many nodes).
//!
//! scikit-learn seeds a 32-bit xorshift generator (`our_rand_r`) with
//! `RandomState(s).randint(0, 2**31 - 1)` (numpy's MT19937) and keeps one `features`
//! permutation for the whole tree, updated in place by a partial Fisher-Yates shuffle at every
//! node, with the features found constant in a node moved to the front for its descendants.

use super::numpy_random::RandomState;

/// `RAND_R_MAX` of scikit-learn's `_random.pxd`.
const RAND_R_MAX: u32 = 0x7FFF_FFFF;

/// scikit-learn's splitter generator: a 32-bit xorshift (`our_rand_r`).
pub(crate) struct RandR {
    state: u32,
}

impl RandR {
    /// `our_rand_r`: the next value in `[0, RAND_R_MAX]`.
    fn next(&mut self) -> u32 {
        if self.state == 0 {
            self.state = 1;
        }
        self.state ^= self.state << 13;
        self.state ^= self.state >> 17;
        self.state ^= self.state << 5;
        self.state % (RAND_R_MAX + 1)
    }

    /// `rand_int(low, high)`: an integer in `[low, high)`.
    fn rand_int(&mut self, low: usize, high: usize) -> usize {
        low + self.next() as usize % (high - low)
    }

    /// `rand_uniform(low, high)`: a float in `[low, high]`, as scikit-learn rounds it.
    pub(crate) fn rand_uniform(&mut self, low: f64, high: f64) -> f64 {
        (high - low) * f64::from(self.next()) / f64::from(RAND_R_MAX) + low
    }
}

/// The seed of a tree's splitter: one draw from the tree's `random_state` stream (a fresh
/// `RandomState(seed)` for an integer seed, the booster's shared stream in gradient boosting).
pub(crate) fn splitter_seed(random_state: &mut RandomState) -> u32 {
    random_state.randint(u64::from(RAND_R_MAX))
}

/// The feature permutation and generator state of one tree's split searches.
pub(crate) struct FeatureDraw {
    features: Vec<usize>,
    constant_features: Vec<usize>,
    rng: RandR,
}

impl FeatureDraw {
    /// The state scikit-learn's splitter starts a tree with, from its [`splitter_seed`].
    pub(crate) fn new(n_features: usize, splitter_seed: u32) -> Self {
        FeatureDraw {
            features: (0..n_features).collect(),
            constant_features: vec![0; n_features],
            rng: RandR {
                state: splitter_seed,
            },
        }
    }

    /// Visits features for one node as `node_split_best` and `node_split_random` do:
    /// `evaluate(f, rng)` scores feature `f` (drawing a threshold from `rng` if it needs one)
    /// and returns `false` if it is constant in the node. Stops after `max_features`
    /// features (more while all drawn ones were constant). `n_known_constants` is the count
    /// the parent passed down; the return value is the count for this node's children.
    pub(crate) fn visit(
        &mut self,
        n_known_constants: usize,
        max_features: usize,
        mut evaluate: impl FnMut(usize, &mut RandR) -> bool,
    ) -> usize {
        let n_features = self.features.len();
        let mut f_i = n_features;
        let (mut n_visited, mut n_found_constants, mut n_drawn_constants) = (0, 0, 0);
        let mut n_total_constants = n_known_constants;
        while f_i > n_total_constants
            && (n_visited < max_features || n_visited <= n_found_constants + n_drawn_constants)
        {
            n_visited += 1;
            let mut f_j = self
                .rng
                .rand_int(n_drawn_constants, f_i - n_found_constants);
            if f_j < n_known_constants {
                self.features.swap(n_drawn_constants, f_j);
                n_drawn_constants += 1;
                continue;
            }
            f_j += n_found_constants;
            if !evaluate(self.features[f_j], &mut self.rng) {
                self.features.swap(f_j, n_total_constants);
                n_found_constants += 1;
                n_total_constants += 1;
                continue;
            }
            f_i -= 1;
            self.features.swap(f_i, f_j);
        }
        // Known constants keep their order for siblings and descendants; new ones are added.
        self.features[..n_known_constants]
            .copy_from_slice(&self.constant_features[..n_known_constants]);
        self.constant_features[n_known_constants..n_total_constants]
            .copy_from_slice(&self.features[n_known_constants..n_total_constants]);
        n_total_constants
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_is_numpys_first_randint() {
        // numpy: RandomState(7).randint(0, 2**31 - 1).
        assert_eq!(
            FeatureDraw::new(3, splitter_seed(&mut RandomState::new(7)))
                .rng
                .state,
            327_741_615
        );
    }

    #[test]
    fn every_feature_is_visited_once_without_max_features() {
        let mut d = FeatureDraw::new(10, splitter_seed(&mut RandomState::new(3)));
        let mut seen = Vec::new();
        assert_eq!(
            d.visit(0, 10, |f, _| {
                seen.push(f);
                f != 4
            }),
            1
        );
        seen.sort_unstable();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
        // Feature 4 is now a known constant and is never evaluated again.
        let mut again = Vec::new();
        d.visit(1, 10, |f, _| {
            again.push(f);
            true
        });
        assert_eq!(again.len(), 9);
        assert!(!again.contains(&4));
    }
}
