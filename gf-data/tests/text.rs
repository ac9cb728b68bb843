//! Tokenizers against HuggingFace `tokenizers` (fixtures made by
//! tests/fixtures/text/make_fixtures.py and make_wordpiece_fixtures.py), round trips, and
//! padding.

mod common;

use std::path::PathBuf;

use gf_data::text::{
    byte_level_pre_tokenize, pad_batch, BertNormalizer, BpeTokenizer, BpeTrainer, CharTokenizer,
    HfTokenizer, PadOptions, Padding, Side, SpecialTokens, Tokenizer, Vocab, VocabOptions,
    WordPieceOptions, WordPieceTokenizer, WordTokenizer,
};
use proptest::prelude::*;
use serde_json::Value;

use common::{strings, usizes};

fn fixture(name: &str) -> PathBuf {
    common::fixture_path("text", name)
}

fn read_json(name: &str) -> Value {
    common::read_json("text", name)
}

fn hf() -> BpeTokenizer {
    BpeTokenizer::load(fixture("hf_tokenizer.json")).unwrap()
}

/// The settings of make_fixtures.py's HuggingFace trainer.
fn trainer() -> BpeTrainer {
    BpeTrainer {
        vocab_size: 400,
        min_frequency: 2,
        special_tokens: vec!["<|endoftext|>".into(), "<pad>".into()],
        add_prefix_space: false,
    }
}

fn corpus_lines() -> Vec<String> {
    let corpus = std::fs::read_to_string(fixture("corpus.txt")).unwrap();
    corpus.split_inclusive('\n').map(String::from).collect()
}

#[test]
fn hf_tokenizer_json_encodes_every_sentence_like_hf() {
    let tok = hf();
    assert_eq!(tok.vocab_size(), 400);
    let enc = read_json("encodings.json");
    let sentences = enc["sentences"].as_array().unwrap();
    assert!(sentences.len() >= 15);
    for s in sentences {
        let text = s["text"].as_str().unwrap();
        assert_eq!(
            byte_level_pre_tokenize(text, false),
            strings(&s["pieces"]),
            "pieces of {text:?}"
        );
        assert_eq!(tok.encode(text), usizes(&s["ids"]), "ids of {text:?}");
        assert_eq!(
            tok.tokenize(text),
            strings(&s["tokens"]),
            "tokens of {text:?}"
        );
        assert_eq!(
            tok.decode(&usizes(&s["ids"])).unwrap(),
            s["decoded"].as_str().unwrap(),
            "decoding of {text:?}"
        );
    }
}

#[test]
fn merges_as_strings_load_the_same_tokenizer() {
    let mut json = read_json("hf_tokenizer.json");
    let merges = json["model"]["merges"].as_array().unwrap().clone();
    let as_strings: Vec<Value> = merges
        .iter()
        .map(|m| {
            Value::String(format!(
                "{} {}",
                m[0].as_str().unwrap(),
                m[1].as_str().unwrap()
            ))
        })
        .collect();
    json["model"]["merges"] = Value::Array(as_strings);
    let tok = BpeTokenizer::from_json(&json.to_string(), "strings.json").unwrap();
    let reference = hf();
    assert_eq!(tok.merges(), reference.merges());
    let text = "don't stop the 2024 café";
    assert_eq!(tok.encode(text), reference.encode(text));
}

#[test]
fn our_trainer_learns_hf_merges_and_vocab() {
    let ours = trainer().train(corpus_lines()).unwrap();
    let reference = hf();
    assert_eq!(ours.merges(), reference.merges());
    assert_eq!(ours.vocab(), reference.vocab());
    assert_eq!(ours.added_tokens(), reference.added_tokens());
}

#[test]
fn our_saved_tokenizer_is_the_committed_one_and_hf_reads_it() {
    let ours = trainer().train(corpus_lines()).unwrap();
    let path = fixture("gf_tokenizer.json");
    if std::env::var_os("GF_WRITE_FIXTURES").is_some() {
        ours.save(&path).unwrap();
    }
    // make_fixtures.py loaded this very file in HuggingFace `tokenizers`.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), ours.to_json());
    let check = read_json("hf_check.json");
    assert_eq!(check["gf_tokenizer_loaded"], Value::Bool(true));
    assert_eq!(check["same_vocab"], Value::Bool(true));
    assert!(check["sentences"].as_u64().unwrap() >= 15);
    assert_eq!(check["mismatches"], Value::Array(vec![]));
}

