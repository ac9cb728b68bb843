//! Byte-level BPE as GPT-2 and HuggingFace `tokenizers` do it: [`BpeTokenizer`] encodes and
//! decodes, [`BpeTrainer`] learns merges from a corpus, and both read and write HuggingFace's
//! `tokenizer.json`.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::path::Path;

use serde_json::Value;

use super::added::{
    flag, parse_added_tokens, AddedMatcher, Segment, TokenTable, BOS_NAMES, EOS_NAMES, PAD_NAMES,
    UNK_NAMES,
};
use super::bytelevel::{byte_level_pre_tokenize, byte_to_char, char_to_byte};
use super::json::{self, quote, Keys};
use super::{AddedToken, SpecialIds, Tokenizer};
use crate::error::{Error, Result};

/// A byte-level BPE tokenizer: GPT-2's, RoBERTa's, or one trained with [`BpeTrainer`].
///
/// Encoding splits out added tokens, cuts the rest with GPT-2's pre-tokenizer, writes each
/// piece's bytes as byte-level characters and applies merges by rank, exactly as HuggingFace
/// `tokenizers` does, so the ids agree with `Tokenizer.from_file(...).encode(text,
/// add_special_tokens=False).ids`. Every string comes back from `decode(encode(s))` unchanged
/// (unless `add_prefix_space` is set, which adds a space).
///
/// The special roles ([`Tokenizer::special_ids`]) are found by name (`<pad>`/`[PAD]`,
/// `<unk>`/`[UNK]`, `<bos>`/`<s>`/`[CLS]`, `<eos>`/`</s>`/`[SEP]`/`<|endoftext|>`, ...), since
/// `tokenizer.json` does not record them; set them with [`BpeTokenizer::with_special_ids`].
#[derive(Clone, Debug)]
pub struct BpeTokenizer {
    tokens: TokenTable,
    merges: Vec<(String, String)>,
    merge_map: HashMap<(usize, usize), (usize, usize)>,
    matcher: AddedMatcher,
    unk: Option<(String, usize)>,
    fuse_unk: bool,
    ignore_merges: bool,
    add_prefix_space: bool,
    special: SpecialIds,
}

impl BpeTokenizer {
    /// A tokenizer from a vocabulary (token → id, tokens in byte-level characters), merges in
    /// rank order, and added tokens. `Err` if a merge names a token outside the vocabulary or
    /// makes one that is not in it, or if two tokens share an id.
    pub fn new(
        vocab: HashMap<String, usize>,
        merges: Vec<(String, String)>,
        added: Vec<AddedToken>,
    ) -> Result<Self> {
        let op = "BpeTokenizer::new";
        let tokens = TokenTable::new(vocab, op)?;
        let vocab = &tokens.vocab;
        let mut merge_map = HashMap::with_capacity(merges.len());
        for (rank, (a, b)) in merges.iter().enumerate() {
            let get = |t: &str| {
                vocab.get(t).copied().ok_or_else(|| {
                    Error::argument(
                        op,
                        format!(
                            "merge {rank} ({a:?} {b:?}) uses {t:?}, which is not in the vocabulary"
                        ),
                    )
                })
            };
            let key = (get(a)?, get(b)?);
            let new = get(&format!("{a}{b}"))?;
            merge_map.entry(key).or_insert((rank, new));
        }
        let tokens = tokens.with_added(added, op)?;
        let matcher =
            AddedMatcher::new(tokens.added.iter().map(|t| (t.content.clone(), t.clone())));
        let mut tok = BpeTokenizer {
            tokens,
            merges,
            merge_map,
            matcher,
            unk: None,
            fuse_unk: false,
            ignore_merges: false,
            add_prefix_space: false,
            special: SpecialIds::default(),
        };
        tok.special = tok.special_ids_by_name();
        Ok(tok)
    }

    fn special_ids_by_name(&self) -> SpecialIds {
        let find = |names: &[&str]| self.tokens.find(names);
        SpecialIds {
            pad: find(PAD_NAMES),
            unk: self
                .unk
                .as_ref()
                .map(|(_, id)| *id)
                .or_else(|| find(UNK_NAMES)),
            bos: find(BOS_NAMES),
            eos: find(EOS_NAMES),
        }
    }

