//! WordPiece as BERT and HuggingFace `tokenizers` do it: [`BertNormalizer`] cleans the text,
//! [`bert_pre_tokenize`] cuts it into words, and [`WordPieceTokenizer`] cuts each word into the
//! longest vocabulary pieces, reading and writing HuggingFace's `tokenizer.json`.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

use super::added::{
    parse_added_tokens, AddedMatcher, Segment, TokenTable, BOS_NAMES, EOS_NAMES, PAD_NAMES,
};
use super::json::{self, quote, Keys};
use super::{AddedToken, SpecialIds, Tokenizer, Vocab};
use crate::error::{Error, Result};

/// BERT's text clean-up, as HuggingFace's `BertNormalizer`. Its steps run in this order:
/// `clean_text`, `handle_chinese_chars`, `strip_accents`, `lowercase`.
///
/// ```
/// use gf_data::text::BertNormalizer;
/// let n = BertNormalizer::default();
/// assert_eq!(n.normalize("Crème\tBRÛLÉE\u{7} 日本"), "creme brulee  日  本 ");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BertNormalizer {
    /// Drops control characters, NUL and U+FFFD, and turns every whitespace character into a
    /// space (default true).
    pub clean_text: bool,
    /// Puts a space on each side of every CJK ideograph, so each is a word (default true).
    pub handle_chinese_chars: bool,
    /// Removes accents (NFD, then drops nonspacing marks); `None` follows `lowercase`, as in
    /// HuggingFace (default `None`).
    pub strip_accents: Option<bool>,
    /// Lowercases every character (default true).
    pub lowercase: bool,
}

impl Default for BertNormalizer {
    /// HuggingFace's defaults, those of `bert-base-uncased`.
    fn default() -> Self {
        BertNormalizer {
            clean_text: true,
            handle_chinese_chars: true,
            strip_accents: None,
            lowercase: true,
        }
    }
}

/// Whitespace for BERT: tab, newline and carriage return, and Unicode's `White_Space`.
fn is_bert_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || c.is_whitespace()
}

/// Control characters for BERT: the categories Cc, Cf, Cs, Co and Cn, but not tab, newline or
/// carriage return.
fn is_bert_control(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r') && c.general_category_group() == GeneralCategoryGroup::Other
}

/// HuggingFace's CJK ranges (they differ from BERT's Python one in the Extension E/F block).
fn is_chinese_char(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F | 0x2B920..=0x2CEAF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}

/// Punctuation for BERT: ASCII symbols and Unicode's P categories.
fn is_bert_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || c.general_category_group() == GeneralCategoryGroup::Punctuation
}

impl BertNormalizer {
    /// BERT's uncased settings with `lowercase` (and so accent stripping) on or off.
    pub fn with_lowercase(lowercase: bool) -> Self {
        BertNormalizer {
            lowercase,
            ..Default::default()
        }
    }

    /// Whether accents are stripped: `strip_accents`, or `lowercase` when it is `None`.
    pub fn strips_accents(&self) -> bool {
        self.strip_accents.unwrap_or(self.lowercase)
    }

    /// `text` normalized.
    pub fn normalize(&self, text: &str) -> String {
        let mut s: String = if self.clean_text {
            text.chars()
                .filter(|&c| !(c == '\0' || c == '\u{FFFD}' || is_bert_control(c)))
                .map(|c| if is_bert_whitespace(c) { ' ' } else { c })
                .collect()
        } else {
            text.to_owned()
        };
        if self.handle_chinese_chars && s.chars().any(is_chinese_char) {
            let mut out = String::with_capacity(s.len() + 8);
            for c in s.chars() {
                if is_chinese_char(c) {
                    out.push(' ');
                    out.push(c);
                    out.push(' ');
                } else {
                    out.push(c);
                }
            }
            s = out;
        }
        if self.strips_accents() {
            s = s
                .nfd()
                .filter(|c| c.general_category() != GeneralCategory::NonspacingMark)
                .collect();
        }
        if self.lowercase {
            // Character by character, as HuggingFace does (so no final-sigma rule).
            s = s.chars().flat_map(char::to_lowercase).collect();
        }
        s
    }

    fn to_json(self) -> String {
        format!(
            "{{\"type\": \"BertNormalizer\", \"clean_text\": {}, \"handle_chinese_chars\": {}, \"strip_accents\": {}, \"lowercase\": {}}}",
            self.clean_text,
            self.handle_chinese_chars,
            self.strip_accents.map_or("null".into(), |b| b.to_string()),
            self.lowercase
        )
    }
}

