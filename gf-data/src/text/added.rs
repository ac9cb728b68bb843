//! Added tokens, shared by the tokenizers that read HuggingFace's `tokenizer.json`: the
//! token type, matching them in text, reading them from the file, and the names that give the
//! special roles.

use std::collections::HashMap;

use serde_json::Value;

use super::json::{quote, Keys};
use super::SpecialIds;
use crate::error::Error;

/// A token matched in the text before the model sees it, as HuggingFace's `AddedToken`:
/// special tokens such as `<|endoftext|>` or `[CLS]` and any token added by hand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddedToken {
    /// Its id.
    pub id: usize,
    /// Its text.
    pub content: String,
    /// Whether it is a special token (skipped by `decode_skip_special`).
    pub special: bool,
    /// Matched only as a whole word, not inside one.
    pub single_word: bool,
    /// Also takes the whitespace on its left.
    pub lstrip: bool,
    /// Also takes the whitespace on its right.
    pub rstrip: bool,
    /// Matched in the normalized text, its content normalized too (only tokenizers with a
    /// normalizer, such as [`WordPieceTokenizer`](super::WordPieceTokenizer), differ);
    /// otherwise matched in the raw text.
    pub normalized: bool,
}

impl AddedToken {
    /// A special token as HuggingFace's trainers add them: matched exactly, not normalized.
    pub fn special(id: usize, content: impl Into<String>) -> Self {
        AddedToken {
            id,
            content: content.into(),
            special: true,
            single_word: false,
            lstrip: false,
            rstrip: false,
            normalized: false,
        }
    }
}

/// The default names looked up for each special role.
pub(super) const PAD_NAMES: &[&str] = &["<pad>", "[PAD]", "<|pad|>", "<|padding|>"];
pub(super) const UNK_NAMES: &[&str] = &["<unk>", "[UNK]", "<|unk|>"];
pub(super) const BOS_NAMES: &[&str] = &[
    "<bos>",
    "<s>",
    "[CLS]",
    "<|startoftext|>",
    "<|begin_of_text|>",
];
pub(super) const EOS_NAMES: &[&str] =
    &["<eos>", "</s>", "[SEP]", "<|endoftext|>", "<|end_of_text|>"];

/// A piece of text cut by [`AddedMatcher::split`].
pub(super) enum Segment<'a> {
    /// Text between added tokens.
    Text(&'a str),
    /// The id of an added token.
    Added(usize),
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Finds added tokens in text, leftmost and then longest first, as HuggingFace's
/// `AddedVocabulary` does with its leftmost-longest automaton.
#[derive(Clone, Debug, Default)]
pub(super) struct AddedMatcher {
    /// The text matched and the token, longest pattern first (ties in the given order).
    patterns: Vec<(String, AddedToken)>,
}

impl AddedMatcher {
    /// A matcher for `tokens`, each matched as its pattern (its content, or its normalized
    /// content); empty patterns are left out.
    pub(super) fn new(tokens: impl IntoIterator<Item = (String, AddedToken)>) -> Self {
        let mut patterns: Vec<(String, AddedToken)> =
            tokens.into_iter().filter(|(p, _)| !p.is_empty()).collect();
        patterns.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        AddedMatcher { patterns }
    }

    /// Cuts `text` into added tokens and the text between them, honouring `single_word`,
    /// `lstrip` and `rstrip`.
    pub(super) fn split<'a>(&self, text: &'a str) -> Vec<Segment<'a>> {
        if self.patterns.is_empty() {
            return vec![Segment::Text(text)];
        }
        let mut out = Vec::new();
        let mut seg_start = 0;
        let mut pos = 0;
        while pos < text.len() {
            let rest = &text[pos..];
            let found = self.patterns.iter().find(|(p, t)| {
                rest.starts_with(p.as_str())
                    && (!t.single_word
                        || (!text[..pos].chars().next_back().is_some_and(is_word_char)
                            && !text[pos + p.len()..]
                                .chars()
                                .next()
                                .is_some_and(is_word_char)))
            });
            match found {
                Some((p, t)) => {
                    let mut before = &text[seg_start..pos];
                    if t.lstrip {
                        before = before.trim_end();
                    }
                    let mut end = pos + p.len();
                    if t.rstrip {
                        let after = &text[end..];
                        end += after.len() - after.trim_start().len();
                    }
                    if !before.is_empty() {
                        out.push(Segment::Text(before));
                    }
                    out.push(Segment::Added(t.id));
                    seg_start = end;
                    pos = end;
                }
                None => pos += rest.chars().next().map_or(1, char::len_utf8),
            }
        }
        if seg_start < text.len() {
            out.push(Segment::Text(&text[seg_start..]));
        }
        out
    }
}