    /// Sets the unknown token, which stands for characters without an id (none by default:
    /// they are dropped, as HuggingFace does). `Err` if it is not in the vocabulary.
    pub fn with_unk_token(mut self, unk: Option<&str>, fuse_unk: bool) -> Result<Self> {
        self.unk = match unk {
            None => None,
            Some(t) => Some((
                t.to_owned(),
                self.token_to_id(t).ok_or_else(|| {
                    Error::argument(
                        "BpeTokenizer::with_unk_token",
                        format!("{t:?} is not in the vocabulary"),
                    )
                })?,
            )),
        };
        self.fuse_unk = fuse_unk;
        self.special = self.special_ids_by_name();
        Ok(self)
    }

    /// Puts a space before text that does not start with one (RoBERTa's setting), so that the
    /// first word is encoded like the others.
    pub fn with_add_prefix_space(mut self, add_prefix_space: bool) -> Self {
        self.add_prefix_space = add_prefix_space;
        self
    }

    /// Words that are whole tokens are not split and merged (HuggingFace's `ignore_merges`).
    pub fn with_ignore_merges(mut self, ignore_merges: bool) -> Self {
        self.ignore_merges = ignore_merges;
        self
    }

    /// Sets the special roles' ids, replacing those found by name.
    pub fn with_special_ids(mut self, special: SpecialIds) -> Self {
        self.special = special;
        self
    }

    /// The vocabulary of the model (token → id), without added tokens that are not in it.
    pub fn vocab(&self) -> &HashMap<String, usize> {
        &self.tokens.vocab
    }

    /// The merges, highest priority first.
    pub fn merges(&self) -> &[(String, String)] {
        &self.merges
    }

    /// The added tokens, by id.
    pub fn added_tokens(&self) -> &[AddedToken] {
        &self.tokens.added
    }

    /// Whether a space is put before text that does not start with one.
    pub fn add_prefix_space(&self) -> bool {
        self.add_prefix_space
    }

    /// Applies the merges to one pre-tokenized word (in byte-level characters).
    fn bpe_word(&self, word: &str, out: &mut Vec<usize>) {
        if self.ignore_merges {
            if let Some(&id) = self.tokens.vocab.get(word) {
                out.push(id);
                return;
            }
        }
        let mut syms: Vec<usize> = Vec::with_capacity(word.len());
        let mut last_unk = false;
        let mut buf = [0u8; 4];
        for c in word.chars() {
            match self.tokens.vocab.get(&*c.encode_utf8(&mut buf)) {
                Some(&id) => {
                    syms.push(id);
                    last_unk = false;
                }
                None => {
                    if let Some((_, unk)) = &self.unk {
                        if !(self.fuse_unk && last_unk) {
                            syms.push(*unk);
                        }
                        last_unk = true;
                    }
                }
            }
        }
        out.extend(self.apply_merges(syms));
    }

    /// Merges the lowest-ranked pair first, and of equal pairs the leftmost, with a heap over
    /// a linked list of symbols (HuggingFace's `merge_word`), so long words cost `n log n`.
    fn apply_merges(&self, ids: Vec<usize>) -> Vec<usize> {
        use std::cmp::Reverse;
        const NONE: usize = usize::MAX;
        let n = ids.len();
        // (id, prev, next); a merged-away symbol has id NONE.
        let mut syms: Vec<(usize, usize, usize)> = (0..n)
            .map(|i| {
                (
                    ids[i],
                    i.wrapping_sub(1),
                    if i + 1 < n { i + 1 } else { NONE },
                )
            })
            .collect();
        if n > 0 {
            syms[0].1 = NONE;
        }
        let mut heap = BinaryHeap::new();
        for i in 1..n {
            if let Some(&(rank, new)) = self.merge_map.get(&(ids[i - 1], ids[i])) {
                heap.push(Reverse((rank, i - 1, new)));
            }
        }
        while let Some(Reverse((rank, pos, new))) = heap.pop() {
            let (id, prev, next) = syms[pos];
            if id == NONE || next == NONE {
                continue;
            }
            // The entry is stale if either symbol changed since it was pushed.
            if self.merge_map.get(&(id, syms[next].0)) != Some(&(rank, new)) {
                continue;
            }
            let after = syms[next].2;
            syms[pos] = (new, prev, after);
            syms[next].0 = NONE;
            if after != NONE {
                syms[after].1 = pos;
                if let Some(&(r, m)) = self.merge_map.get(&(new, syms[after].0)) {
                    heap.push(Reverse((r, pos, m)));
                }
            }
            if prev != NONE {
                if let Some(&(r, m)) = self.merge_map.get(&(syms[prev].0, new)) {
                    heap.push(Reverse((r, prev, m)));
                }
            }
        }
        syms.into_iter()
            .map(|(id, _, _)| id)
            .filter(|&id| id != NONE)
            .collect()
    }