/// HuggingFace's `BertPreTokenizer`: splits on whitespace (dropped) and makes every
/// punctuation mark a word of its own.
///
/// ```
/// assert_eq!(gf_data::text::bert_pre_tokenize("Don't  stop!"), ["Don", "'", "t", "stop", "!"]);
/// ```
pub fn bert_pre_tokenize(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() || is_bert_punctuation(c) {
            if let Some(s) = start.take() {
                out.push(&text[s..i]);
            }
            if !c.is_whitespace() {
                out.push(&text[i..i + c.len_utf8()]);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// HuggingFace's `WordPiece` decoder: tokens that start with `prefix` are glued to the one
/// before, the others get a space before them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WordPieceDecoder {
    /// The continuation prefix to remove (default `"##"`).
    pub prefix: String,
    /// Removes the space before `. ? ! ,` and in English contractions (`" n't"`, `" 's"`, ...),
    /// token by token (default true).
    pub cleanup: bool,
}

impl Default for WordPieceDecoder {
    fn default() -> Self {
        WordPieceDecoder {
            prefix: "##".into(),
            cleanup: true,
        }
    }
}

/// HuggingFace's `cleanup` of decoded WordPiece tokens.
fn cleanup(token: &str) -> String {
    token
        .replace(" .", ".")
        .replace(" ?", "?")
        .replace(" !", "!")
        .replace(" ,", ",")
        .replace(" ' ", "'")
        .replace(" n't", "n't")
        .replace(" 'm", "'m")
        .replace(" do not", " don't")
        .replace(" 's", "'s")
        .replace(" 've", "'ve")
        .replace(" 're", "'re")
}

impl WordPieceDecoder {
    /// The text of `tokens`.
    pub fn decode<S: AsRef<str>>(&self, tokens: &[S]) -> String {
        let mut out = String::new();
        for (i, t) in tokens.iter().enumerate() {
            let t = t.as_ref();
            let piece = match t.strip_prefix(self.prefix.as_str()) {
                _ if i == 0 => t.to_owned(),
                Some(rest) => rest.to_owned(),
                None => format!(" {t}"),
            };
            if self.cleanup {
                out.push_str(&cleanup(&piece));
            } else {
                out.push_str(&piece);
            }
        }
        out
    }
}

/// The settings of a [`WordPieceTokenizer`]; the default is `bert-base-uncased`'s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WordPieceOptions {
    /// The token of words that cannot be cut into vocabulary pieces (default `"[UNK]"`).
    pub unk_token: String,
    /// Marks a piece that continues a word (default `"##"`).
    pub continuing_subword_prefix: String,
    /// Longer words (in characters, after normalization) are unknown (default 100).
    pub max_input_chars_per_word: usize,
    /// The normalizer; `None` leaves the text as it is.
    pub normalizer: Option<BertNormalizer>,
    /// The decoder; `None` joins the tokens with spaces, as HuggingFace does without one.
    pub decoder: Option<WordPieceDecoder>,
}

impl Default for WordPieceOptions {
    fn default() -> Self {
        WordPieceOptions {
            unk_token: "[UNK]".into(),
            continuing_subword_prefix: "##".into(),
            max_input_chars_per_word: 100,
            normalizer: Some(BertNormalizer::default()),
            decoder: Some(WordPieceDecoder::default()),
        }
    }
}

/// A WordPiece tokenizer: BERT's, or any HuggingFace `tokenizer.json` whose model is
/// `WordPiece` with a `BertNormalizer` (or none) and a `BertPreTokenizer`.
///
/// Encoding splits out added tokens (those not `normalized` in the raw text, the others in the
/// normalized text), normalizes, cuts words with [`bert_pre_tokenize`], and cuts each word
/// greedily into the longest vocabulary pieces, pieces after the first carrying the
/// continuation prefix; a word with a piece missing, or longer than
/// `max_input_chars_per_word`, is the unknown token. The ids agree with HuggingFace's
/// `encode(text, add_special_tokens=False).ids`, and [`Tokenizer::decode`] with its
/// `decode(ids, skip_special_tokens=False)`. [`Tokenizer::encode_with_bos_eos`] gives BERT's
/// `[CLS] ... [SEP]`.
///
/// Decoding does not give back the text: normalization, dropped whitespace and unknown words
/// are lost.
///
/// The special roles are found by name as for [`BpeTokenizer`](super::BpeTokenizer) (`[PAD]`,
/// `[CLS]` as bos, `[SEP]` as eos), the unknown one is the model's `unk_token`.
///
/// ```
/// use gf_data::text::{SpecialTokens, Tokenizer, Vocab, WordPieceOptions, WordPieceTokenizer};
/// let specials = SpecialTokens {
///     pad: Some("[PAD]".into()),
///     unk: Some("[UNK]".into()),
///     bos: Some("[CLS]".into()),
///     eos: Some("[SEP]".into()),
///     additional: vec!["[MASK]".into()],
/// };
/// let pieces = ["un", "##aff", "##able", "run", "##ning", "!"].map(String::from).to_vec();
/// let vocab = Vocab::new(pieces, specials).unwrap();
/// let tok = WordPieceTokenizer::from_vocab(&vocab, &WordPieceOptions::default()).unwrap();
/// assert_eq!(tok.encode("Unaffable running[MASK]!"), [5, 6, 7, 8, 9, 4, 10]);
/// assert_eq!(tok.encode("unrun"), [1]); // no piece for "##run...": the word is unknown
/// assert_eq!(tok.decode(&[2, 5, 6, 7, 10, 3]).unwrap(), "[CLS] unaffable! [SEP]");
/// assert_eq!(tok.encode_with_bos_eos("running"), [2, 8, 9, 3]);
/// ```
#[derive(Clone, Debug)]
pub struct WordPieceTokenizer {
    tokens: TokenTable,
    unk: usize,
    options: WordPieceOptions,
    /// The text each added token decodes to: its content, normalized if it is matched in
    /// normalized text (as HuggingFace decodes it).
    added_text: Vec<String>,
    raw_matcher: AddedMatcher,
    normalized_matcher: AddedMatcher,
    special: SpecialIds,
}

impl WordPieceTokenizer {
    /// A tokenizer from a vocabulary (token → id, continuation pieces with their prefix), added
    /// tokens and settings. `Err` if the unknown token is not in the vocabulary or the added
    /// tokens, if two tokens share an id, or if an added token is empty or has the id of a
    /// different vocabulary token.
    pub fn new(
        vocab: HashMap<String, usize>,
        added: Vec<AddedToken>,
        options: WordPieceOptions,
    ) -> Result<Self> {
        let op = "WordPieceTokenizer::new";
        let tokens = TokenTable::new(vocab, op)?.with_added(added, op)?;
        let added = &tokens.added;
        let unk = tokens
            .vocab
            .get(&options.unk_token)
            .copied()
            .or_else(|| {
                added
                    .iter()
                    .find(|t| t.content == options.unk_token)
                    .map(|t| t.id)
            })
            .ok_or_else(|| {
                Error::argument(
                    op,
                    format!(
                        "the unknown token {:?} is not in the vocabulary",
                        options.unk_token
                    ),
                )
            })?;
        let normalize = |t: &AddedToken| match (&options.normalizer, t.normalized) {
            (Some(n), true) => n.normalize(&t.content),
            _ => t.content.clone(),
        };
        let added_text: Vec<String> = added.iter().map(normalize).collect();
        let raw_matcher = AddedMatcher::new(
            added
                .iter()
                .filter(|t| !t.normalized)
                .map(|t| (t.content.clone(), t.clone())),
        );
        let normalized_matcher = AddedMatcher::new(
            added
                .iter()
                .zip(&added_text)
                .filter(|(t, _)| t.normalized)
                .map(|(t, p)| (p.clone(), t.clone())),
        );
        let special = SpecialIds {
            pad: tokens.find(PAD_NAMES),
            unk: Some(unk),
            bos: tokens.find(BOS_NAMES),
            eos: tokens.find(EOS_NAMES),
        };
        Ok(WordPieceTokenizer {
            tokens,
            unk,
            options,
            added_text,
            raw_matcher,
            normalized_matcher,
            special,
        })
    }

    /// A tokenizer over a [`Vocab`] (BERT's `vocab.txt` read in id order, for example): its
    /// special tokens become special added tokens and keep their roles, and its unknown token,
    /// if it has one, replaces `options.unk_token`. `Err` as [`WordPieceTokenizer::new`].
    pub fn from_vocab(vocab: &Vocab, options: &WordPieceOptions) -> Result<Self> {
        let map: HashMap<String, usize> = vocab
            .tokens()
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i))
            .collect();
        let added = vocab
            .specials()
            .in_order()
            .into_iter()
            .filter_map(|t| vocab.token_to_id(t).map(|id| AddedToken::special(id, t)))
            .collect();
        let mut options = options.clone();
        if let Some(unk) = &vocab.specials().unk {
            options.unk_token = unk.clone();
        }
        Ok(WordPieceTokenizer::new(map, added, options)?.with_special_ids(vocab.special_ids()))
    }

    /// Sets the special roles' ids, replacing those found by name.
    pub fn with_special_ids(mut self, special: SpecialIds) -> Self {
        self.special = special;
        self
    }

    /// The vocabulary of the model (token → id).
    pub fn vocab(&self) -> &HashMap<String, usize> {
        &self.tokens.vocab
    }

    /// The added tokens, by id.
    pub fn added_tokens(&self) -> &[AddedToken] {
        &self.tokens.added
    }

    /// The settings.
    pub fn options(&self) -> &WordPieceOptions {
        &self.options
    }

    /// The pieces of one pre-tokenized word: the longest vocabulary piece at each position, or
    /// the unknown token alone if the word is too long or some position has no piece.
    fn word_pieces(&self, word: &str, out: &mut Vec<usize>) {
        if word.chars().count() > self.options.max_input_chars_per_word {
            out.push(self.unk);
            return;
        }
        let first = out.len();
        let prefix = &self.options.continuing_subword_prefix;
        let mut buf = String::with_capacity(prefix.len() + word.len());
        let mut start = 0;
        while start < word.len() {
            let mut end = word.len();
            let found = loop {
                buf.clear();
                if start > 0 {
                    buf.push_str(prefix);
                }
                buf.push_str(&word[start..end]);
                if let Some(&id) = self.tokens.vocab.get(&buf) {
                    break Some(id);
                }
                match word[start..end].char_indices().next_back() {
                    Some((i, _)) if i > 0 => end = start + i,
                    _ => break None,
                }
            };
            match found {
                Some(id) => {
                    out.push(id);
                    start = end;
                }
                None => {
                    out.truncate(first);
                    out.push(self.unk);
                    return;
                }
            }
        }
    }

    fn encode_normalized(&self, text: &str, out: &mut Vec<usize>) {
        for seg in self.normalized_matcher.split(text) {
            match seg {
                Segment::Added(id) => out.push(id),
                Segment::Text(t) => {
                    for word in bert_pre_tokenize(t) {
                        self.word_pieces(word, out);
                    }
                }
            }
        }
    }

    /// Reads a HuggingFace `tokenizer.json` whose model is `WordPiece`, with a
    /// `BertNormalizer` or no normalizer, a `BertPreTokenizer`, and a `WordPiece` decoder or
    /// none (BERT's and every `BertWordPieceTokenizer`'s). The post-processor, truncation and
    /// padding are not read: [`Tokenizer::encode`] adds no special tokens.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        WordPieceTokenizer::from_json(&json::read(path)?, path)
    }

    /// [`WordPieceTokenizer::load`] from a string; `path` names the source in errors, which
    /// name the JSON key at fault.
    pub fn from_json(json: &str, path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        Self::from_value(&json::parse(json, path)?, path)
    }

    /// [`WordPieceTokenizer::from_json`] of the parsed file.
    pub(super) fn from_value(root: &Value, path: &Path) -> Result<Self> {
        let keys = Keys::new(path);
        let model = keys.model(root, "WordPiece")?;
        let mut options = WordPieceOptions {
            unk_token: keys.string(model, "model", "unk_token", "[UNK]")?,
            continuing_subword_prefix: keys.string(
                model,
                "model",
                "continuing_subword_prefix",
                "##",
            )?,
            ..Default::default()
        };
        match model.get("max_input_chars_per_word") {
            None | Some(Value::Null) => {}
            Some(v) => {
                options.max_input_chars_per_word = v.as_u64().ok_or_else(|| {
                    keys.bad(
                        "model.max_input_chars_per_word",
                        format!("expected a count, found {v}"),
                    )
                })? as usize
            }
        }
        let vocab = keys.vocab(model)?;

        let norm = root.get("normalizer").unwrap_or(&Value::Null);
        options.normalizer = match norm.get("type").and_then(Value::as_str) {
            _ if norm.is_null() => None,
            Some("BertNormalizer") => Some(BertNormalizer {
                clean_text: keys.boolean(norm, "normalizer", "clean_text", true)?,
                handle_chinese_chars: keys.boolean(
                    norm,
                    "normalizer",
                    "handle_chinese_chars",
                    true,
                )?,
                strip_accents: match norm.get("strip_accents") {
                    None | Some(Value::Null) => None,
                    Some(Value::Bool(b)) => Some(*b),
                    Some(other) => {
                        return Err(keys.bad(
                            "normalizer.strip_accents",
                            format!("expected true, false or null, found {other}"),
                        ))
                    }
                },
                lowercase: keys.boolean(norm, "normalizer", "lowercase", true)?,
            }),
            _ => {
                return Err(keys.bad(
                    "normalizer",
                    format!("only a BertNormalizer (or none) is supported, found {norm}"),
                ))
            }
        };

        let pre = json::pre_tokenizer(root);
        if pre.get("type").and_then(Value::as_str) != Some("BertPreTokenizer") {
            return Err(keys.bad(
                "pre_tokenizer",
                format!("expected a BertPreTokenizer, found {pre}"),
            ));
        }

        let dec = root.get("decoder").unwrap_or(&Value::Null);
        options.decoder = match dec.get("type").and_then(Value::as_str) {
            _ if dec.is_null() => None,
            Some("WordPiece") => Some(WordPieceDecoder {
                prefix: keys.string(dec, "decoder", "prefix", "##")?,
                cleanup: keys.boolean(dec, "decoder", "cleanup", true)?,
            }),
            _ => {
                return Err(keys.bad(
                    "decoder",
                    format!("only a WordPiece decoder (or none) is supported, found {dec}"),
                ))
            }
        };

        let added = parse_added_tokens(root, keys)?;
        let unk_token = options.unk_token.clone();
        if !vocab.contains_key(&unk_token) && !added.iter().any(|t| t.content == unk_token) {
            return Err(keys.bad(
                "model.unk_token",
                format!("{unk_token:?} is not in model.vocab"),
            ));
        }
        WordPieceTokenizer::new(vocab, added, options).map_err(|e| keys.bad("model", e.to_string()))
    }

    /// The tokenizer as a HuggingFace `tokenizer.json`, which `tokenizers.Tokenizer.from_file`
    /// reads (vocabulary in id order). The post-processor written is BERT's
    /// (`BertProcessing`: `[CLS] A [SEP]`) with the bos and eos tokens, when both exist.
    pub fn to_json(&self) -> String {
        let mut out = json::head(&self.tokens.added);
        let o = &self.options;
        let normalizer = o.normalizer.map_or("null".into(), BertNormalizer::to_json);
        let pair = |id: Option<usize>| {
            id.and_then(|id| self.id_to_token(id))
                .map(|t| format!("[{}, {}]", quote(&t), id.unwrap_or_default()))
        };
        let post = match (pair(self.special.eos), pair(self.special.bos)) {
            (Some(sep), Some(cls)) => {
                format!("{{\"type\": \"BertProcessing\", \"sep\": {sep}, \"cls\": {cls}}}")
            }
            _ => "null".into(),
        };
        let decoder = o.decoder.as_ref().map_or("null".into(), |d| {
            format!(
                "{{\"type\": \"WordPiece\", \"prefix\": {}, \"cleanup\": {}}}",
                quote(&d.prefix),
                d.cleanup
            )
        });
        out.push_str(&format!(
            "  \"normalizer\": {normalizer},\n  \"pre_tokenizer\": {{\"type\": \"BertPreTokenizer\"}},\n  \"post_processor\": {post},\n  \"decoder\": {decoder},\n"
        ));
        out.push_str(&format!(
            "  \"model\": {{\n    \"type\": \"WordPiece\",\n    \"unk_token\": {},\n    \"continuing_subword_prefix\": {},\n    \"max_input_chars_per_word\": {},\n    \"vocab\": {{",
            quote(&o.unk_token),
            quote(&o.continuing_subword_prefix),
            o.max_input_chars_per_word
        ));
        json::push_vocab(&mut out, &self.tokens.vocab_r);
        out.push_str("\n    }\n  }\n}\n");
        out
    }

    /// Writes [`WordPieceTokenizer::to_json`] to `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        json::write(path.as_ref(), self.to_json())
    }
}

