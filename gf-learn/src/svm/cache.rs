//! libsvm's kernel cache: for each column of Q, the prefix computed so far, kept until the
//! float budget runs out and then evicted least recently used first.
//!
//! Columns are stored as `f32`, as libsvm's `Qfloat`, which halves the memory and keeps the
//! solver's arithmetic libsvm's.

/// The cached prefixes of the `l` columns of Q, in a least-recently-used list.
pub(crate) struct Cache {
    /// `columns[i]`: the first `columns[i].len()` entries of column `i` (empty: not cached).
    columns: Vec<Vec<f32>>,
    /// The LRU list, circular through the sentinel `l`: `next[l]` is the least recent.
    prev: Vec<usize>,
    next: Vec<usize>,
    /// Floats the budget still allows.
    free: usize,
}

/// What libsvm charges per column for its bookkeeping (a `head_t`), in floats.
const HEAD_FLOATS: usize = 8;

impl Cache {
    /// A cache for `l` columns within `bytes` bytes, and never less than two full columns.
    pub(crate) fn new(l: usize, bytes: usize) -> Self {
        let free = (bytes / 4).saturating_sub(l * HEAD_FLOATS).max(2 * l);
        let sentinel = l;
        Cache {
            columns: vec![Vec::new(); l],
            prev: vec![sentinel; l + 1],
            next: vec![sentinel; l + 1],
            free,
        }
    }

    fn unlink(&mut self, h: usize) {
        let (p, n) = (self.prev[h], self.next[h]);
        self.next[p] = n;
        self.prev[n] = p;
    }

    /// Puts `h` at the most recent end.
    fn link_last(&mut self, h: usize) {
        let sentinel = self.columns.len();
        let last = self.prev[sentinel];
        self.next[h] = sentinel;
        self.prev[h] = last;
        self.next[last] = h;
        self.prev[sentinel] = h;
    }

    /// Drops column `h` (already unlinked) and returns its floats to the budget.
    fn drop_column(&mut self, h: usize) {
        self.free += self.columns[h].len();
        self.columns[h] = Vec::new();
    }

    /// Column `index` with room for `len` entries, and how many of them were already
    /// computed: the caller fills the rest. Marks it most recently used.
    pub(crate) fn get(&mut self, index: usize, len: usize) -> (&mut [f32], usize) {
        let had = self.columns[index].len();
        if had > 0 {
            self.unlink(index);
        }
        if len > had {
            let more = len - had;
            let sentinel = self.columns.len();
            while self.free < more {
                let oldest = self.next[sentinel];
                debug_assert_ne!(oldest, sentinel, "the budget holds two full columns");
                self.unlink(oldest);
                self.drop_column(oldest);
            }
            self.columns[index].resize(len, 0.0);
            self.free -= more;
        }
        self.link_last(index);
        (&mut self.columns[index], had)
    }

    /// Column `index` as cached (empty when it is not).
    pub(crate) fn column(&self, index: usize) -> &[f32] {
        &self.columns[index]
    }

    /// Exchanges the roles of samples `i` and `j`: their columns, and their entries in every
    /// cached column (a column that holds `i` but not `j` is dropped, as libsvm does).
    pub(crate) fn swap_index(&mut self, i: usize, j: usize) {
        if i == j {
            return;
        }
        for h in [i, j] {
            if !self.columns[h].is_empty() {
                self.unlink(h);
            }
        }
        self.columns.swap(i, j);
        for h in [i, j] {
            if !self.columns[h].is_empty() {
                self.link_last(h);
            }
        }
        let (lo, hi) = (i.min(j), i.max(j));
        let sentinel = self.columns.len();
        let mut h = self.next[sentinel];
        while h != sentinel {
            let following = self.next[h];
            let len = self.columns[h].len();
            if len > lo {
                if len > hi {
                    self.columns[h].swap(lo, hi);
                } else {
                    self.unlink(h);
                    self.drop_column(h);
                }
            }
            h = following;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(cache: &mut Cache, index: usize, len: usize) -> usize {
        let (col, had) = cache.get(index, len);
        for (k, v) in col.iter_mut().enumerate().skip(had) {
            *v = (index * 100 + k) as f32;
        }
        had
    }

    #[test]
    fn keeps_prefixes_and_evicts_the_least_recent() {
        // Budget: max(0, 2 * 3) = 6 floats for 3 columns of length 3.
        let mut cache = Cache::new(3, 0);
        assert_eq!(fill(&mut cache, 0, 2), 0);
        assert_eq!(fill(&mut cache, 0, 3), 2);
        assert_eq!(fill(&mut cache, 1, 3), 0);
        // Column 2 needs room: column 0, the least recent, goes.
        assert_eq!(fill(&mut cache, 2, 3), 0);
        assert!(cache.column(0).is_empty());
        assert_eq!(cache.column(1), &[100.0, 101.0, 102.0]);
    }

    #[test]
    fn swap_exchanges_columns_and_entries() {
        let mut cache = Cache::new(3, 1 << 20);
        fill(&mut cache, 0, 3);
        fill(&mut cache, 1, 1);
        cache.swap_index(0, 2);
        assert!(cache.column(0).is_empty());
        assert_eq!(cache.column(2), &[2.0, 1.0, 0.0]);
        // Column 1 holds entry 0 but not entry 2: dropped.
        assert!(cache.column(1).is_empty());
    }
}
