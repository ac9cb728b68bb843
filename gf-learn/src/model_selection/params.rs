//! Hyper-parameter candidates for a search: [`ParamGrid`] (scikit-learn's `ParameterGrid`),
//! [`ParamSampler`] (its `ParameterSampler`) and the [`Params`] of one candidate.
//!
//! A value can be of any type (`f64`, `usize`, an estimator's option enum such as
//! [`Kernel`](crate::svm::Kernel)): the grid keeps it type-erased and the estimator builder
//! reads it back with [`Params::get`], which names the parameter and both types when they
//! differ. So a search never goes through strings, and a wrong name or type is an `Err`, not a
//! silently ignored setting.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use gf_core::rng::Xoshiro256;

use crate::error::{Error, Result};

/// A hyper-parameter value a grid can hold: any `Clone + Debug` type that can cross threads.
pub trait ParamValue: Any + fmt::Debug + Send + Sync {
    /// `self` as [`Any`], to read the value back with its type.
    fn as_any(&self) -> &dyn Any;
    /// The name of the value's type, for error messages.
    fn type_name(&self) -> &'static str;
}

impl<V: Any + fmt::Debug + Send + Sync> ParamValue for V {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn type_name(&self) -> &'static str {
        std::any::type_name::<V>()
    }
}

/// One named value.
type Entry = (String, Arc<dyn ParamValue>);
/// One named list of values to try.
type Axis = (String, Vec<Arc<dyn ParamValue>>);

/// The hyper-parameters of one candidate, sorted by name.
#[derive(Clone, Debug, Default)]
pub struct Params {
    entries: Vec<Entry>,
}

impl Params {
    /// The value of `name`, as a `V`; an `Err` names the parameter when it is missing or holds
    /// another type.
    ///
    /// ```
    /// use gf_learn::model_selection::ParamGrid;
    ///
    /// let candidates = ParamGrid::new().param("alpha", [0.1, 1.0]).candidates().unwrap();
    /// assert_eq!(candidates[1].get::<f64>("alpha").unwrap(), 1.0);
    /// assert!(candidates[1].get::<usize>("alpha").is_err());
    /// assert!(candidates[1].get::<f64>("beta").is_err());
    /// ```
    pub fn get<V: Any + Clone>(&self, name: &str) -> Result<V> {
        let value = self
            .entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_ref())
            .ok_or_else(|| {
                Error::input(
                    "Params::get",
                    format!(
                        "no parameter '{name}' in this candidate (it has {})",
                        self.names().collect::<Vec<_>>().join(", ")
                    ),
                )
            })?;
        value.as_any().downcast_ref::<V>().cloned().ok_or_else(|| {
            Error::input(
                "Params::get",
                format!(
                    "parameter '{name}' holds a {}, not a {}",
                    value.type_name(),
                    std::any::type_name::<V>()
                ),
            )
        })
    }

    /// Whether this candidate sets `name` (a candidate from one of several joined grids may
    /// not).
    pub fn contains(&self, name: &str) -> bool {
        self.entries.iter().any(|(n, _)| n == name)
    }

    /// The parameter names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    /// The number of parameters.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no parameter (a grid of no parameter has one such candidate).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// `{alpha: 0.1, kernel: Rbf}`, as scikit-learn prints a candidate's dict.
impl fmt::Display for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (i, (name, value)) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{name}: {value:?}")?;
        }
        f.write_str("}")
    }
}

/// The values to try for each named hyper-parameter; the candidates are every combination, in
/// scikit-learn's `ParameterGrid` order (names sorted, the last name varying fastest). Several
/// grids joined with [`or`](Self::or) are searched one after the other, as scikit-learn's list
/// of dicts.
///
/// ```
/// use gf_learn::model_selection::ParamGrid;
///
/// let grid = ParamGrid::new().param("kernel", ["rbf", "poly"]).param("C", [1.0, 10.0]);
/// let names: Vec<String> = grid.candidates().unwrap().iter().map(|p| p.to_string()).collect();
/// assert_eq!(names[0], r#"{C: 1.0, kernel: "rbf"}"#);
/// assert_eq!(names[1], r#"{C: 1.0, kernel: "poly"}"#);
/// assert_eq!(grid.len(), 4);
/// ```
#[derive(Clone, Debug)]
pub struct ParamGrid {
    grids: Vec<Vec<Axis>>,
}

impl Default for ParamGrid {
    fn default() -> Self {
        Self::new()
    }
}

impl ParamGrid {
    /// A grid of no parameter: one candidate, the estimator as the builder makes it.
    pub fn new() -> Self {
        ParamGrid {
            grids: vec![Vec::new()],
        }
    }