impl Tokenizer for WordPieceTokenizer {
    fn encode(&self, text: &str) -> Vec<usize> {
        let mut out = Vec::new();
        for seg in self.raw_matcher.split(text) {
            match seg {
                Segment::Added(id) => out.push(id),
                Segment::Text(t) => match &self.options.normalizer {
                    Some(n) => self.encode_normalized(&n.normalize(t), &mut out),
                    None => self.encode_normalized(t, &mut out),
                },
            }
        }
        out
    }

    fn decode(&self, ids: &[usize]) -> Result<String> {
        let tokens = ids
            .iter()
            .map(|&id| {
                self.id_to_token(id).ok_or_else(|| {
                    Error::argument(
                        "WordPieceTokenizer::decode",
                        format!("id {id} is not in the vocabulary"),
                    )
                })
            })
            .collect::<Result<Vec<String>>>()?;
        Ok(match &self.options.decoder {
            Some(d) => d.decode(&tokens),
            None => tokens.join(" "),
        })
    }

    fn vocab_size(&self) -> usize {
        self.tokens.size()
    }

    fn special_ids(&self) -> SpecialIds {
        self.special
    }

    fn is_special(&self, id: usize) -> bool {
        self.tokens.is_special(id, &self.special)
    }

    fn token_to_id(&self, token: &str) -> Option<usize> {
        self.tokens.token_to_id(token)
    }

