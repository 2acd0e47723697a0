//! MinHash near-duplicate removal over one task's documents.
//!
//! Two documents are duplicates when any of their 14 buckets holds the same 8 hashes
//! (datatrove's bucket stage); duplicates are joined transitively with union-find (its cluster
//! stage); each cluster keeps one document.
//!
//! Deviation from datatrove 0.2.0: datatrove keeps whichever document its union-find ends up
//! with as root, which depends on file and processing order. Here the survivor is the document
//! with the **smallest id**, so the output is the same for any input order or thread count.
//! Documents without a signature (fewer than 5 words) are never duplicates, as in datatrove.

use std::fmt::Debug;

use crate::refine::minhash::{HASHES_PER_BUCKET, MinHashSignature, NUM_BUCKETS};

#[derive(Debug, thiserror::Error)]
pub enum DedupError {
    #[error("document id {id} appears at positions {first} and {second}; ids must be unique")]
    DuplicateId {
        id: String,
        first: usize,
        second: usize,
    },
    #[error("{count} documents exceed the dedup limit of {max}")]
    TooMany { count: usize, max: usize },
}

/// The outcome: for every input position, the position of its cluster's survivor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clusters {
    survivor: Vec<usize>,
}

impl Clusters {
    /// Position (in the input) of the document that `doc`'s cluster keeps.
    pub fn survivor_of(&self, doc: usize) -> Option<usize> {
        self.survivor.get(doc).copied()
    }

    /// Whether the document at `doc` is kept.
    pub fn keeps(&self, doc: usize) -> bool {
        self.survivor.get(doc) == Some(&doc)
    }

    /// Positions of the kept documents, ascending.
    pub fn survivors(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.survivor.len()).filter(|&doc| self.keeps(doc))
    }

    /// How many documents are dropped as duplicates.
    pub fn removed(&self) -> usize {
        self.survivor.len() - self.survivors().count()
    }

    /// Clusters with more than one member, each as ascending positions (survivor included),
    /// ordered by their smallest position.
    pub fn duplicate_groups(&self) -> Vec<Vec<usize>> {
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); self.survivor.len()];
        for (doc, &survivor) in self.survivor.iter().enumerate() {
            members[survivor].push(doc);
        }
        let mut groups: Vec<Vec<usize>> = members.into_iter().filter(|m| m.len() > 1).collect();
        groups.sort();
        groups
    }
}

/// Clusters `docs` (id, signature) by shared buckets and picks the smallest id per cluster.
/// Ids must be unique (an error names the first repeat). Cost: 14 sorts of n bucket keys.
pub fn cluster<K: Ord + Debug>(
    docs: &[(K, Option<MinHashSignature>)],
) -> Result<Clusters, DedupError> {
    let n = docs.len();
    if u32::try_from(n).is_err() {
        return Err(DedupError::TooMany {
            count: n,
            max: u32::MAX as usize,
        });
    }
    let mut by_id: Vec<usize> = (0..n).collect();
    by_id.sort_by(|&x, &y| docs[x].0.cmp(&docs[y].0));
    if let Some(pair) = by_id.windows(2).find(|w| docs[w[0]].0 == docs[w[1]].0) {
        let (first, second) = (pair[0].min(pair[1]), pair[0].max(pair[1]));
        return Err(DedupError::DuplicateId {
            id: format!("{:?}", docs[first].0),
            first,
            second,
        });
    }

    let mut sets = DisjointSets::new(n);
    let mut keys: Vec<([u64; HASHES_PER_BUCKET], u32)> = Vec::with_capacity(n);
    for bucket in 0..NUM_BUCKETS {
        keys.clear();
        keys.extend(
            docs.iter()
                .enumerate()
                .filter_map(|(doc, (_, signature))| signature.map(|s| (s.0[bucket], doc as u32))),
        );
        keys.sort_unstable();
        for pair in keys.windows(2) {
            if pair[0].0 == pair[1].0 {
                sets.union(pair[0].1 as usize, pair[1].1 as usize);
            }
        }
    }

    // Walking documents by ascending id, the first member seen of each set is its survivor.
    const UNSET: usize = usize::MAX;
    let mut root_survivor = vec![UNSET; n];
    let mut survivor = vec![UNSET; n];
    for &doc in &by_id {
        let root = sets.find(doc);
        if root_survivor[root] == UNSET {
            root_survivor[root] = doc;
        }
        survivor[doc] = root_survivor[root];
    }
    Ok(Clusters { survivor })
}

