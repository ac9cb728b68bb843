//! Text: character, word, BPE and WordPiece tokenizers, vocabularies with special tokens,
//! padding and truncation to a batch, and HuggingFace `tokenizer.json` files
//! ([`HfTokenizer::load`] reads either model).
//!
//! ```
//! use gf_data::text::{pad_batch, BpeTrainer, PadOptions, Tokenizer};
//!
//! let corpus = ["the cat sat on the mat", "the dog sat on the log"];
//! let tok = BpeTrainer { vocab_size: 280, ..Default::default() }.train(corpus).unwrap();
//! let ids = tok.encode_batch(&["the cat", "a dog sat"]);
//! assert_eq!(tok.decode(&ids[1]).unwrap(), "a dog sat");
//! let (ids, mask) = pad_batch(&ids, &PadOptions::default()).unwrap();
//! assert_eq!(ids.dims(), mask.dims());
//! ```

mod added;
mod bpe;
mod bytelevel;
mod hf;
mod json;
mod pad;
mod simple;
mod vocab;
mod wordpiece;

pub use added::AddedToken;
pub use bpe::{BpeTokenizer, BpeTrainer};
pub use bytelevel::byte_level_pre_tokenize;
pub use hf::HfTokenizer;
pub use pad::{pad_batch, PadOptions, PaddedBatch, Padding, Side};
pub use simple::{basic_split, CharTokenizer, WordTokenizer};
pub use vocab::{SpecialTokens, Vocab, VocabOptions};
pub use wordpiece::{
    bert_pre_tokenize, BertNormalizer, WordPieceDecoder, WordPieceOptions, WordPieceTokenizer,
};

use crate::error::Result;

/// The ids of a tokenizer's special roles; `None` where it has no such token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SpecialIds {
    /// Padding.
    pub pad: Option<usize>,
    /// Unknown tokens.
    pub unk: Option<usize>,
    /// Beginning of sequence.
    pub bos: Option<usize>,
    /// End of sequence.
    pub eos: Option<usize>,
}

/// Text to token ids and back. Ids are `usize`, so that sequences batch straight into the
/// `usize` tensors that embedding lookups take.
pub trait Tokenizer: Send + Sync {
    /// The ids of `text`, without adding any special token (HuggingFace's
    /// `encode(text, add_special_tokens=False)`).
    fn encode(&self, text: &str) -> Vec<usize>;

    /// The text of `ids`, special tokens written out; `Err` for an id outside the vocabulary.
    fn decode(&self, ids: &[usize]) -> Result<String>;

    /// The number of ids: one more than the largest.
    fn vocab_size(&self) -> usize;

    /// The ids of the pad, unknown, bos and eos tokens.
    fn special_ids(&self) -> SpecialIds;

    /// Whether `id` is a special token (skipped by [`Tokenizer::decode_skip_special`]).
    fn is_special(&self, id: usize) -> bool;

    /// The id of a whole token, if it has one.
    fn token_to_id(&self, token: &str) -> Option<usize>;

    /// The token of `id`, if there is one.
    fn id_to_token(&self, id: usize) -> Option<String>;

    /// [`Tokenizer::encode`] with the bos id before and the eos id after, where the tokenizer
    /// has them.
    fn encode_with_bos_eos(&self, text: &str) -> Vec<usize> {
        let special = self.special_ids();
        let mut ids: Vec<usize> = special.bos.into_iter().collect();
        ids.extend(self.encode(text));
        ids.extend(special.eos);
        ids
    }

    /// The tokens of `text` as strings, as HuggingFace's `Encoding.tokens` (byte-level strings
    /// for BPE; added tokens as they decode).
    fn tokenize(&self, text: &str) -> Vec<String> {
        self.encode(text)
            .into_iter()
            .filter_map(|id| self.id_to_token(id))
            .collect()
    }

    /// [`Tokenizer::encode`] of every text.
    fn encode_batch(&self, texts: &[&str]) -> Vec<Vec<usize>> {
        texts.iter().map(|t| self.encode(t)).collect()
    }

    /// [`Tokenizer::decode`] leaving out special tokens (HuggingFace's
    /// `decode(ids, skip_special_tokens=True)`).
    fn decode_skip_special(&self, ids: &[usize]) -> Result<String> {
        let kept: Vec<usize> = ids
            .iter()
            .copied()
            .filter(|&id| !self.is_special(id))
            .collect();
        self.decode(&kept)
    }
}
