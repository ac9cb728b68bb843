//! GPT-2's byte level: every byte shown as a printable character, and the pre-tokenizer that
//! cuts text into words before BPE.

use std::sync::OnceLock;

use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// GPT-2's `bytes_to_unicode`: printable Latin-1 bytes stand for themselves, the other 68 bytes
/// for the characters from U+0100 on, in byte order.
pub(crate) fn byte_to_char() -> &'static [char; 256] {
    static TABLE: OnceLock<[char; 256]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = ['\0'; 256];
        let mut next = 256u32;
        for (b, slot) in table.iter_mut().enumerate() {
            let printable = matches!(b, 33..=126 | 161..=172 | 174..=255);
            let code = if printable {
                b as u32
            } else {
                next += 1;
                next - 1
            };
            *slot = char::from_u32(code).unwrap_or('\0');
        }
        table
    })
}

/// The byte a byte-level character stands for.
pub(crate) fn char_to_byte(c: char) -> Option<u8> {
    let code = c as u32;
    match code {
        33..=126 | 161..=172 | 174..=255 => Some(code as u8),
        // The 68 other bytes, in order: 0..=32, 127..=160, 173.
        256..=288 => Some((code - 256) as u8),
        289..=322 => Some((code - 289 + 127) as u8),
        323 => Some(173),
        _ => None,
    }
}

/// `text`'s bytes as byte-level characters.
pub(crate) fn to_byte_chars(text: &str) -> String {
    let table = byte_to_char();
    text.bytes().map(|b| table[b as usize]).collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Number,
    Space,
    Other,
}

fn class(c: char) -> Class {
    if c.is_whitespace() {
        return Class::Space;
    }
    match c.general_category_group() {
        GeneralCategoryGroup::Letter => Class::Letter,
        GeneralCategoryGroup::Number => Class::Number,
        _ => Class::Other,
    }
}

/// Cuts `text` as GPT-2's pattern
/// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` does, without a
/// regex engine: at each position the first alternative that matches wins, and runs are greedy.
pub(crate) fn split_gpt2(text: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    let at = |k: usize| chars.get(k).map(|&(_, c)| c);
    let byte = |k: usize| chars.get(k).map_or(text.len(), |&(b, _)| b);
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let c = chars[i].1;
        // 's 't 're 've 'm 'll 'd
        if c == '\'' {
            let len = match (at(i + 1), at(i + 2)) {
                (Some('s' | 't' | 'm' | 'd'), _) => 1,
                (Some('r'), Some('e')) | (Some('v'), Some('e')) | (Some('l'), Some('l')) => 2,
                _ => 0,
            };
            if len > 0 {
                out.push(&text[byte(i)..byte(i + 1 + len)]);
                i += 1 + len;
                continue;
            }
        }
        // ` ?X+` for letters, numbers and the rest: an optional space, then a run of one class.
        let run_start = match at(i + 1) {
            Some(next) if c == ' ' && class(next) != Class::Space => Some(i + 1),
            _ if class(c) != Class::Space => Some(i),
            _ => None,
        };
        if let Some(s) = run_start {
            let k = class(chars[s].1);
            let mut j = s + 1;
            while j < n && class(chars[j].1) == k {
                j += 1;
            }
            out.push(&text[byte(i)..byte(j)]);
            i = j;
            continue;
        }
        // `\s+(?!\S)` then `\s+`: a whitespace run leaves its last character to the next word,
        // unless the run ends the text or is a single character.
        let mut j = i + 1;
        while j < n && class(chars[j].1) == Class::Space {
            j += 1;
        }
        if j < n && j - i >= 2 {
            j -= 1;
        }
        out.push(&text[byte(i)..byte(j)]);
        i = j;
    }
    out
}

/// HuggingFace's `ByteLevel` pre-tokenizer (`use_regex=True`): cuts `text` as GPT-2 does and
/// writes each piece's bytes as byte-level characters (a space shows as `Ġ`). With
/// `add_prefix_space`, a space is put first when the text does not start with one.
///
/// ```
/// let words = gf_data::text::byte_level_pre_tokenize("Hello  world", false);
/// assert_eq!(words, ["Hello", "Ġ", "Ġworld"]);
/// ```
pub fn byte_level_pre_tokenize(text: &str, add_prefix_space: bool) -> Vec<String> {
    if add_prefix_space && !text.starts_with(' ') {
        let spaced = format!(" {text}");
        split_gpt2(&spaced).into_iter().map(to_byte_chars).collect()
    } else {
        split_gpt2(text).into_iter().map(to_byte_chars).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_map_is_a_bijection_onto_printable_characters() {
        let table = byte_to_char();
        for b in 0..=255u8 {
            let c = table[b as usize];
            assert!(!c.is_whitespace() && !c.is_control(), "{b}");
            assert_eq!(char_to_byte(c), Some(b));
        }
        assert_eq!(table[b' ' as usize], 'Ġ');
        assert_eq!(table[b'\n' as usize], 'Ċ');
        assert_eq!(char_to_byte(' '), None);
    }

    #[test]
    fn split_matches_the_gpt2_pattern() {
        // Expected pieces from HuggingFace `tokenizers`' ByteLevel.pre_tokenize_str.
        assert_eq!(
            split_gpt2("Hello  world\n\n  x"),
            ["Hello", " ", " world", "\n\n ", " x"]
        );
        assert_eq!(
            split_gpt2("don't I'M 'x ?'s"),
            ["don", "'t", " I", "'", "M", " '", "x", " ?'", "s"]
        );
        assert_eq!(split_gpt2("a1b22 c"), ["a", "1", "b", "22", " c"]);
        assert_eq!(split_gpt2("tab\there "), ["tab", "\t", "here", " "]);
        assert_eq!(
            split_gpt2("e\u{301}té 日本語 🚀!!"),
            ["e", "\u{301}", "té", " 日本語", " 🚀!!"]
        );
        assert_eq!(split_gpt2("   "), ["   "]);
        assert_eq!(split_gpt2(" \n a"), [" \n", " a"]);
        assert!(split_gpt2("").is_empty());
    }

    #[test]
    fn prefix_space_is_added_once() {
        assert_eq!(byte_level_pre_tokenize("hi", true), ["Ġhi"]);
        assert_eq!(byte_level_pre_tokenize(" hi", true), ["Ġhi"]);
    }
}