#[test]
fn save_then_load_gives_the_same_tokenizer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokenizer.json");
    let tok = hf().with_add_prefix_space(true);
    tok.save(&path).unwrap();
    let back = BpeTokenizer::load(&path).unwrap();
    assert_eq!(back.merges(), tok.merges());
    assert_eq!(back.vocab(), tok.vocab());
    assert_eq!(back.added_tokens(), tok.added_tokens());
    assert!(back.add_prefix_space());
    let text = "Hello<|endoftext|>world, it's 3.14";
    assert_eq!(back.encode(text), tok.encode(text));
    // The prefix space shows in the ids: "Hello" is encoded as " Hello".
    assert_eq!(back.encode("Hello"), hf().encode(" Hello"));

    let missing = BpeTokenizer::load(dir.path().join("nope.json")).unwrap_err();
    assert!(missing.to_string().contains("nope.json"), "{missing}");
}

#[test]
fn unsupported_tokenizer_json_is_an_error_naming_the_key() {
    let mut json = read_json("hf_tokenizer.json");
    json["normalizer"] = serde_json::json!({"type": "NFC"});
    let e = BpeTokenizer::from_json(&json.to_string(), "t.json").unwrap_err();
    assert!(e.to_string().starts_with("t.json: key normalizer:"), "{e}");
    let mut json = read_json("hf_tokenizer.json");
    json["pre_tokenizer"] = serde_json::json!({"type": "Whitespace"});
    let e = BpeTokenizer::from_json(&json.to_string(), "t.json").unwrap_err();
    assert!(
        e.to_string().starts_with("t.json: key pre_tokenizer:"),
        "{e}"
    );
}

#[test]
fn model_settings_load_at_their_no_op_values_and_fail_otherwise() {
    use serde_json::json;
    let with = |key: &str, value: Value| {
        let mut j = read_json("hf_tokenizer.json");
        j["model"][key] = value;
        BpeTokenizer::from_json(&j.to_string(), "t.json")
    };
    let cases = [
        ("continuing_subword_prefix", json!(""), json!("##")),
        ("end_of_word_suffix", json!(""), json!("</w>")),
        ("dropout", json!(0.0), json!(0.1)),
        ("byte_fallback", json!(false), json!(true)),
    ];
    for (key, no_op, unsupported) in cases {
        for ok in [Value::Null, no_op] {
            assert_eq!(with(key, ok).unwrap().merges(), hf().merges(), "{key}");
        }
        let e = with(key, unsupported).unwrap_err().to_string();
        assert!(e.starts_with(&format!("t.json: key model.{key}:")), "{e}");
    }
    let mut j = read_json("hf_tokenizer.json");
    j["normalizer"] = Value::Null;
    assert!(BpeTokenizer::from_json(&j.to_string(), "t.json").is_ok());
}

proptest! {
    #[test]
    fn byte_level_bpe_decodes_what_it_encodes(s in any::<String>()) {
        let tok = hf();
        prop_assert_eq!(tok.decode(&tok.encode(&s)).unwrap(), s.clone());
        let pieces = byte_level_pre_tokenize(&s, false);
        prop_assert!(pieces.iter().all(|p| !p.is_empty()));
    }

    #[test]
    fn byte_level_bpe_round_trips_ascii_heavy_text(s in "[ a-zA-Z0-9'.,!?\n\t]{0,60}") {
        let tok = hf();
        prop_assert_eq!(tok.decode(&tok.encode(&s)).unwrap(), s);
    }
}

#[test]
fn char_tokenizer_with_custom_specials_saves_and_loads() {
    let opts = VocabOptions {
        min_freq: 2,
        max_size: None,
        specials: SpecialTokens {
            pad: Some("[PAD]".into()),
            unk: Some("[UNK]".into()),
            bos: None,
            eos: None,
            additional: vec!["[MASK]".into()],
        },
    };
    let tok = CharTokenizer::fit(["aab", "abc"], &opts).unwrap();
    // c is seen once, below min_freq.
    assert_eq!(tok.vocab().tokens(), ["[PAD]", "[UNK]", "[MASK]", "a", "b"]);
    assert_eq!(tok.encode("abcz"), [3, 4, 1, 1]);
    assert_eq!(tok.encode_with_bos_eos("a"), [3]);
    assert_eq!(tok.special_ids().pad, Some(0));
    assert!(tok.is_special(2));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vocab.json");
    tok.save(&path).unwrap();
    assert_eq!(CharTokenizer::load(&path).unwrap(), tok);
    std::fs::write(&path, "{\"specials\": 3}").unwrap();
    let e = CharTokenizer::load(&path).unwrap_err();
    assert!(e.to_string().contains("vocab.json: line 1, column"), "{e}");
}

