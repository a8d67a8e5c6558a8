//! Short texts (invoice ids and numbers) packed end to end in fixed-size chunks, found
//! by one `u32` and a length the holder keeps: no 24-byte `String` header and no
//! capacity slack per text, and no chunk ever moves or grows by doubling.

/// Bytes per chunk; also the bound on a chunk offset (the low 16 bits of a [`TextAt`]).
const CHUNK: usize = 1 << 16;

/// Where a text is: its chunk in the high 16 bits, its offset in that chunk in the low
/// 16 bits.
pub type TextAt = u32;

/// Texts end to end; each holder keeps where its text starts and how long it is.
#[derive(Clone, Debug, Default)]
pub struct TextArena {
    chunks: Vec<String>,
}

impl TextArena {
    /// Appends the texts end to end (together in one chunk); returns where they start.
    /// They read back as one text of their summed length, for the holder to split.
    pub fn push(&mut self, texts: &[&str]) -> TextAt {
        let size: usize = texts.iter().map(|t| t.len()).sum();
        // Texts never straddle two chunks, and start in the first `CHUNK` bytes.
        if !self
            .chunks
            .last()
            .is_some_and(|c| c.len() < CHUNK && c.len() + size <= c.capacity())
        {
            self.chunks.push(String::with_capacity(CHUNK.max(size)));
        }
        let chunk = u32::try_from(self.chunks.len() - 1)
            .ok()
            .filter(|&c| c < 1 << 16)
            .expect("fewer than 4 GiB of texts");
        let mut at = 0;
        if let Some(chunk) = self.chunks.last_mut() {
            at = chunk.len() as u32;
            for text in texts {
                chunk.push_str(text);
            }
        }
        (chunk << 16) | at
    }

    /// The `len` bytes at `at` (empty if they are not a text pushed there).
    pub fn get(&self, at: TextAt, len: usize) -> &str {
        let start = (at & 0xffff) as usize;
        self.chunks
            .get((at >> 16) as usize)
            .and_then(|c| c.get(start..start + len))
            .unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_read_back_across_chunks() {
        let mut arena = TextArena::default();
        let long = "é".repeat(200);
        let mut at = Vec::new();
        for i in 0..20_000 {
            let id = format!("inv-{i}");
            let number = if i % 7 == 0 {
                long.clone()
            } else {
                format!("N{i}")
            };
            at.push((arena.push(&[&id, &number]), id, number));
        }
        assert!(arena.chunks.len() > 2, "spans chunks");
        let read = |arena: &TextArena, at: TextAt, a: &str, b: &str| {
            let both = arena.get(at, a.len() + b.len());
            let (x, y) = both.split_at(a.len());
            (x.to_string(), y.to_string())
        };
        for (at, id, number) in &at {
            assert_eq!(read(&arena, *at, id, number), (id.clone(), number.clone()));
        }
        let big = "x".repeat(CHUNK * 2);
        let at_big = arena.push(&[&big]);
        assert_eq!(arena.get(at_big, big.len()), big);
        let after = arena.push(&["after"]);
        assert_eq!(arena.get(after, 5), "after");
        assert_eq!(arena.get(after, 6), "", "past what was pushed");
        let (at3, id3, n3) = &at[3];
        assert_eq!(
            read(&arena, *at3, id3, n3).1,
            "N3",
            "earlier texts never move"
        );
    }
}
