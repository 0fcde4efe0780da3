//! The one total order of SPEC §3 and bounded top-K selection.
//!
//! Every ranking (gem score and each baseline) sorts by its own primary key,
//! then token ascending (byte-wise), then UTC instant ascending, then input
//! line ascending. Lines are unique, so this is a total order: the same rows
//! in any input order rank the same.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A primary key where larger values rank first (score, market cap, momentum).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Desc(pub f64);

impl Eq for Desc {}
impl PartialOrd for Desc {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Desc {
    fn cmp(&self, other: &Self) -> Ordering {
        // `+ 0.0` makes -0 and +0 equal keys.
        (other.0 + 0.0).total_cmp(&(self.0 + 0.0))
    }
}

/// Position of a row in the total order, after its primary key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TieBreak {
    pub token: Box<str>,
    pub nanos: i64,
    pub line: u64,
}

/// A borrowed sort key: (primary, token bytes, UTC nanoseconds, input line).
pub type KeyRef<'a, P> = (&'a P, &'a [u8], i64, u64);

/// Compare two rows by (primary, token, instant, line) without owning them.
#[inline]
pub fn cmp_rank<P: Ord>(a: KeyRef<'_, P>, b: KeyRef<'_, P>) -> Ordering {
    a.0.cmp(b.0)
        .then_with(|| a.1.cmp(b.1))
        .then(a.2.cmp(&b.2))
        .then(a.3.cmp(&b.3))
}

/// A ranked row: its primary key, its tie-break and what the report needs of it.
#[derive(Clone, Debug)]
pub struct Entry<P, T> {
    pub primary: P,
    pub tie: TieBreak,
    pub item: T,
}

impl<P: Ord, T> Entry<P, T> {
    /// Compare in rank order (first = best).
    pub fn cmp_rank(&self, other: &Self) -> Ordering {
        self.primary
            .cmp(&other.primary)
            .then_with(|| self.tie.cmp(&other.tie))
    }
}

struct Worst<P, T>(Entry<P, T>);
impl<P: Ord, T> PartialEq for Worst<P, T> {
    fn eq(&self, o: &Self) -> bool {
        self.0.cmp_rank(&o.0) == Ordering::Equal
    }
}
impl<P: Ord, T> Eq for Worst<P, T> {}
impl<P: Ord, T> PartialOrd for Worst<P, T> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<P: Ord, T> Ord for Worst<P, T> {
    fn cmp(&self, o: &Self) -> Ordering {
        self.0.cmp_rank(&o.0)
    }
}

/// The K best rows seen so far (O(K) memory, O(log K) per accepted row).
pub struct TopK<P, T> {
    k: usize,
    // Max-heap on rank order: the top is the worst row kept.
    heap: BinaryHeap<Worst<P, T>>,
}

impl<P: Ord, T> TopK<P, T> {
    /// An empty selection of at most `k` rows.
    pub fn new(k: usize) -> Self {
        TopK {
            k,
            heap: BinaryHeap::new(),
        }
    }

    /// Whether a row with this key would enter the selection (cheap test
    /// before building the entry).
    #[inline]
    pub fn admits(&self, primary: &P, token: &[u8], nanos: i64, line: u64) -> bool {
        if self.heap.len() < self.k {
            return true;
        }
        match self.heap.peek() {
            Some(w) => {
                let w = &w.0;
                cmp_rank(
                    (primary, token, nanos, line),
                    (&w.primary, w.tie.token.as_bytes(), w.tie.nanos, w.tie.line),
                ) == Ordering::Less
            }
            None => false,
        }
    }

    /// Offer a row; it is kept when it ranks among the best K.
    pub fn push(&mut self, entry: Entry<P, T>) {
        if self.heap.len() < self.k {
            self.heap.push(Worst(entry));
        } else if let Some(mut top) = self.heap.peek_mut() {
            if entry.cmp_rank(&top.0) == Ordering::Less {
                *top = Worst(entry);
            }
        }
    }

    /// Merge another selection into this one.
    pub fn merge(&mut self, other: TopK<P, T>) {
        for Worst(e) in other.heap {
            self.push(e);
        }
    }

    /// Number of rows kept.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether nothing was kept.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The kept rows in rank order (best first).
    pub fn into_sorted(self) -> Vec<Entry<P, T>> {
        let mut v: Vec<Entry<P, T>> = self.heap.into_iter().map(|w| w.0).collect();
        v.sort_by(Entry::cmp_rank);
        v
    }
}

/// Sort whole entries in rank order (used by `gemscan score`).
pub fn sort_entries<P: Ord + Send, T: Send>(v: &mut [Entry<P, T>]) {
    use rayon::slice::ParallelSliceMut;
    v.par_sort_unstable_by(Entry::cmp_rank);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(score: f64, token: &str, nanos: i64, line: u64) -> Entry<Desc, ()> {
        Entry {
            primary: Desc(score),
            tie: TieBreak {
                token: token.into(),
                nanos,
                line,
            },
            item: (),
        }
    }

    #[test]
    fn ties_by_token_then_date_then_line() {
        let mut t = TopK::new(10);
        for x in [
            e(50.0, "B", 1, 1),
            e(50.0, "A", 2, 2),
            e(50.0, "A", 1, 3),
            e(60.0, "Z", 9, 4),
            e(50.0, "A", 1, 0),
        ] {
            t.push(x);
        }
        let got: Vec<(String, i64, u64)> = t
            .into_sorted()
            .into_iter()
            .map(|x| (x.tie.token.to_string(), x.tie.nanos, x.tie.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Z".into(), 9, 4),
                ("A".into(), 1, 0),
                ("A".into(), 1, 3),
                ("A".into(), 2, 2),
                ("B".into(), 1, 1)
            ]
        );
    }

    #[test]
    fn keeps_best_k_and_admits_agrees() {
        let mut t = TopK::new(2);
        let rows = [
            e(1.0, "a", 0, 0),
            e(3.0, "b", 0, 1),
            e(2.0, "c", 0, 2),
            e(3.0, "a", 0, 3),
        ];
        for r in rows {
            let adm = t.admits(&r.primary, r.tie.token.as_bytes(), r.tie.nanos, r.tie.line);
            let before: Vec<u64> = t.heap.iter().map(|w| w.0.tie.line).collect();
            t.push(r);
            let after: Vec<u64> = t.heap.iter().map(|w| w.0.tie.line).collect();
            assert_eq!(adm, before != after || before.len() < 2);
        }
        let lines: Vec<u64> = t.into_sorted().iter().map(|x| x.tie.line).collect();
        assert_eq!(lines, vec![3, 1]);
    }

    #[test]
    fn negative_zero_equals_zero() {
        assert_eq!(Desc(-0.0).cmp(&Desc(0.0)), Ordering::Equal);
        assert_eq!(Desc(2.0).cmp(&Desc(1.0)), Ordering::Less);
    }
}
