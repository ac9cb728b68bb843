//! [`HfTokenizer`]: one entry point for HuggingFace `tokenizer.json` files, whatever their model.

use std::path::Path;

use serde_json::Value;

use super::json::{self, model_type};
use super::{BpeTokenizer, SpecialIds, Tokenizer, WordPieceTokenizer};
use crate::error::{Error, Result};

/// A tokenizer read from a HuggingFace `tokenizer.json`, of the kind its `model.type` names:
/// `"BPE"` (byte-level, as GPT-2's) or `"WordPiece"` (as BERT's). It is a [`Tokenizer`] itself,
/// so it boxes into `Box<dyn Tokenizer>`; match on it to reach the model's own methods.
///
/// ```no_run
/// use gf_data::text::{HfTokenizer, Tokenizer};
/// let tok = HfTokenizer::load("bert-base-uncased/tokenizer.json")?;
/// let ids = tok.encode_with_bos_eos("Hello, world!"); // [CLS] ... [SEP]
/// if let HfTokenizer::WordPiece(wp) = &tok {
///     println!("{:?}", wp.tokenize("Hello"));
/// }
/// # Ok::<(), gf_data::Error>(())
/// ```
#[derive(Clone, Debug)]
pub enum HfTokenizer {
    /// A byte-level BPE model.
    Bpe(BpeTokenizer),
    /// A WordPiece model.
    WordPiece(WordPieceTokenizer),
}

impl HfTokenizer {
    /// Reads `path`, dispatching on `model.type` (a model without a type but with merges is
    /// BPE, as older files write it).
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        HfTokenizer::from_json(&json::read(path)?, path)
    }

    /// [`HfTokenizer::load`] from a string; `path` names the source in errors.
    pub fn from_json(json: &str, path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let root = json::parse(json, path)?;
        match model_type(root.get("model").unwrap_or(&Value::Null)) {
            Some("WordPiece") => WordPieceTokenizer::from_value(&root, path).map(Self::WordPiece),
            Some("BPE") => BpeTokenizer::from_value(&root, path).map(Self::Bpe),
            other => Err(Error::format(
                path,
                "key model.type",
                format!("the model is {other:?}; supported: \"BPE\", \"WordPiece\""),
            )),
        }
    }

    /// The tokenizer as a HuggingFace `tokenizer.json`.
    pub fn to_json(&self) -> String {
        match self {
            HfTokenizer::Bpe(t) => t.to_json(),
            HfTokenizer::WordPiece(t) => t.to_json(),
        }
    }

    /// Writes [`HfTokenizer::to_json`] to `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        match self {
            HfTokenizer::Bpe(t) => t.save(path),
            HfTokenizer::WordPiece(t) => t.save(path),
        }
    }

    fn inner(&self) -> &dyn Tokenizer {
        match self {
            HfTokenizer::Bpe(t) => t,
            HfTokenizer::WordPiece(t) => t,
        }
    }
}

impl From<BpeTokenizer> for HfTokenizer {
    fn from(t: BpeTokenizer) -> Self {
        HfTokenizer::Bpe(t)
    }
}

impl From<WordPieceTokenizer> for HfTokenizer {
    fn from(t: WordPieceTokenizer) -> Self {
        HfTokenizer::WordPiece(t)
    }
}

impl Tokenizer for HfTokenizer {
    fn encode(&self, text: &str) -> Vec<usize> {
        self.inner().encode(text)
    }

    fn decode(&self, ids: &[usize]) -> Result<String> {
        self.inner().decode(ids)
    }

    fn vocab_size(&self) -> usize {
        self.inner().vocab_size()
    }

    fn special_ids(&self) -> SpecialIds {
        self.inner().special_ids()
    }

    fn is_special(&self, id: usize) -> bool {
        self.inner().is_special(id)
    }

    fn token_to_id(&self, token: &str) -> Option<usize> {
        self.inner().token_to_id(token)
    }

    fn id_to_token(&self, id: usize) -> Option<String> {
        self.inner().id_to_token(id)
    }
}
