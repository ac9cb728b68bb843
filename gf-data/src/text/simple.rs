//! Tokenizers over a [`Vocab`]: one token per character ([`CharTokenizer`]) or per word and
//! punctuation mark ([`WordTokenizer`]).

use std::path::Path;

use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

use super::{SpecialIds, Tokenizer, Vocab, VocabOptions};
use crate::error::{Error, Result};

fn require_unk(vocab: &Vocab, op: &'static str) -> Result<usize> {
    vocab.special_ids().unk.ok_or_else(|| {
        Error::argument(
            op,
            "the vocabulary needs an unknown token for text outside it",
        )
    })
}

fn decode_with(vocab: &Vocab, ids: &[usize], sep: &str) -> Result<String> {
    let mut out = String::new();
    for (i, &id) in ids.iter().enumerate() {
        let token = vocab.id_to_token(id).ok_or_else(|| {
            Error::argument(
                "Tokenizer::decode",
                format!(
                    "id {id} is outside the vocabulary of {} tokens",
                    vocab.len()
                ),
            )
        })?;
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(token);
    }
    Ok(out)
}

/// The [`Tokenizer`] methods that only look up the `vocab` field, for tokenizers that differ
/// in how they split text but not in how tokens map to ids.
macro_rules! vocab_lookups {
    () => {
        fn vocab_size(&self) -> usize {
            self.vocab.len()
        }

        fn special_ids(&self) -> SpecialIds {
            self.vocab.special_ids()
        }

        fn is_special(&self, id: usize) -> bool {
            self.vocab.is_special(id)
        }

        fn token_to_id(&self, token: &str) -> Option<usize> {
            self.vocab.token_to_id(token)
        }

        fn id_to_token(&self, id: usize) -> Option<String> {
            self.vocab.id_to_token(id).map(String::from)
        }
    };
}

/// One token per character (Unicode scalar value); characters outside the vocabulary become
/// the unknown token.
///
/// ```
/// use gf_data::text::{CharTokenizer, Tokenizer, VocabOptions};
/// let tok = CharTokenizer::fit(["hello"], &VocabOptions::default()).unwrap();
/// let ids = tok.encode("hole");
/// assert_eq!(tok.decode(&ids).unwrap(), "hole");
/// assert_eq!(tok.encode("z"), [tok.special_ids().unk.unwrap()]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CharTokenizer {
    vocab: Vocab,
    unk: usize,
}

impl CharTokenizer {
    /// A tokenizer over `vocab`, whose tokens should be single characters; `Err` if it has no
    /// unknown token.
    pub fn new(vocab: Vocab) -> Result<Self> {
        let unk = require_unk(&vocab, "CharTokenizer::new")?;
        Ok(CharTokenizer { vocab, unk })
    }

    /// Builds the vocabulary from the characters of `texts`.
    pub fn fit<S: AsRef<str>>(
        texts: impl IntoIterator<Item = S>,
        options: &VocabOptions,
    ) -> Result<Self> {
        let mut counts = std::collections::HashMap::<char, usize>::new();
        for t in texts {
            for c in t.as_ref().chars() {
                *counts.entry(c).or_default() += 1;
            }
        }
        let vocab =
            Vocab::from_counts(counts.into_iter().map(|(c, n)| (c.to_string(), n)), options)?;
        CharTokenizer::new(vocab)
    }

    /// The vocabulary.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// Writes the vocabulary to `path` (see [`Vocab::save`]).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.vocab.save(path)
    }

    /// Reads a tokenizer written by [`CharTokenizer::save`].
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        CharTokenizer::new(Vocab::load(path)?)
    }
}

impl Tokenizer for CharTokenizer {
    fn encode(&self, text: &str) -> Vec<usize> {
        let mut buf = [0u8; 4];
        text.chars()
            .map(|c| {
                self.vocab
                    .token_to_id(c.encode_utf8(&mut buf))
                    .unwrap_or(self.unk)
            })
            .collect()
    }

    fn decode(&self, ids: &[usize]) -> Result<String> {
        decode_with(&self.vocab, ids, "")
    }

    vocab_lookups!();
}

/// Whether BERT's basic tokenizer splits `c` off as a token of its own: ASCII symbols and
/// Unicode punctuation.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || c.general_category_group() == GeneralCategoryGroup::Punctuation
}

/// CJK ideographs, which BERT's basic tokenizer treats as words of their own.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F | 0x2B820..=0x2CEAF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}