    /// An added token decodes to its text as matched (normalized if it is `normalized`).
    fn id_to_token(&self, id: usize) -> Option<String> {
        match self.tokens.added_index(id) {
            Some(i) => Some(self.added_text[i].clone()),
            None => self.tokens.id_to_token(id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny(options: WordPieceOptions) -> WordPieceTokenizer {
        let vocab: HashMap<String, usize> = [
            "[UNK]", "[CLS]", "[SEP]", "a", "ab", "abc", "##b", "##c", "##bc", "x", "!",
        ]
        .iter()
        .enumerate()
        .map(|(i, t)| (t.to_string(), i))
        .collect();
        let added = vec![
            AddedToken::special(1, "[CLS]"),
            AddedToken::special(2, "[SEP]"),
        ];
        WordPieceTokenizer::new(vocab, added, options).unwrap()
    }

    #[test]
    fn greedy_longest_match_first_and_unknown_words() {
        let tok = tiny(WordPieceOptions::default());
        assert_eq!(tok.encode("abc"), [5]);
        assert_eq!(tok.encode("abbc"), [4, 8]); // ab + ##bc
        assert_eq!(tok.encode("acb"), [3, 7, 6]);
        assert_eq!(tok.encode("abd x"), [0, 9]); // no piece for "##d": the whole word
        assert_eq!(tok.encode("ABC!x"), [5, 10, 9]);
        let short = tiny(WordPieceOptions {
            max_input_chars_per_word: 3,
            ..Default::default()
        });
        assert_eq!(short.encode("abc abcb"), [5, 0]);
    }

    #[test]
    fn added_tokens_are_kept_whole_and_decoding_glues_pieces() {
        let tok = tiny(WordPieceOptions::default());
        assert_eq!(tok.encode("[CLS]ab[SEP] [cls]"), [1, 4, 2, 0, 0, 0]);
        assert_eq!(tok.decode(&[1, 4, 8, 10, 2]).unwrap(), "[CLS] abbc! [SEP]");
        assert_eq!(tok.decode(&[6, 3]).unwrap(), "##b a"); // the first piece keeps its prefix
        assert_eq!(tok.decode_skip_special(&[1, 3, 2]).unwrap(), "a");
        assert!(tok.decode(&[99]).is_err());
        assert_eq!(tok.special_ids().bos, Some(1));
        assert_eq!(tok.special_ids().unk, Some(0));
    }

    #[test]
    fn normalizer_steps() {
        let n = BertNormalizer::default();
        assert_eq!(n.normalize("İ\u{0}\u{FFFD}a\u{200B}\r\nÅ"), "ia  a");
        let cased = BertNormalizer::with_lowercase(false);
        assert_eq!(cased.normalize("Éa\u{3000}中"), "Éa  中 ");
        let strip = BertNormalizer {
            strip_accents: Some(true),
            ..cased
        };
        assert_eq!(strip.normalize("Éa"), "Ea");
        // No final sigma: HuggingFace lowercases character by character.
        assert_eq!(n.normalize("ΟΔΟΣ"), "οδοσ");
    }

    #[test]
    fn pre_tokenizer_isolates_punctuation() {
        assert_eq!(
            bert_pre_tokenize(" a.b\u{3000}¿qué?--x "),
            ["a", ".", "b", "¿", "qué", "?", "-", "-", "x"]
        );
        assert!(bert_pre_tokenize(" \t ").is_empty());
    }
}
