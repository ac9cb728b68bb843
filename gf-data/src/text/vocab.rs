//! [`Vocab`]: the two-way map between tokens and ids, with special tokens first, built from
//! counted tokens like torchtext's `build_vocab_from_iterator`.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::SpecialIds;
use crate::error::{Error, Result};

/// The special tokens of a vocabulary. They get the first ids, in the order pad, unk, bos, eos,
/// then `additional`; a role set to `None` has no token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialTokens {
    /// Fills the end of short sequences in a batch (`<pad>`).
    pub pad: Option<String>,
    /// Stands for every token that is not in the vocabulary (`<unk>`).
    pub unk: Option<String>,
    /// Marks the beginning of a sequence (`<bos>`).
    pub bos: Option<String>,
    /// Marks the end of a sequence (`<eos>`).
    pub eos: Option<String>,
    /// More special tokens (`<mask>`, `<sep>`, ...), after the four roles.
    #[serde(default)]
    pub additional: Vec<String>,
}

impl Default for SpecialTokens {
    /// `<pad>` = 0, `<unk>` = 1, `<bos>` = 2, `<eos>` = 3.
    fn default() -> Self {
        SpecialTokens {
            pad: Some("<pad>".into()),
            unk: Some("<unk>".into()),
            bos: Some("<bos>".into()),
            eos: Some("<eos>".into()),
            additional: Vec::new(),
        }
    }
}

impl SpecialTokens {
    /// No special tokens at all.
    pub fn none() -> Self {
        SpecialTokens {
            pad: None,
            unk: None,
            bos: None,
            eos: None,
            additional: Vec::new(),
        }
    }

    /// The special tokens in id order, without repeats.
    pub fn in_order(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let roles = [&self.pad, &self.unk, &self.bos, &self.eos];
        for t in roles
            .into_iter()
            .flatten()
            .map(String::as_str)
            .chain(self.additional.iter().map(String::as_str))
        {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }
}

/// How [`Vocab::from_counts`] and [`Vocab::build`] choose tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VocabOptions {
    /// Tokens seen fewer times are left out (torchtext's `min_freq`, default 1).
    pub min_freq: usize,
    /// The largest vocabulary, special tokens included (torchtext's `max_tokens`); the most
    /// frequent tokens are kept. `None` keeps them all.
    pub max_size: Option<usize>,
    /// The special tokens, given the first ids.
    pub specials: SpecialTokens,
}

impl Default for VocabOptions {
    fn default() -> Self {
        VocabOptions {
            min_freq: 1,
            max_size: None,
            specials: SpecialTokens::default(),
        }
    }
}

/// Tokens and their ids: special tokens first, then the others by falling frequency (ties in
/// string order, so a vocabulary built twice is the same).
///
/// ```
/// use gf_data::text::{Vocab, VocabOptions};
/// let words = "the cat and the hat".split(' ');
/// let vocab = Vocab::build(words, &VocabOptions::default()).unwrap();
/// assert_eq!(vocab.token_to_id("<pad>"), Some(0));
/// assert_eq!(vocab.token_to_id("the"), Some(4)); // most frequent after the 4 specials
/// assert_eq!(vocab.lookup("dog"), vocab.token_to_id("<unk>"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vocab {
    tokens: Vec<String>,
    ids: HashMap<String, usize>,
    specials: SpecialTokens,
}

/// What [`Vocab::save`] writes.
#[derive(Serialize, Deserialize)]
struct VocabFile {
    specials: SpecialTokens,
    tokens: Vec<String>,
}

impl Vocab {
    /// A vocabulary of `specials` followed by `tokens`, in that order. `Err` if a token repeats
    /// (a token equal to a special token is a repeat).
    pub fn new(tokens: Vec<String>, specials: SpecialTokens) -> Result<Self> {
        let mut all: Vec<String> = specials.in_order().into_iter().map(String::from).collect();
        all.extend(tokens);
        let mut ids = HashMap::with_capacity(all.len());
        for (i, t) in all.iter().enumerate() {
            if let Some(first) = ids.insert(t.clone(), i) {
                return Err(Error::argument(
                    "Vocab::new",
                    format!("the token {t:?} appears twice, as ids {first} and {i}"),
                ));
            }
        }
        Ok(Vocab {
            tokens: all,
            ids,
            specials,
        })
    }

    /// A vocabulary from `(token, count)` pairs (a token listed twice has its counts added):
    /// tokens seen at least `min_freq` times, most frequent first, cut at `max_size`.
    /// `Err` if `max_size` is smaller than the number of special tokens.
    pub fn from_counts<S: Into<String>>(
        counts: impl IntoIterator<Item = (S, usize)>,
        options: &VocabOptions,
    ) -> Result<Self> {
        let specials = options.specials.in_order();
        if let Some(max) = options.max_size {
            if max < specials.len() {
                return Err(Error::argument(
                    "Vocab::from_counts",
                    format!(
                        "max_size {max} leaves no room for the {} special tokens",
                        specials.len()
                    ),
                ));
            }
        }
        let mut merged: HashMap<String, usize> = HashMap::new();
        for (t, c) in counts {
            *merged.entry(t.into()).or_default() += c;
        }
        let mut sorted: Vec<(String, usize)> = merged
            .into_iter()
            .filter(|(t, c)| *c >= options.min_freq && !specials.contains(&t.as_str()))
            .collect();
        sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if let Some(max) = options.max_size {
            sorted.truncate(max - specials.len());
        }
        Vocab::new(
            sorted.into_iter().map(|(t, _)| t).collect(),
            options.specials.clone(),
        )
    }