/// Splits `text` into words the way BERT's `BasicTokenizer` does: on whitespace, with every
/// punctuation mark and CJK ideograph a token of its own and control characters dropped;
/// lowercased if asked (accents are kept).
///
/// ```
/// assert_eq!(gf_data::text::basic_split("Don't stop!", true), ["don", "'", "t", "stop", "!"]);
/// ```
pub fn basic_split(text: &str, lowercase: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<String>| {
        if !word.is_empty() {
            out.push(std::mem::take(word));
        }
    };
    for c in text.chars() {
        if c.is_whitespace() {
            flush(&mut word, &mut out);
        } else if c == '\0' || c == '\u{FFFD}' || c.is_control() {
            continue;
        } else if is_punctuation(c) || is_cjk(c) {
            flush(&mut word, &mut out);
            out.push(c.to_string());
        } else if lowercase {
            word.extend(c.to_lowercase());
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// One token per word and per punctuation mark (see [`basic_split`]); words outside the
/// vocabulary become the unknown token. Decoding joins tokens with single spaces, so it gives
/// back the words but not the original spacing.
///
/// ```
/// use gf_data::text::{Tokenizer, VocabOptions, WordTokenizer};
/// let tok = WordTokenizer::fit(["The cat sat.", "the dog sat!"], &VocabOptions::default(), true)
///     .unwrap();
/// assert_eq!(tok.decode(&tok.encode("THE CAT SAT!")).unwrap(), "the cat sat !");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WordTokenizer {
    vocab: Vocab,
    unk: usize,
    lowercase: bool,
}

impl WordTokenizer {
    /// A tokenizer over `vocab`, lowercasing its input if `lowercase`; `Err` if the vocabulary
    /// has no unknown token.
    pub fn new(vocab: Vocab, lowercase: bool) -> Result<Self> {
        let unk = require_unk(&vocab, "WordTokenizer::new")?;
        Ok(WordTokenizer {
            vocab,
            unk,
            lowercase,
        })
    }

    /// Builds the vocabulary from the words of `texts`.
    pub fn fit<S: AsRef<str>>(
        texts: impl IntoIterator<Item = S>,
        options: &VocabOptions,
        lowercase: bool,
    ) -> Result<Self> {
        let mut counts = std::collections::HashMap::<String, usize>::new();
        for t in texts {
            for w in basic_split(t.as_ref(), lowercase) {
                *counts.entry(w).or_default() += 1;
            }
        }
        WordTokenizer::new(Vocab::from_counts(counts, options)?, lowercase)
    }

    /// The vocabulary.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// Whether input is lowercased before lookup.
    pub fn lowercase(&self) -> bool {
        self.lowercase
    }

    /// The words of `text`, as they are looked up.
    pub fn split(&self, text: &str) -> Vec<String> {
        basic_split(text, self.lowercase)
    }

    /// Writes the vocabulary to `path` (see [`Vocab::save`]); the lowercase flag is not saved.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.vocab.save(path)
    }

    /// Reads a vocabulary written by [`WordTokenizer::save`].
    pub fn load(path: impl AsRef<Path>, lowercase: bool) -> Result<Self> {
        WordTokenizer::new(Vocab::load(path)?, lowercase)
    }
}

impl Tokenizer for WordTokenizer {
    fn encode(&self, text: &str) -> Vec<usize> {
        self.split(text)
            .iter()
            .map(|w| self.vocab.token_to_id(w).unwrap_or(self.unk))
            .collect()
    }

    fn decode(&self, ids: &[usize]) -> Result<String> {
        decode_with(&self.vocab, ids, " ")
    }

    vocab_lookups!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::SpecialTokens;

    #[test]
    fn basic_split_handles_punctuation_cjk_controls_and_case() {
        assert_eq!(
            basic_split("Hello,  WORLD!\tÉté 日本\u{7}x", true),
            ["hello", ",", "world", "!", "été", "日", "本", "x"]
        );
        assert_eq!(basic_split("A-b", false), ["A", "-", "b"]);
        assert!(basic_split(" \n ", true).is_empty());
    }

    #[test]
    fn tokenizers_need_an_unknown_token() {
        let v = Vocab::new(vec!["a".into()], SpecialTokens::none()).unwrap();
        assert!(CharTokenizer::new(v.clone()).is_err());
        assert!(WordTokenizer::new(v, true).is_err());
    }

    #[test]
    fn char_tokenizer_maps_unknown_and_rejects_bad_ids() {
        let tok = CharTokenizer::fit(["abcab"], &VocabOptions::default()).unwrap();
        assert_eq!(tok.vocab_size(), 7);
        // a and b (2 each) before c, ties in string order.
        assert_eq!(tok.encode("abcz"), [4, 5, 6, 1]);
        assert_eq!(tok.decode(&[4, 1]).unwrap(), "a<unk>");
        assert_eq!(tok.decode_skip_special(&[2, 4, 3, 0]).unwrap(), "a");
        assert_eq!(tok.encode_with_bos_eos("a"), [2, 4, 3]);
        assert!(tok.decode(&[7]).is_err());
    }
}