/// Union-find with path halving and union by size. Hand-written: a dozen lines, no crate needed.
struct DisjointSets {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl DisjointSets {
    fn new(n: usize) -> Self {
        DisjointSets {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] as usize != x {
            let grandparent = self.parent[self.parent[x] as usize];
            self.parent[x] = grandparent;
            x = grandparent as usize;
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a as u32;
        self.size[a] += self.size[b];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refine::minhash::MinHasher;

    /// Deterministic pseudo-English text of `words` words.
    fn text(seed: u64, words: usize) -> Vec<String> {
        const VOCAB: [&str; 24] = [
            "river", "stone", "market", "engine", "window", "garden", "silver", "policy", "winter",
            "signal", "harbor", "letter", "orange", "basket", "camera", "doctor", "forest",
            "planet", "butter", "ladder", "mirror", "pocket", "rocket", "tunnel",
        ];
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..words)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                VOCAB[(state % VOCAB.len() as u64) as usize].to_string()
            })
            .collect()
    }

    fn signature(words: &[String]) -> Option<MinHashSignature> {
        MinHasher::fineweb()
            .minhash(&words.join(" "))
            .map(|doc| doc.signature)
    }

    /// A signature whose buckets are all distinct from other `tag`s, except those overridden.
    fn synthetic(tag: u64) -> MinHashSignature {
        let mut buckets = [[0u64; HASHES_PER_BUCKET]; NUM_BUCKETS];
        for (b, bucket) in buckets.iter_mut().enumerate() {
            *bucket = [tag * 1000 + b as u64; HASHES_PER_BUCKET];
        }
        MinHashSignature(buckets)
    }

    #[test]
    fn near_duplicates_cluster_and_distinct_documents_stay() {
        let original = text(1, 400);
        let mut edited = original.clone();
        edited[200] = "zebra".into();
        let other = text(2, 400);
        let docs = vec![
            ("doc-c", signature(&edited)),
            ("doc-a", signature(&other)),
            ("doc-b", signature(&original)),
            ("doc-d", signature(&text(3, 3))),
        ];
        assert!(docs[3].1.is_none(), "three words give no shingles");
        let clusters = cluster(&docs).expect("unique ids");
        // doc-b and doc-c share buckets; doc-b has the smaller id and survives.
        assert_eq!(clusters.survivor_of(0), Some(2));
        assert!(clusters.keeps(1) && clusters.keeps(2) && clusters.keeps(3));
        assert!(!clusters.keeps(0));
        assert_eq!(clusters.removed(), 1);
        assert_eq!(clusters.duplicate_groups(), vec![vec![0, 2]]);
        assert_eq!(clusters.survivor_of(4), None);
    }

    #[test]
    fn clusters_are_transitive() {
        // a~b share bucket 0, b~c share bucket 5; a and c share nothing.
        let mut a = synthetic(1);
        let mut b = synthetic(2);
        let mut c = synthetic(3);
        a.0[0] = [7; HASHES_PER_BUCKET];
        b.0[0] = [7; HASHES_PER_BUCKET];
        b.0[5] = [9; HASHES_PER_BUCKET];
        c.0[5] = [9; HASHES_PER_BUCKET];
        // Seven of eight hashes equal is not a match.
        let mut d = synthetic(4);
        d.0[0] = [7, 7, 7, 7, 7, 7, 7, 8];
        let docs = vec![(30, Some(c)), (20, Some(b)), (10, Some(a)), (5, Some(d))];
        let clusters = cluster(&docs).expect("unique ids");
        assert_eq!(clusters.duplicate_groups(), vec![vec![0, 1, 2]]);
        assert_eq!(clusters.survivors().collect::<Vec<_>>(), vec![2, 3]);
    }