#[test]
fn word_tokenizer_lowercases_splits_punctuation_and_caps_the_vocab() {
    let texts = ["The cat sat.", "The dog sat!", "A cat, a dog."];
    let opts = VocabOptions {
        max_size: Some(8),
        ..Default::default()
    };
    let tok = WordTokenizer::fit(texts, &opts, true).unwrap();
    // 4 specials, then 4 of the six words seen twice: ties go in string order.
    assert_eq!(
        &tok.vocab().tokens()[4..],
        [".", "a", "cat", "dog"].map(String::from)
    );
    assert_eq!(tok.split("The CAT, sat."), ["the", "cat", ",", "sat", "."]);
    let unk = tok.special_ids().unk.unwrap();
    assert_eq!(tok.encode("A dog!"), [5, 7, unk]);
    assert_eq!(tok.decode(&tok.encode("a cat.")).unwrap(), "a cat .");

    let cased = WordTokenizer::fit(texts, &VocabOptions::default(), false).unwrap();
    assert!(cased.token_to_id("The").is_some() && cased.token_to_id("the").is_none());
}

#[test]
fn pad_batch_right_left_longest_max_length_and_truncation() {
    let seqs = vec![vec![1, 2, 3, 4], vec![5, 6], vec![7]];

    let (ids, mask) = pad_batch(&seqs, &PadOptions::default()).unwrap();
    assert_eq!(ids.dims(), [3, 4]);
    assert_eq!(ids.to_vec(), [1, 2, 3, 4, 5, 6, 0, 0, 7, 0, 0, 0]);
    assert_eq!(
        mask.to_vec().iter().map(|&m| m as u8).collect::<Vec<_>>(),
        [1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0]
    );

    let left = PadOptions {
        pad_id: 9,
        side: Side::Left,
        ..Default::default()
    };
    let (ids, mask) = pad_batch(&seqs, &left).unwrap();
    assert_eq!(ids.to_vec(), [1, 2, 3, 4, 9, 9, 5, 6, 9, 9, 9, 7]);
    assert_eq!(mask.to_vec()[4..8], [false, false, true, true]);

    let to_six = PadOptions {
        max_length: Some(6),
        padding: Padding::MaxLength,
        ..Default::default()
    };
    let (ids, _) = pad_batch(&seqs, &to_six).unwrap();
    assert_eq!(ids.dims(), [3, 6]);
    assert_eq!(ids.to_vec()[..6], [1, 2, 3, 4, 0, 0]);

    // Too long without truncation: an error naming the sequence.
    let short = PadOptions {
        max_length: Some(3),
        ..Default::default()
    };
    let e = pad_batch(&seqs, &short).unwrap_err();
    assert!(e.to_string().contains("sequence 0 has 4 tokens"), "{e}");

    let truncate = PadOptions {
        truncation: true,
        ..short
    };
    let (ids, mask) = pad_batch(&seqs, &truncate).unwrap();
    assert_eq!(ids.to_vec(), [1, 2, 3, 5, 6, 0, 7, 0, 0]);
    assert_eq!(mask.to_vec()[3..6], [true, true, false]);

    let truncate_left = PadOptions {
        truncation_side: Side::Left,
        padding: Padding::MaxLength,
        max_length: Some(2),
        ..truncate
    };
    let (ids, _) = pad_batch(&seqs, &truncate_left).unwrap();
    assert_eq!(ids.to_vec(), [3, 4, 5, 6, 7, 0]);

    // Longest padding with a max_length only caps; it does not pad up to it.
    let (ids, _) = pad_batch(&[vec![1], vec![2, 3]], &to_six_longest()).unwrap();
    assert_eq!(ids.dims(), [2, 2]);
}

fn to_six_longest() -> PadOptions {
    PadOptions {
        max_length: Some(6),
        truncation: true,
        ..Default::default()
    }
}