/// A boolean setting of a JSON object, `false` when absent.
pub(super) fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// The `added_tokens` list of a `tokenizer.json`.
pub(super) fn parse_added_tokens(root: &Value, keys: Keys) -> Result<Vec<AddedToken>, Error> {
    let mut added = Vec::new();
    if let Some(list) = root.get("added_tokens").and_then(Value::as_array) {
        for (i, t) in list.iter().enumerate() {
            let id = t.get("id").and_then(Value::as_u64);
            let content = t.get("content").and_then(Value::as_str);
            let (Some(id), Some(content)) = (id, content) else {
                return Err(keys.bad(
                    &format!("added_tokens[{i}]"),
                    "an added token needs an integer id and a string content".into(),
                ));
            };
            added.push(AddedToken {
                id: id as usize,
                content: content.to_owned(),
                special: flag(t, "special"),
                single_word: flag(t, "single_word"),
                lstrip: flag(t, "lstrip"),
                rstrip: flag(t, "rstrip"),
                normalized: flag(t, "normalized"),
            });
        }
    }
    Ok(added)
}

/// An added token as `tokenizer.json` writes it, on one line.
pub(super) fn added_token_json(t: &AddedToken) -> String {
    format!(
        "{{\"id\": {}, \"content\": {}, \"single_word\": {}, \"lstrip\": {}, \"rstrip\": {}, \"normalized\": {}, \"special\": {}}}",
        t.id,
        quote(&t.content),
        t.single_word,
        t.lstrip,
        t.rstrip,
        t.normalized,
        t.special
    )
}

/// A model's vocabulary and its added tokens, by token and by id: what the tokenizers that
/// read `tokenizer.json` look tokens up in.
#[derive(Clone, Debug)]
pub(super) struct TokenTable {
    /// The model's vocabulary (token → id).
    pub(super) vocab: HashMap<String, usize>,
    /// The model's vocabulary by id.
    pub(super) vocab_r: HashMap<usize, String>,
    /// The added tokens, sorted by id.
    pub(super) added: Vec<AddedToken>,
    /// Index in `added` of each added token id.
    added_by_id: HashMap<usize, usize>,
    /// One more than the largest id.
    size: usize,
}

impl TokenTable {
    /// A table of `vocab` and no added tokens; `Err` (from `op`) if two tokens share an id.
    pub(super) fn new(vocab: HashMap<String, usize>, op: &'static str) -> Result<Self, Error> {
        let mut vocab_r = HashMap::with_capacity(vocab.len());
        for (t, &id) in &vocab {
            if let Some(other) = vocab_r.insert(id, t.clone()) {
                return Err(Error::argument(
                    op,
                    format!("the tokens {other:?} and {t:?} share the id {id}"),
                ));
            }
        }
        let size = vocab.values().max().map_or(0, |m| m + 1);
        Ok(TokenTable {
            vocab,
            vocab_r,
            added: Vec::new(),
            added_by_id: HashMap::new(),
            size,
        })
    }

    /// The table with `added` as its added tokens; `Err` (from `op`) if one is empty, two
    /// share an id, or one has the id of a different vocabulary token.
    pub(super) fn with_added(
        mut self,
        added: Vec<AddedToken>,
        op: &'static str,
    ) -> Result<Self, Error> {
        let mut added = added;
        added.sort_by_key(|t| t.id);
        let mut added_by_id = HashMap::with_capacity(added.len());
        for (i, t) in added.iter().enumerate() {
            if t.content.is_empty() {
                return Err(Error::argument(
                    op,
                    format!("added token {} is empty", t.id),
                ));
            }
            if added_by_id.insert(t.id, i).is_some() {
                return Err(Error::argument(
                    op,
                    format!("two added tokens have the id {}", t.id),
                ));
            }
            if let Some(other) = self.vocab_r.get(&t.id) {
                if *other != t.content {
                    return Err(Error::argument(
                        op,
                        format!(
                            "added token {:?} has the id {} of vocabulary token {other:?}",
                            t.content, t.id
                        ),
                    ));
                }
            }
        }
        self.size = self
            .vocab
            .values()
            .chain(added.iter().map(|t| &t.id))
            .max()
            .map_or(0, |m| m + 1);
        self.added = added;
        self.added_by_id = added_by_id;
        Ok(self)
    }

    /// One more than the largest id.
    pub(super) fn size(&self) -> usize {
        self.size
    }

    /// The index in `added` of the added token with this id.
    pub(super) fn added_index(&self, id: usize) -> Option<usize> {
        self.added_by_id.get(&id).copied()
    }

    /// The id of a whole token: an added token first, then the vocabulary.
    pub(super) fn token_to_id(&self, token: &str) -> Option<usize> {
        self.added
            .iter()
            .find(|t| t.content == token)
            .map(|t| t.id)
            .or_else(|| self.vocab.get(token).copied())
    }

    /// The token of `id`: an added token's content first, then the vocabulary.
    pub(super) fn id_to_token(&self, id: usize) -> Option<String> {
        self.added_index(id)
            .map(|i| self.added[i].content.clone())
            .or_else(|| self.vocab_r.get(&id).cloned())
    }

    /// The id of the first of `names` that is a token.
    pub(super) fn find(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.token_to_id(n))
    }

    /// Whether `id` is a special added token or has one of the `special` roles.
    pub(super) fn is_special(&self, id: usize, special: &SpecialIds) -> bool {
        self.added_index(id).is_some_and(|i| self.added[i].special)
            || [special.pad, special.unk, special.bos, special.eos].contains(&Some(id))
    }
}