    fn encode_text(&self, text: &str, out: &mut Vec<usize>) {
        for word in byte_level_pre_tokenize(text, self.add_prefix_space) {
            self.bpe_word(&word, out);
        }
    }

    /// Reads a HuggingFace `tokenizer.json` whose model is BPE with a `ByteLevel`
    /// pre-tokenizer (GPT-2, RoBERTa, or one trained by HuggingFace's `BpeTrainer`). Merges may
    /// be `"a b"` strings or `["a", "b"]` pairs. The post-processor and decoder are not read:
    /// [`Tokenizer::encode`] adds no special tokens, and decoding is always byte-level.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        BpeTokenizer::from_json(&json::read(path)?, path)
    }

    /// [`BpeTokenizer::load`] from a string; `path` names the source in errors.
    pub fn from_json(json: &str, path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        Self::from_value(&json::parse(json, path)?, path)
    }

    /// [`BpeTokenizer::from_json`] of the parsed file.
    pub(super) fn from_value(root: &Value, path: &Path) -> Result<Self> {
        let keys = Keys::new(path);
        let model = keys.model(root, "BPE")?;
        // A setting this tokenizer cannot honour is an error unless it is absent, null or
        // `inert` (set to its no-op value).
        let unsupported = |key: &str,
                           value: Option<&Value>,
                           inert: fn(&Value) -> bool,
                           why: fn(&Value) -> String| match value {
            Some(v) if !v.is_null() && !inert(v) => Err(keys.bad(key, why(v))),
            _ => Ok(()),
        };
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            unsupported(
                &format!("model.{key}"),
                model.get(key),
                |v| v.as_str() == Some(""),
                |v| format!("{v} is not supported with byte-level BPE"),
            )?;
        }
        unsupported(
            "model.dropout",
            model.get("dropout"),
            |v| v.as_f64() == Some(0.0),
            |v| format!("BPE dropout ({v}) is not supported"),
        )?;
        unsupported(
            "model.byte_fallback",
            model.get("byte_fallback"),
            |v| v.as_bool() != Some(true),
            |_| "byte fallback is not supported".into(),
        )?;

        let vocab = keys.vocab(model)?;
        let merges_json = model
            .get("merges")
            .and_then(Value::as_array)
            .ok_or_else(|| keys.bad("model.merges", "expected a list of merges".into()))?;
        let mut merges = Vec::with_capacity(merges_json.len());
        for (i, m) in merges_json.iter().enumerate() {
            let pair = match m {
                Value::String(s) => {
                    let parts: Vec<&str> = s.split(' ').collect();
                    match parts[..] {
                        [a, b] => Some((a.to_owned(), b.to_owned())),
                        _ => None,
                    }
                }
                Value::Array(ab) => match &ab[..] {
                    [Value::String(a), Value::String(b)] => Some((a.clone(), b.clone())),
                    _ => None,
                },
                _ => None,
            };
            merges.push(pair.ok_or_else(|| {
                keys.bad(
                    &format!("model.merges[{i}]"),
                    format!("{m} is neither \"a b\" nor [\"a\", \"b\"]"),
                )
            })?);
        }

        unsupported(
            "normalizer",
            root.get("normalizer"),
            |_| false,
            |v| format!("normalizers are not supported (found {v})"),
        )?;
        let pre = json::pre_tokenizer(root);
        if pre.get("type").and_then(Value::as_str) != Some("ByteLevel") {
            return Err(keys.bad(
                "pre_tokenizer",
                format!("expected a ByteLevel pre-tokenizer, found {pre}"),
            ));
        }
        if pre.get("use_regex").and_then(Value::as_bool) == Some(false) {
            return Err(keys.bad(
                "pre_tokenizer.use_regex",
                "a ByteLevel pre-tokenizer without the GPT-2 split is not supported".into(),
            ));
        }
        let add_prefix_space = flag(pre, "add_prefix_space");

        let added = parse_added_tokens(root, keys)?;
        let unk = model.get("unk_token").and_then(Value::as_str);
        let tok = BpeTokenizer::new(vocab, merges, added)
            .and_then(|t| t.with_unk_token(unk, flag(model, "fuse_unk")))
            .map_err(|e| keys.bad("model", e.to_string()))?;
        Ok(tok
            .with_add_prefix_space(add_prefix_space)
            .with_ignore_merges(flag(model, "ignore_merges")))
    }

    /// The tokenizer as a HuggingFace `tokenizer.json`, which `tokenizers.Tokenizer.from_file`
    /// reads (vocabulary in id order, merges as pairs).
    pub fn to_json(&self) -> String {
        let b = |x: bool| if x { "true" } else { "false" };
        let byte_level = |prefix: bool, trim: bool| {
            format!(
                "{{\"type\": \"ByteLevel\", \"add_prefix_space\": {}, \"trim_offsets\": {}, \"use_regex\": true}}",
                b(prefix),
                b(trim)
            )
        };
        let mut out = json::head(&self.tokens.added);
        out.push_str("  \"normalizer\": null,\n");
        out.push_str(&format!(
            "  \"pre_tokenizer\": {},\n  \"post_processor\": {},\n  \"decoder\": {},\n",
            byte_level(self.add_prefix_space, true),
            byte_level(self.add_prefix_space, false),
            byte_level(true, true)
        ));
        out.push_str(&format!(
            "  \"model\": {{\n    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": {},\n    \"continuing_subword_prefix\": null,\n    \"end_of_word_suffix\": null,\n    \"fuse_unk\": {},\n    \"byte_fallback\": false,\n    \"ignore_merges\": {},\n    \"vocab\": {{",
            self.unk.as_ref().map_or("null".into(), |(t, _)| quote(t)),
            b(self.fuse_unk),
            b(self.ignore_merges)
        ));
        json::push_vocab(&mut out, &self.tokens.vocab_r);
        out.push_str("\n    },\n    \"merges\": [");
        for (i, (a, m)) in self.merges.iter().enumerate() {
            out.push_str(if i == 0 { "\n      " } else { ",\n      " });
            out.push_str(&format!("[{}, {}]", quote(a), quote(m)));
        }
        out.push_str("\n    ]\n  }\n}\n");
        out
    }

    /// Writes [`BpeTokenizer::to_json`] to `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        json::write(path.as_ref(), self.to_json())
    }
}