#[test]
fn a_tokenized_batch_pads_with_the_tokenizers_pad_id() {
    let tok = hf();
    let pad_id = tok.special_ids().pad.unwrap();
    let batch = tok.encode_batch(&["the cat", "the cat sat on the mat"]);
    let (ids, mask) = pad_batch(
        &batch,
        &PadOptions {
            pad_id,
            ..Default::default()
        },
    )
    .unwrap();
    let width = batch[1].len();
    assert_eq!(ids.dims(), [2, width]);
    let row0 = &ids.to_vec()[..width];
    assert_eq!(
        row0[batch[0].len()..]
            .iter()
            .filter(|&&i| i == pad_id)
            .count(),
        width - batch[0].len()
    );
    assert_eq!(
        mask.to_vec().iter().filter(|&&m| m).count(),
        batch[0].len() + width
    );
    assert_eq!(tok.decode_skip_special(row0).unwrap(), "the cat");
}

#[test]
fn vocab_special_tokens_default_first_in_order() {
    let v = Vocab::build("b a b".split(' '), &VocabOptions::default()).unwrap();
    assert_eq!(v.tokens(), ["<pad>", "<unk>", "<bos>", "<eos>", "b", "a"]);
    assert_eq!(v.lookup("zzz"), Some(1));
    assert_eq!(v.id_to_token(4), Some("b"));
}

// ---- WordPiece (BERT) against HuggingFace: make_wordpiece_fixtures.py ----

const WP_VARIANTS: [&str; 3] = ["uncased", "cased", "raw"];

fn wp(variant: &str) -> WordPieceTokenizer {
    WordPieceTokenizer::load(fixture(&format!("wp_{variant}.json"))).unwrap()
}

fn wp_sentences(variant: &str) -> Vec<Value> {
    let enc = read_json("wp_encodings.json");
    enc["variants"][variant]["sentences"]
        .as_array()
        .unwrap()
        .clone()
}

/// Checks `tok` against every sentence HF encoded with `variant`'s file.
fn assert_encodes_like_hf(tok: &WordPieceTokenizer, variant: &str) {
    let sentences = wp_sentences(variant);
    assert!(sentences.len() >= 20);
    for s in &sentences {
        let text = s["text"].as_str().unwrap();
        let expected = usizes(&s["ids"]);
        assert_eq!(tok.encode(text), expected, "{variant}: ids of {text:?}");
        assert_eq!(
            tok.decode(&expected).unwrap(),
            s["decoded"].as_str().unwrap(),
            "{variant}: decoding of {text:?}"
        );
        assert_eq!(
            tok.decode_skip_special(&expected).unwrap(),
            s["decoded_skip_special"].as_str().unwrap(),
            "{variant}: decoding of {text:?} without special tokens"
        );
        // HF's post-processor is BERT's [CLS] A [SEP].
        assert_eq!(
            tok.encode_with_bos_eos(text),
            usizes(&s["ids_with_special"]),
            "{variant}: {text:?} with [CLS] and [SEP]"
        );
        // HF writes the matched text of lstrip/rstrip tokens (" <sep> ") as their token.
        if !text.contains("<sep>") {
            assert_eq!(
                tok.tokenize(text),
                strings(&s["tokens"]),
                "{variant}: tokens of {text:?}"
            );
        }
    }
}

#[test]
fn wordpiece_encodes_and_decodes_every_sentence_like_hf() {
    let enc = read_json("wp_encodings.json");
    for variant in WP_VARIANTS {
        let tok = wp(variant);
        assert_eq!(
            tok.vocab_size() as u64,
            enc["variants"][variant]["vocab_size"].as_u64().unwrap(),
            "{variant}"
        );
        assert_encodes_like_hf(&tok, variant);
    }
}

#[test]
fn wordpiece_variants_have_the_settings_of_their_files() {
    let uncased = wp("uncased");
    assert_eq!(
        uncased.options().normalizer,
        Some(BertNormalizer::default())
    );
    assert_eq!(uncased.options().max_input_chars_per_word, 100);
    let cased = wp("cased");
    let n = cased.options().normalizer.unwrap();
    assert!(!n.lowercase && !n.strips_accents());
    assert_eq!(cased.options().max_input_chars_per_word, 20);
    // 21 characters: longer than max_input_chars_per_word, so unknown.
    let unk = cased.special_ids().unk.unwrap();
    assert_eq!(cased.encode("abcdefghijklmnopqrstu"), [unk]);
    assert_ne!(cased.encode("abcdefghijklmnopqrst"), [unk]);
    let raw = wp("raw");
    let n = raw.options().normalizer.unwrap();
    assert!(!n.clean_text && !n.handle_chinese_chars && n.strips_accents());
    assert!(!raw.options().decoder.as_ref().unwrap().cleanup);
    // "GhostFlow" is normalized: matched in lowercased text, decoded lowercased.
    let id = raw.token_to_id("GhostFlow").unwrap();
    assert_eq!(raw.encode("GHOSTFLOW"), [id]);
    assert_eq!(raw.id_to_token(id).unwrap(), "ghostflow");
    assert!(!raw.is_special(id));
    let s = uncased.special_ids();
    assert_eq!(
        (s.pad, s.unk, s.bos, s.eos),
        (Some(0), Some(1), Some(2), Some(3))
    );
    assert!(uncased.is_special(4) && !uncased.is_special(5));
}

