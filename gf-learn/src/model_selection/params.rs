//! Hyper-parameter candidates for a search: [`ParamGrid`] (scikit-learn's `ParameterGrid`) and
//! the [`Params`] of one candidate.
//!
//! A value can be of any type (`f64`, `usize`, an estimator's option enum such as
//! [`Kernel`](crate::svm::Kernel)): the grid keeps it type-erased and the estimator builder
//! reads it back with [`Params::get`], which names the parameter and both types when they
//! differ. So a search never goes through strings, and a wrong name or type is an `Err`, not a
//! silently ignored setting.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

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