impl Tokenizer for BpeTokenizer {
    fn encode(&self, text: &str) -> Vec<usize> {
        let mut out = Vec::new();
        for seg in self.matcher.split(text) {
            match seg {
                Segment::Added(id) => out.push(id),
                Segment::Text(t) => self.encode_text(t, &mut out),
            }
        }
        out
    }

    fn decode(&self, ids: &[usize]) -> Result<String> {
        let mut bytes = Vec::new();
        for &id in ids {
            if let Some(i) = self.tokens.added_index(id) {
                bytes.extend_from_slice(self.tokens.added[i].content.as_bytes());
            } else if let Some(t) = self.tokens.vocab_r.get(&id) {
                match t.chars().map(char_to_byte).collect::<Option<Vec<u8>>>() {
                    Some(b) => bytes.extend(b),
                    // Not byte-level characters (a token added by hand): its own text.
                    None => bytes.extend_from_slice(t.as_bytes()),
                }
            } else {
                return Err(Error::argument(
                    "BpeTokenizer::decode",
                    format!("id {id} is not in the vocabulary"),
                ));
            }
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
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

    fn id_to_token(&self, id: usize) -> Option<String> {
        self.tokens.id_to_token(id)
    }
}

/// Learns byte-level BPE merges from a corpus, as HuggingFace's `BpeTrainer` does with a
/// `ByteLevel` pre-tokenizer and `initial_alphabet=ByteLevel.alphabet()`: the special tokens
/// get the first ids, then the 256 byte characters in code point order, then one token per
/// merge. Each step merges the most frequent pair of neighbouring tokens (ties: the pair of
/// smaller ids), until the vocabulary has `vocab_size` tokens or no pair is seen
/// `min_frequency` times.
///
/// ```
/// use gf_data::text::{BpeTrainer, Tokenizer};
/// let trainer = BpeTrainer {
///     vocab_size: 270,
///     special_tokens: vec!["<|endoftext|>".into()],
///     ..Default::default()
/// };
/// let tok = trainer.train(["low lower lowest", "low low"]).unwrap();
/// assert_eq!(tok.merges()[0], ("l".to_string(), "o".to_string()));
/// assert_eq!(tok.token_to_id("<|endoftext|>"), Some(0));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BpeTrainer {
    /// The size of the vocabulary to reach, special tokens and the 256 bytes included
    /// (default 30000).
    pub vocab_size: usize,
    /// Pairs seen fewer times are not merged (default 0).
    pub min_frequency: u64,
    /// Special tokens, given the first ids.
    pub special_tokens: Vec<String>,
    /// Whether the pre-tokenizer puts a space before each text (default false).
    pub add_prefix_space: bool,
}

impl Default for BpeTrainer {
    fn default() -> Self {
        BpeTrainer {
            vocab_size: 30000,
            min_frequency: 0,
            special_tokens: Vec::new(),
            add_prefix_space: false,
        }
    }
}

/// A pair in the trainer's queue: most frequent first, then the smaller pair.
struct Merge {
    pair: (u32, u32),
    count: u64,
    pos: HashSet<usize>,
}

impl PartialEq for Merge {
    fn eq(&self, other: &Self) -> bool {
        self.count == other.count && self.pair == other.pair
    }
}
impl Eq for Merge {}
impl PartialOrd for Merge {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Merge {
    fn cmp(&self, other: &Self) -> Ordering {
        self.count
            .cmp(&other.count)
            .then_with(|| other.pair.cmp(&self.pair))
    }
}

/// Replaces every `(a, b)` in `word` by `new`, left to right, and returns the changes to the
/// pair counts (as HuggingFace's `Word::merge`).
fn merge_word(word: &mut Vec<u32>, a: u32, b: u32, new: u32) -> Vec<((u32, u32), i64)> {
    let mut changes = Vec::new();
    let mut i = 0;
    while i < word.len() {
        if word[i] == a && i + 1 < word.len() && word[i + 1] == b {
            if i > 0 {
                changes.push(((word[i - 1], a), -1));
                changes.push(((word[i - 1], new), 1));
            }
            word[i] = new;
            word.remove(i + 1);
            if i + 1 < word.len() {
                changes.push(((b, word[i + 1]), -1));
                changes.push(((new, word[i + 1]), 1));
            }
        }
        i += 1;
    }
    changes
}

/// The trainer's id of `token`, giving it the next id if it has none.
fn intern(
    token: String,
    word_to_id: &mut HashMap<String, u32>,
    id_to_word: &mut Vec<String>,
) -> u32 {
    if let Some(&id) = word_to_id.get(&token) {
        return id;
    }
    let id = id_to_word.len() as u32;
    word_to_id.insert(token.clone(), id);
    id_to_word.push(token);
    id
}

/// Queues every pair of `touched` that still occurs, with the words it occurs in, and empties
/// `touched` (HuggingFace's `where_to_update`).
fn queue_pairs(
    queue: &mut BinaryHeap<Merge>,
    touched: &mut HashMap<(u32, u32), HashSet<usize>>,
    pair_counts: &HashMap<(u32, u32), i64>,
) {
    for (pair, pos) in touched.drain() {
        let count = pair_counts.get(&pair).copied().unwrap_or(0);
        if count > 0 {
            queue.push(Merge {
                pair,
                count: count as u64,
                pos,
            });
        }
    }
}

impl BpeTrainer {
    /// Trains on `texts`, each pre-tokenized on its own (HuggingFace's `train_from_iterator`).
    pub fn train<S: AsRef<str>>(&self, texts: impl IntoIterator<Item = S>) -> Result<BpeTokenizer> {
        let mut word_counts: HashMap<String, u64> = HashMap::new();
        for text in texts {
            for word in byte_level_pre_tokenize(text.as_ref(), self.add_prefix_space) {
                *word_counts.entry(word).or_default() += 1;
            }
        }

        let mut word_to_id: HashMap<String, u32> = HashMap::new();
        let mut id_to_word: Vec<String> = Vec::new();
        for t in &self.special_tokens {
            intern(t.clone(), &mut word_to_id, &mut id_to_word);
        }
        let mut alphabet: Vec<char> = byte_to_char().to_vec();
        alphabet.sort_unstable();
        for c in alphabet {
            intern(c.to_string(), &mut word_to_id, &mut id_to_word);
        }

        let (mut words, counts): (Vec<Vec<u32>>, Vec<u64>) = word_counts
            .into_iter()
            .map(|(w, n)| {
                let mut buf = [0u8; 4];
                let syms = w
                    .chars()
                    .filter_map(|c| word_to_id.get(&*c.encode_utf8(&mut buf)).copied())
                    .collect();
                (syms, n)
            })
            .unzip();

        let mut pair_counts: HashMap<(u32, u32), i64> = HashMap::new();
        let mut where_to_update: HashMap<(u32, u32), HashSet<usize>> = HashMap::new();
        for (i, w) in words.iter().enumerate() {
            for p in w.windows(2) {
                let pair = (p[0], p[1]);
                *pair_counts.entry(pair).or_default() += counts[i] as i64;
                where_to_update.entry(pair).or_default().insert(i);
            }
        }
        let mut queue = BinaryHeap::with_capacity(pair_counts.len());
        queue_pairs(&mut queue, &mut where_to_update, &pair_counts);

        let mut merges: Vec<(u32, u32)> = Vec::new();
        while word_to_id.len() < self.vocab_size {
            let Some(mut top) = queue.pop() else { break };
            let current = pair_counts.get(&top.pair).copied().unwrap_or(0).max(0) as u64;
            if top.count != current {
                top.count = current;
                queue.push(top);
                continue;
            }
            if top.count < 1 || self.min_frequency > top.count {
                break;
            }
            let (a, b) = top.pair;
            let new_token = format!("{}{}", id_to_word[a as usize], id_to_word[b as usize]);
            let new_id = intern(new_token, &mut word_to_id, &mut id_to_word);
            merges.push(top.pair);
            let mut positions: Vec<usize> = top.pos.into_iter().collect();
            positions.sort_unstable();
            for i in positions {
                for (pair, change) in merge_word(&mut words[i], a, b, new_id) {
                    *pair_counts.entry(pair).or_default() += change * counts[i] as i64;
                    if change > 0 {
                        where_to_update.entry(pair).or_default().insert(i);
                    }
                }
            }
            queue_pairs(&mut queue, &mut where_to_update, &pair_counts);
        }

        let vocab: HashMap<String, usize> = word_to_id
            .into_iter()
            .map(|(t, id)| (t, id as usize))
            .collect();
        let merges = merges
            .into_iter()
            .map(|(a, b)| {
                (
                    id_to_word[a as usize].clone(),
                    id_to_word[b as usize].clone(),
                )
            })
            .collect();
        let added = self
            .special_tokens
            .iter()
            .filter_map(|t| vocab.get(t).map(|&id| AddedToken::special(id, t.clone())))
            .collect::<Vec<_>>();
        let mut seen = HashSet::new();
        let added = added.into_iter().filter(|t| seen.insert(t.id)).collect();
        Ok(BpeTokenizer::new(vocab, merges, added)?.with_add_prefix_space(self.add_prefix_space))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::bytelevel::to_byte_chars;

    fn tiny() -> BpeTokenizer {
        BpeTrainer {
            vocab_size: 270,
            special_tokens: vec!["<|endoftext|>".into(), "<pad>".into()],
            ..Default::default()
        }
        .train(["the cat sat on the mat.", "the hat, the bat; that is that"])
        .unwrap()
    }

    #[test]
    fn trainer_puts_specials_then_bytes_then_merges() {
        let tok = tiny();
        assert_eq!(tok.token_to_id("<|endoftext|>"), Some(0));
        assert_eq!(tok.token_to_id("<pad>"), Some(1));
        assert_eq!(tok.token_to_id("!"), Some(2)); // the smallest byte character
        assert_eq!(tok.vocab_size(), 270);
        assert_eq!(tok.merges().len(), 270 - 258);
        assert_eq!(tok.special_ids().pad, Some(1));
        assert_eq!(tok.special_ids().eos, Some(0));
        assert!(tok.is_special(0) && !tok.is_special(2));
    }

    #[test]
    fn added_tokens_are_split_out_and_decoded() {
        let tok = tiny();
        let ids = tok.encode("the cat<|endoftext|>the mat<pad>");
        assert!(ids.contains(&0) && ids.ends_with(&[1]));
        assert_eq!(
            tok.decode(&ids).unwrap(),
            "the cat<|endoftext|>the mat<pad>"
        );
        assert_eq!(tok.decode_skip_special(&ids).unwrap(), "the catthe mat");
        assert!(tok.decode(&[100_000]).is_err());
    }

    #[test]
    fn lstrip_and_rstrip_take_the_whitespace() {
        let base = tiny();
        let mut added = base.added_tokens().to_vec();
        added[1].lstrip = true;
        added[1].rstrip = true;
        let tok = BpeTokenizer::new(base.vocab().clone(), base.merges().to_vec(), added).unwrap();
        assert_eq!(
            tok.encode("a  <pad>  b"),
            [tok.encode("a")[0], 1, tok.encode("b")[0]]
        );
    }

    #[test]
    fn long_words_merge_quickly_and_like_the_simple_loop() {
        let tok = tiny();
        let word = "thatthehatthat".repeat(20_000);
        let ids = tok.encode(&word);
        assert_eq!(tok.decode(&ids).unwrap(), word);
        // The quadratic reference: merge the lowest (rank, position) pair until none is left.
        let short = to_byte_chars("thatthe hatat thatthe");
        let mut syms: Vec<usize> = short
            .chars()
            .map(|c| tok.tokens.vocab[&c.to_string()])
            .collect();
        while let Some((_, p, new)) = syms
            .windows(2)
            .enumerate()
            .filter_map(|(p, w)| tok.merge_map.get(&(w[0], w[1])).map(|&(r, n)| (r, p, n)))
            .min()
        {
            syms[p] = new;
            syms.remove(p + 1);
        }
        let mut ours = Vec::new();
        tok.bpe_word(&short, &mut ours);
        assert_eq!(ours, syms);
    }

    #[test]
    fn bad_merges_and_ids_are_errors() {
        let vocab: HashMap<String, usize> = [("a".into(), 0), ("b".into(), 1)].into();
        let e = BpeTokenizer::new(vocab.clone(), vec![("a".into(), "b".into())], vec![]);
        assert!(e.unwrap_err().to_string().contains("\"ab\""));
        let e = BpeTokenizer::new(vocab, vec![], vec![AddedToken::special(0, "x")]);
        assert!(e.is_err());
    }

    #[test]
    fn tokenizer_json_round_trip() {
        let tok = tiny();
        let back = BpeTokenizer::from_json(&tok.to_json(), "t.json").unwrap();
        assert_eq!(back.merges(), tok.merges());
        assert_eq!(back.vocab(), tok.vocab());
        assert_eq!(back.added_tokens(), tok.added_tokens());
        let s = "that hat, the bat!";
        assert_eq!(back.encode(s), tok.encode(s));
    }

    #[test]
    fn tokenizer_json_errors_name_the_key() {
        let e = BpeTokenizer::from_json("{\"model\": {\"type\": \"Unigram\"}}", "t.json");
        assert_eq!(
            e.unwrap_err().to_string(),
            "t.json: key model.type: the model is Some(\"Unigram\"), not \"BPE\""
        );
        let e = BpeTokenizer::from_json("{\n\"model\": ", "t.json").unwrap_err();
        assert!(e.to_string().starts_with("t.json: line 2"), "{e}");
        let json = tiny().to_json().replace("[\"t\", \"h\"]", "[\"t\"]");
        let e = BpeTokenizer::from_json(&json, "t.json").unwrap_err();
        assert!(e.to_string().contains("key model.merges["), "{e}");
    }
}
