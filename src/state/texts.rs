//! Texts kept end to end in pages instead of one `String` each: a record holds a 4-byte
//! [`TextRef`] where a `String` takes a 24-byte header and an allocation of its own.
//! Used for the ids and references of the most numerous records.

use std::num::NonZeroU32;

/// Bytes per page; a text's place is its page and its offset in it (16 bits each).
const PAGE: usize = 1 << 16;
/// Longest text a page holds (its length takes at most two bytes).
pub const MAX_TEXT_BYTES: usize = 64 * 128 - 1;

/// Where a text is in a [`TextArena`]. `Option<TextRef>` takes 4 bytes too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextRef(NonZeroU32);

/// Append-only texts. Each is stored as its length in one or two ASCII bytes (below
/// 64: one byte; else `64 + len / 128` then `len % 128`) and then its UTF-8 bytes, so a
/// page is always valid UTF-8 and reading a text back needs no check. A text never
/// spans pages; a page is filled to within one text of its end.
#[derive(Clone, Debug, Default)]
pub struct TextArena {
    pages: Vec<String>,
}

impl TextArena {
    /// Stores a text; `None` if it is longer than [`MAX_TEXT_BYTES`] (commands' texts
    /// are far shorter; a snapshot's are checked when read).
    pub fn push(&mut self, text: &str) -> Option<TextRef> {
        let len = text.len();
        if len > MAX_TEXT_BYTES {
            return None;
        }
        let head = if len < 64 { 1 } else { 2 };
        let fits = self
            .pages
            .last()
            .is_some_and(|p| p.len() + head + len <= PAGE);
        if !fits {
            self.pages.push(String::with_capacity(PAGE));
        }
        let page_no = self.pages.len() - 1;
        let page = self.pages.last_mut()?;
        let offset = page.len();
        if len < 64 {
            page.push(char::from(len as u8));
        } else {
            page.push(char::from(64 + (len / 128) as u8));
            page.push(char::from((len % 128) as u8));
        }
        page.push_str(text);
        let page_no = u32::try_from(page_no)
            .ok()
            .filter(|&p| p < 1 << 16)
            .expect("text arena exceeds 4 GiB");
        let at = page_no << 16 | offset as u32;
        // Stored plus one: a place of zero is the first page's first byte.
        NonZeroU32::new(at.checked_add(1)?).map(TextRef)
    }

    /// The text at `r` (empty for a place this arena never gave out).
    pub fn get(&self, r: TextRef) -> &str {
        let at = (r.0.get() - 1) as usize;
        let Some(page) = self.pages.get(at >> 16) else {
            return "";
        };
        let bytes = page.as_bytes();
        let offset = at & (PAGE - 1);
        let (len, head) = match bytes.get(offset) {
            Some(&b) if b < 64 => (usize::from(b), 1),
            Some(&b) => {
                let low = bytes.get(offset + 1).copied().unwrap_or(0);
                (usize::from(b - 64) * 128 + usize::from(low), 2)
            }
            None => return "",
        };
        page.get(offset + head..offset + head + len).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_come_back_across_pages_and_lengths() {
        let mut arena = TextArena::default();
        let texts: Vec<String> = (0..40_000)
            .map(|i| match i % 5 {
                0 => String::new(),
                1 => format!("p{i:08}"),
                2 => "é".repeat(i % 300),
                3 => "x".repeat(63 + i % 3),
                _ => "Référence ".repeat(1 + i % 50),
            })
            .collect();
        let refs: Vec<TextRef> = texts.iter().map(|t| arena.push(t).unwrap()).collect();
        assert!(arena.pages.len() > 1, "spans pages");
        for (t, r) in texts.iter().zip(&refs) {
            assert_eq!(arena.get(*r), t);
        }
        let longest = "y".repeat(MAX_TEXT_BYTES);
        let r = arena.push(&longest).unwrap();
        assert_eq!(arena.get(r), longest);
        assert_eq!(arena.push(&"y".repeat(MAX_TEXT_BYTES + 1)), None);
        assert_eq!(std::mem::size_of::<Option<TextRef>>(), 4);
    }
}