    /// Adds (or replaces) the values to try for `name` in the last grid.
    pub fn param<V: ParamValue>(mut self, name: &str, values: impl IntoIterator<Item = V>) -> Self {
        let values: Vec<Arc<dyn ParamValue>> = values
            .into_iter()
            .map(|v| Arc::new(v) as Arc<dyn ParamValue>)
            .collect();
        let grid = self.grids.last_mut().expect("a ParamGrid has a grid");
        match grid.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = values,
            None => grid.push((name.to_string(), values)),
        }
        self
    }

    /// The candidates of `self` followed by those of `other`.
    pub fn or(mut self, other: ParamGrid) -> Self {
        self.grids.extend(other.grids);
        self
    }

    /// The number of candidates.
    pub fn len(&self) -> usize {
        self.grids
            .iter()
            .map(|g| g.iter().map(|(_, v)| v.len()).product::<usize>())
            .sum()
    }

    /// Whether there is no candidate (a parameter was given no value).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every candidate, in scikit-learn's order; an `Err` names a parameter given no value.
    pub fn candidates(&self) -> Result<Vec<Params>> {
        let mut out = Vec::with_capacity(self.len());
        for grid in &self.grids {
            let mut grid: Vec<_> = grid.iter().collect();
            grid.sort_by(|a, b| a.0.cmp(&b.0));
            if let Some((name, _)) = grid.iter().find(|(_, v)| v.is_empty()) {
                return Err(Error::input(
                    "ParamGrid",
                    format!("parameter '{name}' needs a non-empty list of values"),
                ));
            }
            // Odometer over the value lists, the last name turning fastest.
            let mut at = vec![0usize; grid.len()];
            loop {
                let entries = grid
                    .iter()
                    .zip(&at)
                    .map(|((name, values), &i)| (name.clone(), Arc::clone(&values[i])))
                    .collect();
                out.push(Params { entries });
                let Some(k) = (0..grid.len()).rev().find(|&k| at[k] + 1 < grid[k].1.len()) else {
                    break;
                };
                at[k] += 1;
                at[k + 1..].iter_mut().for_each(|i| *i = 0);
            }
        }
        Ok(out)
    }
}

/// Where a search's candidates come from: a [`ParamGrid`] (every combination) or a
/// [`ParamSampler`] (random draws).
pub trait Candidates: fmt::Debug {
    /// The search's name in messages (`"GridSearchCV"`).
    const SEARCH: &'static str;

    /// The candidates, in the order they are reported.
    fn candidates(&self) -> Result<Vec<Params>>;
}

impl Candidates for ParamGrid {
    const SEARCH: &'static str = "GridSearchCV";

    fn candidates(&self) -> Result<Vec<Params>> {
        ParamGrid::candidates(self)
    }
}

/// A continuous or integer distribution to draw a hyper-parameter from (scipy.stats' `uniform`,
/// `loguniform` and `randint`, as scikit-learn's `RandomizedSearchCV` takes them).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Distribution {
    /// An `f64` uniform on `[low, high)`.
    Uniform {
        /// The lower end.
        low: f64,
        /// The upper end.
        high: f64,
    },
    /// An `f64` whose logarithm is uniform: `exp(uniform(ln low, ln high))`, for scales such as
    /// `C` or `alpha`; `0 < low < high`.
    LogUniform {
        /// The lower end.
        low: f64,
        /// The upper end.
        high: f64,
    },
    /// A `usize` uniform on `low..high` (high excluded, as `randint`).
    IntRange {
        /// The smallest value.
        low: usize,
        /// One past the largest value.
        high: usize,
    },
}

impl Distribution {
    /// `Err` naming `name` unless the bounds make a distribution.
    fn check(&self, name: &str) -> Result<()> {
        let ok = match *self {
            Distribution::Uniform { low, high } => {
                low.is_finite() && high.is_finite() && low < high
            }
            Distribution::LogUniform { low, high } => low > 0.0 && high.is_finite() && low < high,
            Distribution::IntRange { low, high } => low < high,
        };
        if ok {
            Ok(())
        } else {
            Err(Error::input(
                "ParamSampler",
                format!("parameter '{name}' has an empty or invalid range: {self:?}"),
            ))
        }
    }

    fn draw(&self, rng: &mut Xoshiro256) -> Arc<dyn ParamValue> {
        match *self {
            Distribution::Uniform { low, high } => Arc::new(rng.uniform(low, high)),
            Distribution::LogUniform { low, high } => {
                Arc::new(rng.uniform(low.ln(), high.ln()).exp())
            }
            Distribution::IntRange { low, high } => {
                Arc::new(low + rng.below((high - low) as u64) as usize)
            }
        }
    }
}