#[test]
fn wordpiece_save_then_load_gives_the_same_tokenizer() {
    let dir = tempfile::tempdir().unwrap();
    for variant in WP_VARIANTS {
        let tok = wp(variant);
        let path = dir.path().join(format!("{variant}.json"));
        tok.save(&path).unwrap();
        let back = WordPieceTokenizer::load(&path).unwrap();
        assert_eq!(back.vocab(), tok.vocab());
        assert_eq!(back.added_tokens(), tok.added_tokens());
        assert_eq!(back.options(), tok.options());
        assert_eq!(back.special_ids(), tok.special_ids());
        assert_eq!(back.to_json(), tok.to_json());
        assert_encodes_like_hf(&back, variant);
    }
}

#[test]
fn wordpiece_files_we_save_are_committed_and_hf_reads_them_alike() {
    let path = |variant: &str| fixture(&format!("wp_gf_{variant}.json"));
    if std::env::var_os("GF_WRITE_FIXTURES").is_some() {
        for variant in WP_VARIANTS {
            wp(variant).save(path(variant)).unwrap();
        }
    }
    let check = read_json("wp_hf_check.json");
    for variant in WP_VARIANTS {
        let ours = wp(variant);
        let path = path(variant);
        // make_wordpiece_fixtures.py loaded this very file in HuggingFace `tokenizers`.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), ours.to_json());
        let c = &check["variants"][variant];
        assert_eq!(c["gf_tokenizer_loaded"], Value::Bool(true), "{variant}");
        assert_eq!(c["same_vocab"], Value::Bool(true), "{variant}");
        assert!(c["sentences"].as_u64().unwrap() >= 20);
        assert_eq!(c["mismatches"], Value::Array(vec![]), "{variant}");
    }
}

#[test]
fn hf_tokenizer_dispatches_on_the_model_type() {
    let bert = HfTokenizer::load(fixture("wp_uncased.json")).unwrap();
    assert!(matches!(bert, HfTokenizer::WordPiece(_)));
    let gpt = HfTokenizer::load(fixture("hf_tokenizer.json")).unwrap();
    assert!(matches!(gpt, HfTokenizer::Bpe(_)));
    let text = "The quick brown fox, [MASK] café";
    assert_eq!(bert.encode(text), wp("uncased").encode(text));
    assert_eq!(gpt.encode(text), hf().encode(text));
    let boxed: Vec<Box<dyn Tokenizer>> = vec![Box::new(bert.clone()), Box::new(gpt)];
    assert!(boxed.iter().all(|t| t.vocab_size() > 300));
    assert_eq!(bert.to_json(), wp("uncased").to_json());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    bert.save(&path).unwrap();
    assert_eq!(
        HfTokenizer::load(&path).unwrap().encode(text),
        bert.encode(text)
    );

    let e = HfTokenizer::from_json("{\"model\": {\"type\": \"Unigram\"}}", "t.json").unwrap_err();
    assert_eq!(
        e.to_string(),
        "t.json: key model.type: the model is Some(\"Unigram\"); supported: \"BPE\", \"WordPiece\""
    );
    let missing = HfTokenizer::load(dir.path().join("nope.json")).unwrap_err();
    assert!(missing.to_string().contains("nope.json"), "{missing}");
}

