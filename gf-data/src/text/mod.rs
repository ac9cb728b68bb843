//! Text: character, word and BPE tokenizers, vocabularies with special tokens, padding and
//! truncation to a batch, and HuggingFace `tokenizer.json` files.