/// What one parameter of a [`ParamSampler`] is drawn from.
#[derive(Clone, Debug)]
enum Source {
    List(Vec<Arc<dyn ParamValue>>),
    Dist(Distribution),
}

/// `n_iter` random candidates, as scikit-learn's `ParameterSampler`: when every parameter is a
/// list, `n_iter` distinct combinations of the grid (all of them if the grid is smaller);
/// otherwise each candidate draws every parameter independently, a list uniformly, a
/// [`Distribution`] from itself. The draws come from GhostFlow's seeded generator, so they
/// repeat for a `random_state` but are not numpy's.
///
/// ```
/// use gf_learn::model_selection::{Distribution, ParamSampler};
///
/// let sampler = ParamSampler::new(8)
///     .param("kernel", ["rbf", "linear"])
///     .distribution("C", Distribution::LogUniform { low: 1e-2, high: 1e2 })
///     .random_state(3);
/// let candidates = sampler.candidates().unwrap();
/// assert_eq!(candidates.len(), 8);
/// assert!(candidates.iter().all(|p| (1e-2..1e2).contains(&p.get::<f64>("C").unwrap())));
/// ```
#[derive(Clone, Debug)]
pub struct ParamSampler {
    params: Vec<(String, Source)>,
    n_iter: usize,
    random_state: u64,
}

impl ParamSampler {
    /// `n_iter` candidates (scikit-learn's default is 10), `random_state = 0`.
    pub fn new(n_iter: usize) -> Self {
        ParamSampler {
            params: Vec::new(),
            n_iter,
            random_state: 0,
        }
    }

    /// Draws `name` uniformly from `values` (adds it, or replaces its source).
    pub fn param<V: ParamValue>(self, name: &str, values: impl IntoIterator<Item = V>) -> Self {
        let values = values
            .into_iter()
            .map(|v| Arc::new(v) as Arc<dyn ParamValue>)
            .collect();
        self.source(name, Source::List(values))
    }

    /// Draws `name` from `distribution`.
    pub fn distribution(self, name: &str, distribution: Distribution) -> Self {
        self.source(name, Source::Dist(distribution))
    }

    /// The seed of the draws.
    pub fn random_state(mut self, random_state: u64) -> Self {
        self.random_state = random_state;
        self
    }

    fn source(mut self, name: &str, source: Source) -> Self {
        match self.params.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = source,
            None => self.params.push((name.to_string(), source)),
        }
        self
    }

    /// The candidates; an `Err` names a parameter with no value or an invalid range, or
    /// `n_iter = 0`.
    pub fn candidates(&self) -> Result<Vec<Params>> {
        if self.n_iter == 0 {
            return Err(Error::parameter(
                "RandomizedSearchCV",
                "n_iter",
                "an int in [1, inf)",
                0,
            ));
        }
        let mut params: Vec<&(String, Source)> = self.params.iter().collect();
        params.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, source) in &params {
            match source {
                Source::List(v) if v.is_empty() => {
                    return Err(Error::input(
                        "ParamSampler",
                        format!("parameter '{name}' needs a non-empty list of values"),
                    ))
                }
                Source::Dist(d) => d.check(name)?,
                Source::List(_) => {}
            }
        }
        let mut rng = Xoshiro256::new(self.random_state);
        let lists: Option<Vec<Axis>> = params
            .iter()
            .map(|(name, source)| match source {
                Source::List(v) => Some((name.clone(), v.clone())),
                Source::Dist(_) => None,
            })
            .collect();
        if let Some(lists) = lists {
            // A grid: distinct combinations, in the order drawn.
            let grid = ParamGrid { grids: vec![lists] }.candidates()?;
            let mut order = rng.permutation(grid.len());
            order.truncate(self.n_iter);
            return Ok(order.into_iter().map(|i| grid[i].clone()).collect());
        }
        Ok((0..self.n_iter)
            .map(|_| {
                let entries = params
                    .iter()
                    .map(|(name, source)| {
                        let value = match source {
                            Source::List(v) => Arc::clone(&v[rng.below(v.len() as u64) as usize]),
                            Source::Dist(d) => d.draw(&mut rng),
                        };
                        (name.clone(), value)
                    })
                    .collect();
                Params { entries }
            })
            .collect())
    }
}

impl Candidates for ParamSampler {
    const SEARCH: &'static str = "RandomizedSearchCV";

    fn candidates(&self) -> Result<Vec<Params>> {
        ParamSampler::candidates(self)
    }
}