#[test]
fn wordpiece_errors_name_the_json_key() {
    use serde_json::json;
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut j = read_json("wp_uncased.json");
        edit(&mut j);
        WordPieceTokenizer::from_json(&j.to_string(), "t.json")
    };
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "normalizer",
            Box::new(|j| j["normalizer"] = json!({"type": "NFKC"})),
        ),
        (
            "normalizer.lowercase",
            Box::new(|j| j["normalizer"]["lowercase"] = json!("yes")),
        ),
        (
            "normalizer.strip_accents",
            Box::new(|j| j["normalizer"]["strip_accents"] = json!(1)),
        ),
        (
            "pre_tokenizer",
            Box::new(|j| j["pre_tokenizer"] = json!({"type": "Whitespace"})),
        ),
        (
            "decoder",
            Box::new(|j| j["decoder"] = json!({"type": "ByteLevel"})),
        ),
        (
            "model.type",
            Box::new(|j| j["model"]["type"] = json!("BPE")),
        ),
        (
            "model.unk_token",
            Box::new(|j| j["model"]["unk_token"] = json!("<unk>")),
        ),
        (
            "model.unk_token",
            Box::new(|j| {
                j["model"]["vocab"].as_object_mut().unwrap().remove("[UNK]");
                j["added_tokens"].as_array_mut().unwrap().remove(1);
            }),
        ),
        (
            "model.max_input_chars_per_word",
            Box::new(|j| j["model"]["max_input_chars_per_word"] = json!(-3)),
        ),
        (
            "model.vocab",
            Box::new(|j| j["model"]["vocab"]["the"] = json!("x")),
        ),
        (
            "added_tokens[0]",
            Box::new(|j| j["added_tokens"][0]["content"] = json!(null)),
        ),
    ];
    for (key, edit) in cases {
        let e = with(&*edit).unwrap_err().to_string();
        assert!(e.starts_with(&format!("t.json: key {key}:")), "{key}: {e}");
    }
    // A null normalizer and decoder are fine: no normalization, tokens joined by spaces.
    let tok = with(&|j| {
        j["normalizer"] = Value::Null;
        j["decoder"] = Value::Null;
    })
    .unwrap();
    assert!(tok.options().normalizer.is_none());
    assert_eq!(tok.decode(&tok.encode("the cat.")).unwrap(), "the cat .");
    assert_eq!(tok.encode("The"), [tok.special_ids().unk.unwrap()]);
    let e = WordPieceTokenizer::from_json("{\n\"model\": ", "t.json").unwrap_err();
    assert!(e.to_string().starts_with("t.json: line 2"), "{e}");
}

#[test]
fn wordpiece_from_vocab_builds_bert_from_a_token_list() {
    let reference = wp("uncased");
    // The trained vocabulary in id order, as BERT's vocab.txt lists it.
    let mut by_id: Vec<(&String, &usize)> = reference.vocab().iter().collect();
    by_id.sort_by_key(|(_, &id)| id);
    let specials = SpecialTokens {
        pad: Some("[PAD]".into()),
        unk: Some("[UNK]".into()),
        bos: Some("[CLS]".into()),
        eos: Some("[SEP]".into()),
        additional: vec!["[MASK]".into()],
    };
    let tokens: Vec<String> = by_id.iter().skip(5).map(|(t, _)| (*t).clone()).collect();
    let vocab = Vocab::new(tokens, specials).unwrap();
    let tok = WordPieceTokenizer::from_vocab(&vocab, &WordPieceOptions::default()).unwrap();
    assert_eq!(tok.vocab(), reference.vocab());
    assert_eq!(tok.added_tokens(), reference.added_tokens());
    assert_eq!(tok.to_json(), reference.to_json());
    assert_encodes_like_hf(&tok, "uncased");

    let no_unk = Vocab::new(vec!["a".into()], SpecialTokens::none()).unwrap();
    let e = WordPieceTokenizer::from_vocab(&no_unk, &WordPieceOptions::default()).unwrap_err();
    assert!(e.to_string().contains("\"[UNK]\""), "{e}");
}

proptest! {
    #[test]
    fn wordpiece_never_panics_and_pieces_spell_the_normalized_words(s in any::<String>()) {
        let tok = wp("uncased");
        let ids = tok.encode(&s);
        prop_assert!(tok.decode(&ids).is_ok());
        // Without unknown words, the pieces glued back are the normalized text's words.
        let unk = tok.special_ids().unk.unwrap();
        if !ids.contains(&unk) && !s.contains('[') {
            let normalized = BertNormalizer::default().normalize(&s);
            let words: String = gf_data::text::bert_pre_tokenize(&normalized).concat();
            let glued: String = ids
                .iter()
                .map(|&i| tok.id_to_token(i).unwrap().trim_start_matches("##").to_owned())
                .collect();
            prop_assert_eq!(glued, words);
        }
    }
}
