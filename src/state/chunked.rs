//! An append-only table in fixed-size chunks. A `Vec` grown by doubling holds up to twice
//! what it needs (a quarter more on average) and copies everything at each doubling; a
//! chunked table wastes at most one chunk and never moves what it holds. Used for the
//! ledger's big tables (records grow with history and are never removed).

/// Items per chunk.
const CHUNK: usize = 1024;

/// Items in order, in chunks of [`CHUNK`].
#[derive(Clone, Debug)]
pub struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Chunked<T> {
    /// How many items.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends one.
    pub fn push(&mut self, item: T) {
        if self.len % CHUNK == 0 {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        if let Some(chunk) = self.chunks.last_mut() {
            chunk.push(item);
        }
        self.len += 1;
    }

    /// The item at `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / CHUNK)?.get(i % CHUNK)
    }

    /// The item at `i`, to change, if there is one.
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.chunks.get_mut(i / CHUNK)?.get_mut(i % CHUNK)
    }

    /// Every item, in order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flatten()
    }
}

impl<T> std::ops::Index<usize> for Chunked<T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        &self.chunks[i / CHUNK][i % CHUNK]
    }
}

impl<T> std::ops::IndexMut<usize> for Chunked<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.chunks[i / CHUNK][i % CHUNK]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_items_in_order_across_chunks() {
        let mut t = Chunked::default();
        for i in 0..(CHUNK * 2 + 3) {
            t.push(i);
        }
        assert_eq!(t.len(), CHUNK * 2 + 3);
        assert_eq!(t[CHUNK], CHUNK);
        assert_eq!(t.get(CHUNK * 2 + 2), Some(&(CHUNK * 2 + 2)));
        assert_eq!(t.get(CHUNK * 2 + 3), None);
        t[5] = 50;
        assert_eq!(t.iter().copied().nth(5), Some(50));
        assert!(t
            .iter()
            .copied()
            .eq((0..CHUNK * 2 + 3).map(|i| if i == 5 { 50 } else { i })));
    }
}