    #[test]
    fn survivors_do_not_depend_on_input_order() {
        let base: Vec<Vec<String>> = (0..6).map(|seed| text(seed, 120)).collect();
        let mut docs: Vec<(u64, Option<MinHashSignature>)> = Vec::new();
        for (id, words) in base.iter().enumerate() {
            docs.push((id as u64 * 10, signature(words)));
            // Two near-copies of each, with larger and smaller ids around the original.
            for (copy, offset) in [(1usize, 3u64), (2, 7)] {
                let mut near = words.clone();
                near[copy * 40] = format!("edit{copy}");
                docs.push((id as u64 * 10 + offset, signature(&near)));
            }
        }
        let kept_ids = |docs: &[(u64, Option<MinHashSignature>)]| {
            let clusters = cluster(docs).expect("unique ids");
            let mut ids: Vec<u64> = clusters.survivors().map(|i| docs[i].0).collect();
            ids.sort();
            ids
        };
        let expected = kept_ids(&docs);
        assert_eq!(
            expected,
            vec![0, 10, 20, 30, 40, 50],
            "one survivor, the smallest id"
        );
        let mut state = 0x1234_5678u64;
        for _ in 0..20 {
            for i in (1..docs.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                docs.swap(i, (state % (i as u64 + 1)) as usize);
            }
            assert_eq!(kept_ids(&docs), expected);
        }
    }

    #[test]
    fn golden_signatures_cluster_like_datatrove() {
        // datatrove's own signatures of the 405 golden documents (computed by datatrove, not by
        // this crate): bucket matching + union-find removes 171 of them (many are the same
        // article as clean text and as a trafilatura extraction).
        let Some(path) =
            nya_metadata::fixtures::path("refine/golden/datatrove-0.2.0-filters.jsonl")
        else {
            return;
        };
        #[derive(serde::Deserialize)]
        struct Golden {
            minhash_sig_14x8: Vec<Vec<u64>>,
        }
        let text = std::fs::read_to_string(path).expect("golden file reads");
        let docs: Vec<(usize, Option<MinHashSignature>)> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(id, line)| {
                let golden: Golden = serde_json::from_str(line).expect("golden line parses");
                let mut signature = [[0u64; HASHES_PER_BUCKET]; NUM_BUCKETS];
                for (bucket, hashes) in signature.iter_mut().zip(&golden.minhash_sig_14x8) {
                    bucket.copy_from_slice(hashes);
                }
                (id, Some(MinHashSignature(signature)))
            })
            .collect();
        let clusters = cluster(&docs).expect("unique ids");
        assert_eq!(clusters.removed(), 171);
        for group in clusters.duplicate_groups() {
            // Every member shares a full bucket with another member of its group.
            for &doc in &group {
                let Some(signature) = docs[doc].1 else {
                    continue;
                };
                let linked = group.iter().any(|&other| {
                    other != doc
                        && docs[other]
                            .1
                            .is_some_and(|o| o.0.iter().zip(&signature.0).any(|(x, y)| x == y))
                });
                assert!(linked, "document {doc} has no shared bucket in its group");
            }
            assert_eq!(
                clusters.survivor_of(group[0]),
                Some(group[0]),
                "smallest id kept"
            );
        }
    }

    #[test]
    fn repeated_ids_are_rejected() {
        let docs = vec![
            ("x", Some(synthetic(1))),
            ("y", None),
            ("x", Some(synthetic(2))),
        ];
        match cluster(&docs) {
            Err(DedupError::DuplicateId { id, first, second }) => {
                assert_eq!((id.as_str(), first, second), ("\"x\"", 0, 2));
            }
            other => panic!("expected a duplicate-id error, got {other:?}"),
        }
        let empty: Vec<(u8, Option<MinHashSignature>)> = Vec::new();
        assert_eq!(
            cluster(&empty).expect("empty is fine").survivors().count(),
            0
        );
    }
}
