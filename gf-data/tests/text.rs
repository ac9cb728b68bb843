//! Tokenizers against HuggingFace `tokenizers` (fixtures made by
//! tests/fixtures/text/make_fixtures.py), round trips, and padding.

use std::path::{Path, PathBuf};

use gf_data::text::{
    byte_level_pre_tokenize, pad_batch, BpeTokenizer, BpeTrainer, CharTokenizer, PadOptions,
    Padding, Side, SpecialTokens, Tokenizer, Vocab, VocabOptions, WordTokenizer,
};
use proptest::prelude::*;
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/text")
        .join(name)
}

fn read_json(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    serde_json::from_str(&text).unwrap()
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

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

fn ids(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_u64().unwrap() as usize)
        .collect()
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
        assert_eq!(tok.encode(text), ids(&s["ids"]), "ids of {text:?}");
        assert_eq!(
            tok.tokenize(text),
            strings(&s["tokens"]),
            "tokens of {text:?}"
        );
        assert_eq!(
            tok.decode(&ids(&s["ids"])).unwrap(),
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