    /// Counts `tokens` and builds the vocabulary as [`Vocab::from_counts`] does.
    pub fn build<S: AsRef<str>>(
        tokens: impl IntoIterator<Item = S>,
        options: &VocabOptions,
    ) -> Result<Self> {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for t in tokens {
            let t = t.as_ref();
            if let Some(c) = counts.get_mut(t) {
                *c += 1;
            } else {
                counts.insert(t.to_owned(), 1);
            }
        }
        Vocab::from_counts(counts, options)
    }

    /// The number of tokens, special tokens included.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether the vocabulary has no tokens at all.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The id of `token`, if it is in the vocabulary.
    pub fn token_to_id(&self, token: &str) -> Option<usize> {
        self.ids.get(token).copied()
    }

    /// The token of `id`, if there is one.
    pub fn id_to_token(&self, id: usize) -> Option<&str> {
        self.tokens.get(id).map(String::as_str)
    }

    /// The id of `token`, or the unknown token's id when it is not in the vocabulary; `None`
    /// only when it is not and there is no unknown token.
    pub fn lookup(&self, token: &str) -> Option<usize> {
        self.token_to_id(token).or_else(|| self.special_ids().unk)
    }

    /// The ids of `tokens`, each as [`Vocab::lookup`] gives it; `Err` names the first token that
    /// has no id.
    pub fn lookup_all<S: AsRef<str>>(&self, tokens: &[S]) -> Result<Vec<usize>> {
        tokens
            .iter()
            .map(|t| {
                self.lookup(t.as_ref()).ok_or_else(|| {
                    Error::argument(
                        "Vocab::lookup_all",
                        format!(
                            "{:?} is not in the vocabulary, which has no unknown token",
                            t.as_ref()
                        ),
                    )
                })
            })
            .collect()
    }

    /// Every token, in id order.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// The special tokens.
    pub fn specials(&self) -> &SpecialTokens {
        &self.specials
    }

    /// The ids of the special roles.
    pub fn special_ids(&self) -> SpecialIds {
        let id = |t: &Option<String>| t.as_deref().and_then(|t| self.token_to_id(t));
        SpecialIds {
            pad: id(&self.specials.pad),
            unk: id(&self.specials.unk),
            bos: id(&self.specials.bos),
            eos: id(&self.specials.eos),
        }
    }

    /// Whether `id` is one of the special tokens (roles or additional).
    pub fn is_special(&self, id: usize) -> bool {
        id < self.specials.in_order().len()
    }

    /// The vocabulary as JSON: `{"specials": {...}, "tokens": [...]}`, tokens in id order.
    pub fn to_json(&self) -> String {
        let n = self.specials.in_order().len();
        let file = VocabFile {
            specials: self.specials.clone(),
            tokens: self.tokens[n..].to_vec(),
        };
        // Strings and a struct of strings always serialize.
        serde_json::to_string_pretty(&file).unwrap_or_default()
    }

    /// Reads what [`Vocab::to_json`] wrote; `path` names the source in errors.
    pub fn from_json(json: &str, path: impl AsRef<Path>) -> Result<Self> {
        let file: VocabFile = serde_json::from_str(json).map_err(|e| {
            Error::format(
                path.as_ref(),
                format!("line {}, column {}", e.line(), e.column()),
                format!("not a vocabulary file: {e}"),
            )
        })?;
        Vocab::new(file.tokens, file.specials)
            .map_err(|e| Error::format(path.as_ref(), "key tokens", format!("bad vocabulary: {e}")))
    }

    /// Writes the vocabulary to `path` as JSON.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        std::fs::write(path.as_ref(), self.to_json()).map_err(|e| Error::io(path.as_ref(), e))
    }

    /// Reads a vocabulary written by [`Vocab::save`].
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Vocab::from_json(&text, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specials_come_first_then_frequency_then_string_order() {
        let v = Vocab::from_counts(
            [
                ("b", 2),
                ("a", 2),
                ("c", 5),
                ("rare", 1),
                ("a", 1),
                ("b", 1),
            ],
            &VocabOptions {
                min_freq: 2,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            v.tokens(),
            ["<pad>", "<unk>", "<bos>", "<eos>", "c", "a", "b"]
        );
        assert_eq!(v.lookup("rare"), Some(1));
        assert_eq!(
            v.special_ids(),
            SpecialIds {
                pad: Some(0),
                unk: Some(1),
                bos: Some(2),
                eos: Some(3)
            }
        );
        assert!(v.is_special(3) && !v.is_special(4));
    }

    #[test]
    fn max_size_counts_the_specials_and_specials_are_not_counted_twice() {
        let opts = VocabOptions {
            max_size: Some(5),
            specials: SpecialTokens {
                additional: vec!["<mask>".into()],
                ..SpecialTokens::none()
            },
            ..Default::default()
        };
        let v = Vocab::build(["x", "y", "y", "<mask>", "z", "z", "z"], &opts).unwrap();
        assert_eq!(v.tokens(), ["<mask>", "z", "y", "x"]);
        assert_eq!(v.lookup("w"), None);
        assert!(v.lookup_all(&["z", "w"]).is_err());
        let opts = VocabOptions {
            max_size: Some(2),
            ..Default::default()
        };
        assert!(Vocab::build(["x"], &opts).is_err());
    }

    #[test]
    fn json_round_trip_and_errors_name_the_place() {
        let v = Vocab::build("a b b c".split(' '), &VocabOptions::default()).unwrap();
        let back = Vocab::from_json(&v.to_json(), "v.json").unwrap();
        assert_eq!(back, v);
        let e = Vocab::from_json("{\"tokens\": [1]}", "v.json").unwrap_err();
        assert!(e.to_string().starts_with("v.json: line 1, column"), "{e}");
        let e = Vocab::new(vec!["<pad>".into()], SpecialTokens::default()).unwrap_err();
        assert!(e.to_string().contains("twice"), "{e}");
    }
}
