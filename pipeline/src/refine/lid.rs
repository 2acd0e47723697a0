//! fastText language identification (lid.176), inference only.
//!
//! Reads fastText's binary model format (`.bin` and quantized `.ftz`), all little-endian:
//!
//! ```text
//! i32 magic = 793712314, i32 version (11 or 12)
//! args:  i32 dim, ws, epoch, minCount, neg, wordNgrams, loss, model, bucket, minn, maxn,
//!        lrUpdateRate; f64 t
//! dict:  i32 size, nwords, nlabels; i64 ntokens, pruneidx_size;
//!        size × (NUL-terminated bytes, i64 count, i8 type 0=word 1=label);
//!        pruneidx_size × (i32 bucket, i32 row)
//! u8 quantized input?  then the input matrix:
//!   dense: i64 rows, i64 cols, rows·cols × f32
//!   quant: u8 qnorm, i64 rows, i64 cols, i32 codesize, codesize × u8 codes,
//!          product quantizer (i32 dim, nsubq, dsub, lastdsub; 256·dim × f32 centroids),
//!          if qnorm: rows × u8 norm codes + a product quantizer of dim 1
//! u8 quantized output?  then the output matrix (dense, or quant when the input is quant)
//! ```
//!
//! Prediction reproduces fastText 0.9's `predict` for supervised models with hierarchical
//! softmax: tokens split on ' ', '\n', '\r', '\t', '\v', '\f', '\0', then the end-of-sentence
//! token `</s>`; each word contributes its row plus its character n-gram buckets (FNV-1a over
//! *sign-extended* bytes, `bucket` buckets, remapped through `pruneidx` in pruned models) and
//! word n-grams; the hidden vector is the mean of those rows (f32, multiplied by the f32
//! reciprocal as fastText does), and labels come from a depth-first walk of the Huffman tree
//! built from label counts, pruned by the threshold and the current k-th best score.
//!
//! Deviations (documented, deliberate): newlines inside the text count as whitespace (the Python
//! binding rejects them, the C++ reader stops at the first one); ties between equal scores are
//! broken deterministically (fastText leaves them to its heap); only supervised models with
//! hierarchical softmax are accepted, which is what lid.176 is; maxn and wordNgrams above 64
//! are refused (the work per token grows with them; real models use ≤ 6).

use std::path::{Path, PathBuf};

/// `FASTTEXT_FILEFORMAT_MAGIC_INT32`.
const MAGIC: i32 = 793_712_314;
const EOS: &[u8] = b"</s>";
const LABEL_PREFIX: &[u8] = b"__label__";
/// Centroids per sub-quantizer (fastText always uses 8 bits per code).
const KSUB: usize = 256;
/// fastText's `loss_name::hs` and `model_name::sup`.
const LOSS_HS: i32 = 1;
const MODEL_SUPERVISED: i32 = 3;
/// `HierarchicalSoftmaxLoss::buildTree` seeds internal nodes with this count.
const TREE_SENTINEL_COUNT: i64 = 1_000_000_000_000_000;
/// Largest maxn / wordNgrams accepted: real models use ≤ 6; the work per token grows with n.
const MAX_NGRAM: i32 = 64;
/// The smallest possible dictionary entry: an empty word's NUL, an i64 count and an i8 type.
const MIN_ENTRY_BYTES: usize = 1 + 8 + 1;

/// The label FineWeb keeps and the score it must exceed (datatrove's `LanguageFilter`).
pub const FINEWEB_LANGUAGE: &str = "en";
pub const FINEWEB_MIN_SCORE: f64 = 0.65;

/// datatrove's decision: keep when the top label is English with a score above 0.65 (compared
/// in f64, as Python compares the float32 score with the literal).
pub fn fineweb_keeps(language: &str, score: f32) -> bool {
    language == FINEWEB_LANGUAGE && f64::from(score) > FINEWEB_MIN_SCORE
}

#[derive(Debug, thiserror::Error)]
pub enum LidError {
    #[error("cannot read fastText model {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "fastText model truncated: {what} needs {needed} bytes at offset {offset}, {available} left"
    )]
    Truncated {
        what: &'static str,
        offset: usize,
        needed: u128,
        available: usize,
    },
    #[error("not a fastText model: magic {found}, expected {MAGIC}")]
    BadMagic { found: i32 },
    #[error("unsupported fastText model version {found} (supported: 11, 12)")]
    UnsupportedVersion { found: i32 },
    #[error("invalid fastText model: {what} at offset {offset}: {detail}")]
    Invalid {
        what: &'static str,
        offset: usize,
        detail: String,
    },
    #[error("invalid fastText model: {what}: {detail}")]
    Inconsistent { what: &'static str, detail: String },
    #[error("unsupported fastText model: {0}")]
    Unsupported(String),
    #[error("fastText model has {extra} unexpected bytes after the output matrix")]
    TrailingBytes { extra: usize },
}

/// A loaded language-identification model. Immutable and `Sync`: share one per process.
pub struct LanguageId {
    dim: usize,
    minn: i32,
    maxn: i32,
    word_ngrams: i32,
    /// `bucket` as a fast modulus; None when the model has no buckets.
    bucket: Option<FastModulo>,
    vocab: Vocabulary,
    buckets: BucketRows,
    /// Per word id: the input rows it contributes (itself, then its char n-grams), as CSR.
    word_rows_start: Vec<u32>,
    word_rows: Vec<u32>,
    input: Matrix,
    output: Matrix,
    tree: HuffmanTree,
    /// Language codes in model order, `__label__` removed.
    labels: Vec<String>,
}

/// Reusable buffers for [`LanguageId::predict_into`]; one per thread.
#[derive(Default)]
pub struct LidScratch {
    hidden: Vec<f32>,
    word_hashes: Vec<i32>,
    /// `<` + token + `>`: the token with fastText's word-boundary markers.
    token: Vec<u8>,
    stack: Vec<(u32, f32)>,
    best: Vec<(f32, u32)>,
    /// Output buffer of [`LanguageId::predict_datatrove`].
    top: Vec<(usize, f32)>,
}

impl LanguageId {
    /// Loads a fastText model file (lid.176.ftz or lid.176.bin).
    pub fn load(path: &Path) -> Result<Self, LidError> {
        let bytes = std::fs::read(path).map_err(|source| LidError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes(&bytes)
    }

    /// Parses a model held in memory; every count is checked against the bytes that remain
    /// before anything is allocated.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, LidError> {
        let mut r = Reader { bytes, pos: 0 };
        let magic = r.i32("magic")?;
        if magic != MAGIC {
            return Err(LidError::BadMagic { found: magic });
        }
        let version = r.i32("version")?;
        if version != 11 && version != 12 {
            return Err(LidError::UnsupportedVersion { found: version });
        }
        let mut args = Args::read(&mut r)?;
        if version == 11 && args.model == MODEL_SUPERVISED {
            // fastText: supervised models of version 11 predate char n-grams.
            args.maxn = 0;
        }
        if args.model != MODEL_SUPERVISED {
            return Err(LidError::Unsupported(format!(
                "model kind {} (only supervised models, 3, predict labels)",
                args.model
            )));
        }
        if args.loss != LOSS_HS {
            return Err(LidError::Unsupported(format!(
                "loss {} (only hierarchical softmax, 1, is implemented)",
                args.loss
            )));
        }
        if args.maxn > MAX_NGRAM || args.word_ngrams > MAX_NGRAM {
            return Err(LidError::Unsupported(format!(
                "maxn {} / wordNgrams {} above {MAX_NGRAM} (n-gram work grows with them)",
                args.maxn, args.word_ngrams
            )));
        }
        let dict = Dictionary::read(&mut r)?;
        let quant_input = r.bool("quantized-input flag")?;
        let input = Matrix::read(&mut r, quant_input, "input matrix")?;
        // fastText reads a quantized output only when the input is quantized too.
        let quant_output = r.bool("quantized-output flag")? && quant_input;
        let output = Matrix::read(&mut r, quant_output, "output matrix")?;
        if r.remaining() != 0 {
            return Err(LidError::TrailingBytes {
                extra: r.remaining(),
            });
        }
        Self::assemble(args, dict, input, output, bytes.len())
    }

    fn assemble(
        args: Args,
        dict: Dictionary,
        input: Matrix,
        output: Matrix,
        file_len: usize,
    ) -> Result<Self, LidError> {
        let dim = args.dim;
        let shape_error =
            |what: &'static str, detail: String| LidError::Inconsistent { what, detail };
        if input.cols() != dim || output.cols() != dim {
            return Err(shape_error(
                "matrix shapes",
                format!(
                    "input has {} columns and output {}, args say dim {dim}",
                    input.cols(),
                    output.cols()
                ),
            ));
        }
        let nwords = dict.nwords;
        let nlabels = dict.labels.len();
        if output.rows() != nlabels {
            return Err(shape_error(
                "output matrix",
                format!("{} rows for {nlabels} labels", output.rows()),
            ));
        }
        if input.rows() < nwords {
            return Err(shape_error(
                "input matrix",
                format!("{} rows for {nwords} words", input.rows()),
            ));
        }
        let hashes_used = args.maxn > 0 || args.word_ngrams > 1;
        let bucket_rows = input.rows() - nwords;
        let buckets = match dict.prune {
            Prune::Disabled => BucketRows::Disabled,
            Prune::Unpruned => {
                if hashes_used && usize::try_from(args.bucket).is_ok_and(|b| b > bucket_rows) {
                    return Err(shape_error(
                        "input matrix",
                        format!(
                            "{} rows, fewer than {nwords} words + {} buckets",
                            input.rows(),
                            args.bucket
                        ),
                    ));
                }
                BucketRows::Direct {
                    first_row: to_u32(nwords, "word count")?,
                }
            }
            Prune::Map(pairs) => {
                let mut map = U32Map::with_capacity(pairs.len());
                for &(bucket, row) in &pairs {
                    if bucket < 0 || bucket >= args.bucket {
                        return Err(shape_error(
                            "pruned bucket index",
                            format!("bucket {bucket} outside 0..{}", args.bucket),
                        ));
                    }
                    let row_ok = usize::try_from(row).is_ok_and(|r| r < bucket_rows);
                    if !row_ok {
                        return Err(shape_error(
                            "pruned bucket index",
                            format!("row {row} outside the {bucket_rows} n-gram rows"),
                        ));
                    }
                    // Both were range-checked just above.
                    let row = to_u32(nwords + row.unsigned_abs() as usize, "pruned row")?;
                    map.insert(bucket.unsigned_abs(), row);
                }
                map.build_filter();
                BucketRows::Pruned(map)
            }
        };
        if hashes_used && args.bucket <= 0 && !matches!(buckets, BucketRows::Disabled) {
            return Err(shape_error(
                "args.bucket",
                format!("{} buckets but n-grams are enabled", args.bucket),
            ));
        }
        let counts: Vec<i64> = dict.labels.iter().map(|(_, count)| *count).collect();
        let tree = HuffmanTree::build(&counts)?;
        let mut model = LanguageId {
            dim,
            minn: args.minn,
            maxn: args.maxn,
            word_ngrams: args.word_ngrams,
            bucket: u32::try_from(args.bucket)
                .ok()
                .filter(|&b| b > 0)
                .map(FastModulo::new),
            vocab: dict.vocab,
            buckets,
            word_rows_start: Vec::new(),
            word_rows: Vec::new(),
            input,
            output,
            tree,
            labels: dict
                .labels
                .iter()
                .map(|(name, _)| {
                    let code = name.strip_prefix(LABEL_PREFIX).unwrap_or(name);
                    String::from_utf8_lossy(code).into_owned()
                })
                .collect(),
        };
        // Bounds the per-word n-gram table by the file size, whatever the words' lengths.
        model.precompute_word_rows(file_len.saturating_mul(4))?;
        Ok(model)
    }

    /// fastText's `initNgrams`: each word's rows (itself, then its char n-gram buckets).
    fn precompute_word_rows(&mut self, max_rows: usize) -> Result<(), LidError> {
        let nwords = self.vocab.nwords;
        let mut overflow = false;
        let mut starts = Vec::with_capacity(nwords + 1);
        let mut rows = Vec::with_capacity(nwords * 8);
        let mut marked = Vec::new();
        for id in 0..nwords {
            starts.push(to_u32(rows.len(), "subword table size")?);
            rows.push(to_u32(id, "word id")?);
            let word = self.vocab.word(id);
            if word != EOS {
                marked.clear();
                marked.push(b'<');
                marked.extend_from_slice(word);
                marked.push(b'>');
                self.for_each_char_ngram(&marked, |row| {
                    if rows.len() < max_rows {
                        rows.push(row);
                    } else {
                        overflow = true;
                    }
                });
            }
            if overflow || rows.len() >= max_rows {
                return Err(LidError::Inconsistent {
                    what: "dictionary words",
                    detail: format!(
                        "their char n-grams exceed {max_rows} entries (4 per file byte)"
                    ),
                });
            }
        }
        starts.push(to_u32(rows.len(), "subword table size")?);
        self.word_rows_start = starts;
        self.word_rows = rows;
        Ok(())
    }

    /// Language codes in model order (`en`, `ru`, …), as returned by predictions.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The model's hidden dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Top-`k` languages with probabilities, best first (threshold 0, like fastText's default).
    /// The text is one line; newlines count as whitespace. Allocates: hot loops should hold a
    /// [`LidScratch`] and call [`Self::predict_into`].
    pub fn predict(&self, text: &str, k: usize) -> Vec<(String, f32)> {
        let mut scratch = LidScratch::default();
        let mut out = Vec::new();
        self.predict_into(text, k, 0.0, false, &mut scratch, &mut out);
        out.into_iter()
            .map(|(label, prob)| (self.labels[label].clone(), prob))
            .collect()
    }

    /// datatrove's `LanguageFilter` call: `predict(text.replace("\n", ""))`, top 1. Returns the
    /// language code and its probability, or None when the text yields no input at all.
    pub fn predict_datatrove<'m>(
        &'m self,
        text: &str,
        scratch: &mut LidScratch,
    ) -> Option<(&'m str, f32)> {
        let mut top = std::mem::take(&mut scratch.top);
        self.predict_into(text, 1, 0.0, true, scratch, &mut top);
        let best = top
            .first()
            .map(|&(label, prob)| (self.labels[label].as_str(), prob));
        scratch.top = top;
        best
    }

    /// The allocation-free core: writes up to `k` `(label index, probability)` pairs into `out`
    /// (cleared first), best first, keeping those with probability ≥ `threshold`. With
    /// `delete_newlines` the text is read as if every '\n' were removed (datatrove's call);
    /// otherwise '\n' separates tokens.
    pub fn predict_into(
        &self,
        text: &str,
        k: usize,
        threshold: f32,
        delete_newlines: bool,
        scratch: &mut LidScratch,
        out: &mut Vec<(usize, f32)>,
    ) {
        out.clear();
        let k = k.min(self.labels.len());
        if k == 0 {
            return;
        }
        let inputs = self.compute_hidden(text.as_bytes(), delete_newlines, scratch);
        if inputs == 0 {
            return;
        }
        self.tree_search(k, threshold, scratch);
        out.extend(
            scratch
                .best
                .iter()
                .map(|&(log_prob, label)| (label as usize, log_prob.exp())),
        );
    }

    /// fastText's `getLine` + `computeHidden`, fused: rows are added to the hidden vector in
    /// the order fastText would list them, so the f32 sums are identical. Returns the number of
    /// rows averaged.
    fn compute_hidden(&self, text: &[u8], delete_newlines: bool, s: &mut LidScratch) -> usize {
        s.hidden.clear();
        s.hidden.resize(self.dim, 0.0);
        s.word_hashes.clear();
        let mut count = 0usize;
        let mut pos = 0usize;
        loop {
            // Read one token into s.token as `<token>`.
            s.token.clear();
            s.token.push(b'<');
            while pos < text.len() {
                let byte = text[pos];
                if byte == b'\n' && delete_newlines {
                    pos += 1;
                    continue;
                }
                if is_fasttext_space(byte) {
                    if s.token.len() > 1 {
                        break;
                    }
                    pos += 1;
                    continue;
                }
                s.token.push(byte);
                pos += 1;
            }
            let at_end = s.token.len() == 1;
            if at_end {
                // The line's terminating newline: fastText's end-of-sentence token.
                s.token.extend_from_slice(EOS);
            }
            s.token.push(b'>');
            let stop = self.add_token(s, &mut count);
            if at_end || stop {
                break;
            }
        }
        self.add_word_ngrams(s, &mut count);
        if count > 0 {
            // fastText: `hidden.mul(1.0 / input.size())`, the factor rounded to f32.
            let scale = (1.0f64 / count as f64) as f32;
            for value in &mut s.hidden {
                *value *= scale;
            }
        }
        count
    }

    /// Adds one token (in `s.token`, with its `<`/`>` markers). Returns true when the token is
    /// `</s>`, where fastText stops reading the line.
    fn add_token(&self, s: &mut LidScratch, count: &mut usize) -> bool {
        let LidScratch {
            hidden,
            word_hashes,
            token,
            ..
        } = s;
        let word = &token[1..token.len() - 1];
        let hash = fasttext_hash(word);
        match self.vocab.find(word, hash) {
            Some(id) if id < self.vocab.nwords => {
                let start = self.word_rows_start[id] as usize;
                let end = self.word_rows_start[id + 1] as usize;
                for &row in &self.word_rows[start..end] {
                    self.input.add_row(row as usize, hidden);
                }
                *count += end - start;
                word_hashes.push(hash as i32);
            }
            // Known labels are targets, not input.
            Some(_) => {}
            None if word.starts_with(LABEL_PREFIX) => {}
            None => {
                if word != EOS {
                    self.for_each_char_ngram(token, |row| {
                        self.input.add_row(row as usize, hidden);
                        *count += 1;
                    });
                }
                word_hashes.push(hash as i32);
            }
        }
        word == EOS
    }

    /// fastText's `addWordNgrams`: hashes of word pairs, triples, … over the line.
    fn add_word_ngrams(&self, s: &mut LidScratch, count: &mut usize) {
        let n = usize::try_from(self.word_ngrams).unwrap_or(0);
        let Some(modulo) = self.bucket.filter(|_| n > 1) else {
            return;
        };
        let hashes = &s.word_hashes;
        for i in 0..hashes.len() {
            // fastText keeps word hashes as int32 and widens them (sign-extending) to uint64.
            let mut h = hashes[i] as i64 as u64;
            for &next in hashes.iter().take(i + n).skip(i + 1) {
                h = h.wrapping_mul(116_049_371).wrapping_add(next as i64 as u64);
                // The remainder is below the u32 divisor.
                let bucket = (h % u64::from(modulo.divisor)) as u32;
                if let Some(row) = self.buckets.row(bucket) {
                    self.input.add_row(row as usize, &mut s.hidden);
                    *count += 1;
                }
            }
        }
    }

    /// fastText's `computeSubwords` on a `<word>` string: every n-gram of minn..=maxn UTF-8
    /// characters except the lone markers, hashed into buckets. Calls `emit` with input rows.
    fn for_each_char_ngram(&self, marked: &[u8], mut emit: impl FnMut(u32)) {
        let Some(modulo) = self.bucket.filter(|_| self.maxn > 0) else {
            return;
        };
        let len = marked.len();
        for i in 0..len {
            if is_utf8_continuation(marked[i]) {
                continue;
            }
            // FNV-1a is a running hash, so each longer n-gram extends the previous one.
            let mut hash = FNV_OFFSET;
            let mut j = i;
            let mut n: i32 = 1;
            while j < len && n <= self.maxn {
                hash = fnv_step(hash, marked[j]);
                j += 1;
                while j < len && is_utf8_continuation(marked[j]) {
                    hash = fnv_step(hash, marked[j]);
                    j += 1;
                }
                let is_lone_marker = n == 1 && (i == 0 || j == len);
                if n >= self.minn
                    && !is_lone_marker
                    && let Some(row) = self.buckets.row(modulo.rem(hash))
                {
                    emit(row);
                }
                n += 1;
            }
        }
    }

    /// `HierarchicalSoftmaxLoss::predict`: depth-first over the Huffman tree, left (probability
    /// 1 − σ) before right (σ), skipping subtrees that can no longer reach the top k.
    fn tree_search(&self, k: usize, threshold: f32, s: &mut LidScratch) {
        let LidScratch {
            hidden,
            stack,
            best,
            ..
        } = s;
        best.clear();
        stack.clear();
        let min_log_prob = std_log(threshold);
        let leaves = self.tree.leaves;
        stack.push((self.tree.root(), 0.0));
        while let Some((node, score)) = stack.pop() {
            if score < min_log_prob {
                continue;
            }
            if best.len() == k && score < worst_score(best) {
                continue;
            }
            let node = node as usize;
            if node < leaves {
                if best.len() == k {
                    remove_worst(best);
                }
                best.push((score, node as u32));
                continue;
            }
            let [left, right] = self.tree.children[node - leaves];
            let logit = self.output.dot_row(node - leaves, hidden);
            // fastText: `f = 1. / (1 + std::exp(-f))` with f a float, the division in double.
            let sigma = (1.0f64 / f64::from(1.0f32 + (-logit).exp())) as f32;
            // Pushed right first so the left subtree is explored first, as in the recursion.
            stack.push((right, score + std_log(sigma)));
            stack.push((left, score + std_log((1.0f64 - f64::from(sigma)) as f32)));
        }
        // Best first; equal scores keep discovery order (stable sort).
        best.sort_by(|a, b| b.0.total_cmp(&a.0));
    }
}

/// fastText's `std_log`: `log(x + 1e-5)` in double, returned as float.
fn std_log(x: f32) -> f32 {
    (f64::from(x) + 1e-5).ln() as f32
}

fn worst_score(best: &[(f32, u32)]) -> f32 {
    best.iter()
        .map(|&(score, _)| score)
        .fold(f32::INFINITY, f32::min)
}

/// Drops the lowest score (the earliest found among equals, as fastText's heap does for k = 1).
fn remove_worst(best: &mut Vec<(f32, u32)>) {
    let mut worst = 0;
    for (i, &(score, _)) in best.iter().enumerate() {
        if score < best[worst].0 {
            worst = i;
        }
    }
    best.remove(worst);
}

fn is_fasttext_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\n' | b'\r' | b'\t' | 0x0b | 0x0c | 0)
}

fn is_utf8_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

const FNV_OFFSET: u32 = 2_166_136_261;

/// One FNV-1a step as fastText writes it: the byte goes through `int8_t`, so bytes ≥ 0x80
/// are sign-extended before the xor.
fn fnv_step(hash: u32, byte: u8) -> u32 {
    (hash ^ (byte as i8 as i32 as u32)).wrapping_mul(16_777_619)
}

fn fasttext_hash(bytes: &[u8]) -> u32 {
    bytes.iter().fold(FNV_OFFSET, |h, &b| fnv_step(h, b))
}

fn to_u32(value: usize, what: &'static str) -> Result<u32, LidError> {
    u32::try_from(value).map_err(|_| LidError::Inconsistent {
        what,
        detail: format!("{value} does not fit in 32 bits"),
    })
}

/// Little-endian cursor that reports what it was reading when the bytes run out.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], LidError> {
        if n > self.remaining() {
            return Err(self.truncated(what, n as u128));
        }
        let slice = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(slice)
    }

    fn truncated(&self, what: &'static str, needed: u128) -> LidError {
        LidError::Truncated {
            what,
            offset: self.pos,
            needed,
            available: self.remaining(),
        }
    }

    fn invalid(&self, what: &'static str, detail: String) -> LidError {
        LidError::Invalid {
            what,
            offset: self.pos,
            detail,
        }
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], LidError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    fn i32(&mut self, what: &'static str) -> Result<i32, LidError> {
        Ok(i32::from_le_bytes(self.array(what)?))
    }

    fn i64(&mut self, what: &'static str) -> Result<i64, LidError> {
        Ok(i64::from_le_bytes(self.array(what)?))
    }

    fn bool(&mut self, what: &'static str) -> Result<bool, LidError> {
        match self.take(1, what)?[0] {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(LidError::Invalid {
                what,
                offset: self.pos - 1,
                detail: format!("byte {other} is not a boolean"),
            }),
        }
    }

    /// A count that must be ≥ 0 and whose `unit`-byte items must fit in the remaining bytes.
    fn count(&mut self, value: i64, unit: usize, what: &'static str) -> Result<usize, LidError> {
        let needed = i128::from(value) * unit as i128;
        if value < 0 {
            return Err(self.invalid(what, format!("negative count {value}")));
        }
        if needed > self.remaining() as i128 {
            return Err(self.truncated(what, needed as u128));
        }
        // value ≤ needed ≤ remaining, which fits in usize.
        Ok(value as usize)
    }

    fn f32s(&mut self, count: usize, what: &'static str) -> Result<Vec<f32>, LidError> {
        let bytes = self.take(count.saturating_mul(4), what)?;
        Ok(bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    fn cstr(&mut self, what: &'static str) -> Result<&'a [u8], LidError> {
        let rest = &self.bytes[self.pos..];
        match rest.iter().position(|&b| b == 0) {
            Some(len) => {
                self.pos += len + 1;
                Ok(&rest[..len])
            }
            None => Err(self.truncated(what, rest.len() as u128 + 1)),
        }
    }
}

struct Args {
    dim: usize,
    word_ngrams: i32,
    loss: i32,
    model: i32,
    bucket: i32,
    minn: i32,
    maxn: i32,
}

impl Args {
    fn read(r: &mut Reader) -> Result<Self, LidError> {
        let dim = r.i32("args.dim")?;
        let _ws = r.i32("args.ws")?;
        let _epoch = r.i32("args.epoch")?;
        let _min_count = r.i32("args.minCount")?;
        let _neg = r.i32("args.neg")?;
        let word_ngrams = r.i32("args.wordNgrams")?;
        let loss = r.i32("args.loss")?;
        let model = r.i32("args.model")?;
        let bucket = r.i32("args.bucket")?;
        let minn = r.i32("args.minn")?;
        let maxn = r.i32("args.maxn")?;
        let _lr_update_rate = r.i32("args.lrUpdateRate")?;
        let _t = r.array::<8>("args.t")?;
        if dim <= 0 {
            return Err(r.invalid("args.dim", format!("{dim} is not a positive dimension")));
        }
        Ok(Args {
            dim: dim.unsigned_abs() as usize,
            word_ngrams,
            loss,
            model,
            bucket,
            minn,
            maxn,
        })
    }
}

enum Prune {
    /// `pruneidx_size < 0`: bucket b is input row nwords + b.
    Unpruned,
    /// `pruneidx_size == 0`: fastText then adds no n-gram rows at all.
    Disabled,
    /// Kept buckets and their rows after the words.
    Map(Vec<(i32, i32)>),
}

struct Dictionary {
    nwords: usize,
    vocab: Vocabulary,
    /// Label names (with prefix) and training counts, in model order.
    labels: Vec<(Vec<u8>, i64)>,
    prune: Prune,
}

impl Dictionary {
    fn read(r: &mut Reader) -> Result<Self, LidError> {
        let size = r.i32("dictionary size")?;
        let nwords = r.i32("dictionary nwords")?;
        let nlabels = r.i32("dictionary nlabels")?;
        let _ntokens = r.i64("dictionary ntokens")?;
        let prune_size = r.i64("dictionary pruneidx_size")?;
        let size = r.count(i64::from(size), MIN_ENTRY_BYTES, "dictionary entries")?;
        if nwords < 0 || nlabels < 0 || i64::from(nwords) + i64::from(nlabels) != size as i64 {
            return Err(r.invalid(
                "dictionary header",
                format!("{nwords} words + {nlabels} labels != {size} entries"),
            ));
        }
        let nwords = nwords.unsigned_abs() as usize;
        let mut words = WordArena::with_capacity(nwords);
        let mut labels = Vec::with_capacity(size - nwords);
        for index in 0..size {
            let name = r.cstr("dictionary entry")?;
            let count = r.i64("dictionary entry count")?;
            let kind = r.take(1, "dictionary entry type")?[0];
            let expected = if index < nwords { 0 } else { 1 };
            if kind != expected {
                return Err(r.invalid(
                    "dictionary entry type",
                    format!(
                        "entry {index} has type {kind}; fastText stores {nwords} words (0) then labels (1)"
                    ),
                ));
            }
            if index < nwords {
                words.push(name);
            } else {
                if count >= TREE_SENTINEL_COUNT {
                    return Err(r.invalid("label count", format!("{count} is not below 10^15")));
                }
                labels.push((name.to_vec(), count));
            }
        }
        if labels.is_empty() {
            return Err(r.invalid("dictionary", "no labels".into()));
        }
        let prune = match prune_size {
            s if s < 0 => Prune::Unpruned,
            0 => Prune::Disabled,
            s => {
                let n = r.count(s, 8, "pruneidx")?;
                let mut pairs = Vec::with_capacity(n);
                for _ in 0..n {
                    let bucket = r.i32("pruneidx bucket")?;
                    let row = r.i32("pruneidx row")?;
                    pairs.push((bucket, row));
                }
                Prune::Map(pairs)
            }
        };
        Ok(Dictionary {
            nwords,
            vocab: Vocabulary::new(words)?,
            labels,
            prune,
        })
    }
}

/// All word bytes in one buffer (few allocations at load).
struct WordArena {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl WordArena {
    fn with_capacity(words: usize) -> Self {
        WordArena {
            bytes: Vec::with_capacity(words * 8),
            ends: Vec::with_capacity(words),
        }
    }

    fn push(&mut self, word: &[u8]) {
        self.bytes.extend_from_slice(word);
        self.ends.push(self.bytes.len());
    }
}

/// Word → id lookup keyed by the fastText hash the tokenizer computes anyway.
/// Hand-written open addressing: a std HashMap would hash every token a second time.
struct Vocabulary {
    nwords: usize,
    arena: WordArena,
    /// (hash, id + 1); id 0 marks an empty slot.
    slots: Vec<(u32, u32)>,
}

impl Vocabulary {
    fn new(arena: WordArena) -> Result<Self, LidError> {
        let nwords = arena.ends.len();
        to_u32(nwords + 1, "word count")?;
        let capacity = (nwords * 2).next_power_of_two().max(16);
        let mut vocab = Vocabulary {
            nwords,
            arena,
            slots: vec![(0, 0); capacity],
        };
        for id in 0..nwords {
            let word = vocab.word(id);
            let hash = fasttext_hash(word);
            let slot = vocab.probe(word, hash);
            // A repeated word maps to its last entry, as fastText's word2int does.
            vocab.slots[slot] = (hash, id as u32 + 1);
        }
        Ok(vocab)
    }

    fn word(&self, id: usize) -> &[u8] {
        let start = if id == 0 { 0 } else { self.arena.ends[id - 1] };
        &self.arena.bytes[start..self.arena.ends[id]]
    }

    /// The slot holding `word`, or the empty slot where it would go.
    fn probe(&self, word: &[u8], hash: u32) -> usize {
        let mask = self.slots.len() - 1;
        let mut slot = hash as usize & mask;
        loop {
            let (slot_hash, entry) = self.slots[slot];
            if entry == 0 || (slot_hash == hash && self.word(entry as usize - 1) == word) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }

    fn find(&self, word: &[u8], hash: u32) -> Option<usize> {
        match self.slots[self.probe(word, hash)] {
            (_, 0) => None,
            (_, entry) => Some(entry as usize - 1),
        }
    }
}

/// Where a hashed n-gram bucket lives in the input matrix.
enum BucketRows {
    Direct { first_row: u32 },
    Pruned(U32Map),
    Disabled,
}

impl BucketRows {
    fn row(&self, bucket: u32) -> Option<u32> {
        match self {
            BucketRows::Direct { first_row } => Some(first_row + bucket),
            BucketRows::Pruned(map) => map.get(bucket),
            BucketRows::Disabled => None,
        }
    }
}

/// `a % d` for a fixed u32 `d` by multiplication (Lemire, Kaser & Kurz, "Faster remainder by
/// direct computation", exact for all u32 `a`): the n-gram loop takes one per n-gram.
#[derive(Clone, Copy)]
struct FastModulo {
    divisor: u32,
    magic: u64,
}

impl FastModulo {
    /// `divisor` must be > 0.
    fn new(divisor: u32) -> Self {
        FastModulo {
            divisor,
            magic: (u64::MAX / u64::from(divisor)).wrapping_add(1),
        }
    }

    fn rem(self, a: u32) -> u32 {
        let low = self.magic.wrapping_mul(u64::from(a));
        ((u128::from(low) * u128::from(self.divisor)) >> 64) as u32
    }
}

/// u32 → u32 open-addressing map (Fibonacci hashing) for the pruned-bucket index, fronted by
/// a bitset of present keys: most n-grams hit no kept bucket, and the bitset (2 M bits for
/// lid.176) stays in cache where the table would not.
/// Hand-written: looked up for every n-gram of every token; no hashing crate is in the deps.
struct U32Map {
    shift: u32,
    /// (key, value + 1); value 0 marks an empty slot.
    slots: Vec<(u32, u32)>,
    /// Bit k set when key k is present; empty when it would cost more than 8 bytes per key.
    filter: Vec<u64>,
    len: usize,
}

impl U32Map {
    fn with_capacity(n: usize) -> Self {
        let capacity = (n * 2).next_power_of_two().max(16);
        U32Map {
            shift: 64 - capacity.trailing_zeros(),
            slots: vec![(0, 0); capacity],
            filter: Vec::new(),
            len: 0,
        }
    }

    /// Builds the presence bitset unless the largest key makes it bigger than one u64 per key
    /// (so a hostile file cannot make it allocate far beyond its own size).
    fn build_filter(&mut self) {
        let words = self
            .slots
            .iter()
            .filter(|slot| slot.1 != 0)
            .map(|slot| slot.0 as usize / 64 + 1)
            .max()
            .unwrap_or(0);
        if words > self.len {
            return;
        }
        let mut filter = vec![0u64; words];
        for &(key, value) in &self.slots {
            if value != 0 {
                filter[key as usize / 64] |= 1 << (key % 64);
            }
        }
        self.filter = filter;
    }

    fn slot_of(&self, key: u32) -> usize {
        ((u64::from(key).wrapping_mul(0x9E37_79B9_7F4A_7C15)) >> self.shift) as usize
    }

    /// Later inserts of a key overwrite earlier ones (fastText's `pruneidx_[first] = second`).
    /// `value` must be below u32::MAX (rows are).
    fn insert(&mut self, key: u32, value: u32) {
        let mask = self.slots.len() - 1;
        let mut slot = self.slot_of(key);
        while self.slots[slot].1 != 0 && self.slots[slot].0 != key {
            slot = (slot + 1) & mask;
        }
        if self.slots[slot].1 == 0 {
            self.len += 1;
        }
        self.slots[slot] = (key, value + 1);
    }

    fn get(&self, key: u32) -> Option<u32> {
        if !self.filter.is_empty() {
            let word = self.filter.get(key as usize / 64)?;
            if word >> (key % 64) & 1 == 0 {
                return None;
            }
        }
        let mask = self.slots.len() - 1;
        let mut slot = self.slot_of(key);
        loop {
            match self.slots[slot] {
                (_, 0) => return None,
                (k, v) if k == key => return Some(v - 1),
                _ => slot = (slot + 1) & mask,
            }
        }
    }
}

/// fastText's `ProductQuantizer`: `nsubq` sub-vectors of `dsub` values (the last of
/// `lastdsub`), each replaced by one of 256 centroids.
struct ProductQuantizer {
    nsubq: usize,
    dsub: usize,
    lastdsub: usize,
    centroids: Vec<f32>,
}

impl ProductQuantizer {
    fn read(r: &mut Reader, what: &'static str) -> Result<Self, LidError> {
        let dim = r.i32(what)?;
        let nsubq = r.i32(what)?;
        let dsub = r.i32(what)?;
        let lastdsub = r.i32(what)?;
        let positive = |v: i32| usize::try_from(v).ok().filter(|&v| v > 0);
        let (Some(dim), Some(nsubq), Some(dsub), Some(lastdsub)) = (
            positive(dim),
            positive(nsubq),
            positive(dsub),
            positive(lastdsub),
        ) else {
            return Err(r.invalid(
                what,
                format!("dim {dim}, nsubq {nsubq}, dsub {dsub}, lastdsub {lastdsub} must be > 0"),
            ));
        };
        let covered = (nsubq - 1)
            .checked_mul(dsub)
            .and_then(|v| v.checked_add(lastdsub));
        if lastdsub > dsub || covered != Some(dim) {
            return Err(r.invalid(
                what,
                format!(
                    "{nsubq} sub-quantizers of {dsub} (last {lastdsub}) do not cover dim {dim}"
                ),
            ));
        }
        let count = r.count(dim as i64, 4 * KSUB, what)?;
        let centroids = r.f32s(count * KSUB, what)?;
        Ok(ProductQuantizer {
            nsubq,
            dsub,
            lastdsub,
            centroids,
        })
    }

    fn dim(&self) -> usize {
        (self.nsubq - 1) * self.dsub + self.lastdsub
    }

    /// `get_centroids(m, code)`: the last sub-quantizer's centroids are `lastdsub` wide.
    fn centroid(&self, m: usize, code: u8) -> &[f32] {
        let code = usize::from(code);
        if m == self.nsubq - 1 {
            let start = m * KSUB * self.dsub + code * self.lastdsub;
            &self.centroids[start..start + self.lastdsub]
        } else {
            let start = (m * KSUB + code) * self.dsub;
            &self.centroids[start..start + self.dsub]
        }
    }
}

enum Matrix {
    Dense {
        rows: usize,
        cols: usize,
        data: Vec<f32>,
    },
    Quant {
        rows: usize,
        pq: ProductQuantizer,
        codes: Vec<u8>,
        /// Per-row norm codes and the 256 norm centroids, when the norms were quantized apart.
        norms: Option<(Vec<u8>, Vec<f32>)>,
    },
}

impl Matrix {
    fn read(r: &mut Reader, quantized: bool, what: &'static str) -> Result<Self, LidError> {
        if !quantized {
            let rows = r.i64(what)?;
            let cols = r.i64(what)?;
            let cols = r.count(cols, 0, what)?;
            if cols == 0 {
                return Err(r.invalid(what, "zero columns".into()));
            }
            let rows = r.count(rows, cols.saturating_mul(4), what)?;
            let data = r.f32s(rows * cols, what)?;
            return Ok(Matrix::Dense { rows, cols, data });
        }
        let qnorm = r.bool(what)?;
        let rows = r.i64(what)?;
        let cols = r.i64(what)?;
        let codesize = r.i32(what)?;
        let rows = r.count(rows, 0, what)?;
        let codesize = r.count(i64::from(codesize), 1, what)?;
        let codes = r.take(codesize, what)?.to_vec();
        let pq = ProductQuantizer::read(r, what)?;
        if i64::try_from(pq.dim()).ok() != Some(cols) {
            return Err(r.invalid(
                what,
                format!("quantizer dim {} != matrix columns {cols}", pq.dim()),
            ));
        }
        if rows.checked_mul(pq.nsubq) != Some(codesize) {
            return Err(r.invalid(
                what,
                format!(
                    "{codesize} codes for {rows} rows × {} sub-quantizers",
                    pq.nsubq
                ),
            ));
        }
        let norms = if qnorm {
            let norm_codes = r.take(rows, what)?.to_vec();
            let npq = ProductQuantizer::read(r, what)?;
            if npq.dim() != 1 {
                return Err(r.invalid(what, format!("norm quantizer dim {} != 1", npq.dim())));
            }
            Some((norm_codes, npq.centroids))
        } else {
            None
        };
        Ok(Matrix::Quant {
            rows,
            pq,
            codes,
            norms,
        })
    }

    fn rows(&self) -> usize {
        match self {
            Matrix::Dense { rows, .. } | Matrix::Quant { rows, .. } => *rows,
        }
    }

    fn cols(&self) -> usize {
        match self {
            Matrix::Dense { cols, .. } => *cols,
            Matrix::Quant { pq, .. } => pq.dim(),
        }
    }

    /// `addRowToVector`: x += row (for quantized rows, x += norm · centroid, each product
    /// rounded to f32 first, as fastText's `addcode`). `row < rows()` and `x.len() == cols()`
    /// hold for every caller (rows come from tables validated at load).
    fn add_row(&self, row: usize, x: &mut [f32]) {
        match self {
            Matrix::Dense { cols, data, .. } => {
                let values = &data[row * cols..(row + 1) * cols];
                for (xi, v) in x.iter_mut().zip(values) {
                    *xi += v;
                }
            }
            Matrix::Quant {
                pq, codes, norms, ..
            } => {
                let alpha = norms
                    .as_ref()
                    .map_or(1.0, |(codes, centroids)| centroids[usize::from(codes[row])]);
                let row_codes = &codes[row * pq.nsubq..(row + 1) * pq.nsubq];
                for (m, &code) in row_codes.iter().enumerate() {
                    let centroid = pq.centroid(m, code);
                    let start = m * pq.dsub;
                    for (xi, c) in x[start..start + centroid.len()].iter_mut().zip(centroid) {
                        *xi += alpha * c;
                    }
                }
            }
        }
    }

    /// `dotRow`: the row · x, accumulated in f32 in index order (for quantized rows, scaled
    /// by the norm at the end, as fastText's `mulcode`).
    fn dot_row(&self, row: usize, x: &[f32]) -> f32 {
        match self {
            Matrix::Dense { cols, data, .. } => data[row * cols..(row + 1) * cols]
                .iter()
                .zip(x)
                .fold(0.0f32, |acc, (v, xi)| acc + v * xi),
            Matrix::Quant {
                pq, codes, norms, ..
            } => {
                let alpha = norms
                    .as_ref()
                    .map_or(1.0, |(codes, centroids)| centroids[usize::from(codes[row])]);
                let row_codes = &codes[row * pq.nsubq..(row + 1) * pq.nsubq];
                let mut sum = 0.0f32;
                for (m, &code) in row_codes.iter().enumerate() {
                    let start = m * pq.dsub;
                    let centroid = pq.centroid(m, code);
                    for (xi, c) in x[start..start + centroid.len()].iter().zip(centroid) {
                        sum += xi * c;
                    }
                }
                sum * alpha
            }
        }
    }
}

/// fastText's hierarchical-softmax tree: leaves 0..n are the labels, internal node
/// `n + i` has `children[i]`; the root is the last node.
struct HuffmanTree {
    leaves: usize,
    children: Vec<[u32; 2]>,
}

impl HuffmanTree {
    /// `HierarchicalSoftmaxLoss::buildTree`: repeatedly joins the two lightest nodes, taking
    /// leaves from the end of the (count-descending) label list and internal nodes in
    /// creation order, preferring the internal node on ties.
    fn build(counts: &[i64]) -> Result<Self, LidError> {
        let leaves = counts.len();
        to_u32(2 * leaves, "label count")?;
        let total = 2 * leaves - 1;
        let mut count = vec![TREE_SENTINEL_COUNT; total];
        count[..leaves].copy_from_slice(counts);
        let mut children = Vec::with_capacity(leaves - 1);
        // `leaf` counts down through the labels still free, `next` up through internal nodes.
        let mut leaf = leaves;
        let mut next = leaves;
        for new in leaves..total {
            let mut pick = [0usize; 2];
            for slot in &mut pick {
                // Every count is < 10^15 and unbuilt nodes hold 10^15, so an unbuilt node
                // is only taken when no leaf is left, and then an internal one is waiting.
                if leaf > 0 && count[leaf - 1] < count[next] {
                    leaf -= 1;
                    *slot = leaf;
                } else {
                    *slot = next;
                    next += 1;
                }
            }
            count[new] = count[pick[0]].saturating_add(count[pick[1]]);
            children.push([pick[0] as u32, pick[1] as u32]);
        }
        Ok(HuffmanTree { leaves, children })
    }

    fn root(&self) -> u32 {
        (self.leaves + self.children.len() - 1) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Option<LanguageId> {
        let path = nya_metadata::fixtures::path("refine/lid/lid.176.ftz")?;
        Some(LanguageId::load(&path).expect("lid.176.ftz loads"))
    }

    #[derive(serde::Deserialize)]
    struct Reference {
        text: String,
        lid176ftz_label: String,
        lid176ftz_score: f64,
    }

    #[test]
    fn matches_fasttext_on_reference_extractions() {
        let Some(model) = model() else { return };
        let Some(golden) =
            nya_metadata::fixtures::path("refine/golden/warc-reference-extractions.jsonl")
        else {
            return;
        };
        let text = std::fs::read_to_string(golden).expect("golden file reads");
        let mut scratch = LidScratch::default();
        let mut records = 0;
        let mut max_diff = 0f64;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let reference: Reference = serde_json::from_str(line).expect("golden line parses");
            let (label, score) = model
                .predict_datatrove(&reference.text, &mut scratch)
                .expect("every record yields a prediction");
            let expected = reference
                .lid176ftz_label
                .strip_prefix("__label__")
                .unwrap_or(&reference.lid176ftz_label);
            assert_eq!(label, expected, "label of record {records}");
            let diff = (f64::from(score) - reference.lid176ftz_score).abs();
            assert!(
                diff <= 1e-4,
                "record {records}: score {score} vs {}",
                reference.lid176ftz_score
            );
            max_diff = max_diff.max(diff);
            records += 1;
        }
        assert_eq!(records, 44);
        eprintln!("lid parity: {records} records, max |score diff| {max_diff:e}");
    }

    #[test]
    fn model_shape_and_top_k() {
        let Some(model) = model() else { return };
        assert_eq!(model.labels().len(), 176);
        assert_eq!(model.labels()[0], "en");
        assert_eq!(model.dim(), 16);
        let top = model.predict("Der schnelle braune Fuchs springt über den faulen Hund", 5);
        assert_eq!(top.len(), 5);
        assert_eq!(top[0].0, "de");
        assert!(
            top.windows(2).all(|w| w[0].1 >= w[1].1),
            "sorted best first: {top:?}"
        );
        let total: f32 = top.iter().map(|(_, p)| p).sum();
        assert!(
            total <= 1.0 + 1e-5,
            "probabilities of disjoint leaves sum to ≤ 1: {total}"
        );
        // k larger than the label count is clamped; threshold 0 still drops leaves below
        // fastText's log(0 + 1e-5) floor, and what is left carries nearly all the mass.
        let all = model.predict("bonjour tout le monde", 1000);
        assert!(all.len() > 5 && all.len() <= 176, "{} labels", all.len());
        assert_eq!(all[0].0, "fr");
        assert!(all.iter().all(|(_, p)| *p >= 1e-5 * 0.99));
        let total: f32 = all.iter().map(|(_, p)| p).sum();
        assert!((total - 1.0).abs() < 0.01, "sum over all labels {total}");
        assert!(model.predict("hello", 0).is_empty());
    }

    #[test]
    fn threshold_prunes_and_scratch_is_reusable() {
        let Some(model) = model() else { return };
        let mut scratch = LidScratch::default();
        let mut out = Vec::new();
        model.predict_into(
            "the cat sat on the mat",
            176,
            0.5,
            false,
            &mut scratch,
            &mut out,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(model.labels()[out[0].0], "en");
        let first = out.clone();
        model.predict_into("der Hund", 3, 0.0, false, &mut scratch, &mut out);
        model.predict_into(
            "the cat sat on the mat",
            176,
            0.5,
            false,
            &mut scratch,
            &mut out,
        );
        assert_eq!(
            out, first,
            "results do not depend on what the scratch held before"
        );
    }

    #[test]
    fn newline_modes_and_label_tokens() {
        let Some(model) = model() else { return };
        let mut scratch = LidScratch::default();
        let mut joined = Vec::new();
        let mut deleted = Vec::new();
        model.predict_into("good\nmorning", 3, 0.0, true, &mut scratch, &mut deleted);
        model.predict_into("goodmorning", 3, 0.0, false, &mut scratch, &mut joined);
        assert_eq!(deleted, joined, "datatrove mode deletes newlines");
        let mut spaced = Vec::new();
        model.predict_into("good\nmorning", 3, 0.0, false, &mut scratch, &mut deleted);
        model.predict_into("good morning", 3, 0.0, false, &mut scratch, &mut spaced);
        assert_eq!(
            deleted, spaced,
            "default mode reads a newline as whitespace"
        );
        // Label-like tokens are not input, and `</s>` ends the line, as in fastText.
        assert_eq!(
            model.predict("bonjour __label__en", 2),
            model.predict("bonjour", 2)
        );
        assert_eq!(
            model.predict("bonjour </s> the english words here", 2),
            model.predict("bonjour", 2)
        );
    }

    #[test]
    fn fineweb_decision() {
        assert!(fineweb_keeps("en", 0.66));
        assert!(!fineweb_keeps("en", 0.65));
        assert!(!fineweb_keeps("de", 0.99));
    }

    #[test]
    fn fasttext_hash_sign_extends_bytes() {
        // FNV-1a of "a" is the textbook value; a byte ≥ 0x80 differs from textbook FNV-1a
        // because fastText xors the sign-extended byte.
        assert_eq!(fasttext_hash(b"a"), 0xe40c292c);
        let textbook = (FNV_OFFSET ^ 0xe9).wrapping_mul(16_777_619);
        let fasttext = (FNV_OFFSET ^ 0xffff_ffe9).wrapping_mul(16_777_619);
        assert_ne!(textbook, fasttext);
        assert_eq!(fasttext_hash(&[0xe9]), fasttext);
    }

    #[test]
    fn fast_modulo_equals_remainder() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for divisor in [1u32, 2, 3, 7, 2_000_000, 2_000_003, u32::MAX - 1, u32::MAX] {
            let modulo = FastModulo::new(divisor);
            for a in [0u32, 1, divisor - 1, divisor, u32::MAX - 1, u32::MAX] {
                assert_eq!(modulo.rem(a), a % divisor, "{a} % {divisor}");
            }
            for _ in 0..10_000 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let a = state as u32;
                assert_eq!(modulo.rem(a), a % divisor, "{a} % {divisor}");
            }
        }
    }

    #[test]
    fn pruned_bucket_map_with_and_without_filter() {
        // Dense keys: the bitset is built; a repeated key keeps its last value.
        let mut dense = U32Map::with_capacity(201);
        for key in 0..200u32 {
            dense.insert(key * 2, key + 1000);
        }
        dense.insert(10, 7);
        dense.build_filter();
        assert_eq!(dense.len, 200);
        assert!(!dense.filter.is_empty());
        assert_eq!(dense.get(10), Some(7));
        assert_eq!(dense.get(398), Some(1199));
        assert_eq!(dense.get(11), None);
        assert_eq!(dense.get(400), None);
        assert_eq!(dense.get(u32::MAX), None);
        // A far key would need a bitset far larger than the data: none is built.
        let mut sparse = U32Map::with_capacity(2);
        sparse.insert(5, 50);
        sparse.insert(1 << 30, 9);
        sparse.build_filter();
        assert!(sparse.filter.is_empty());
        assert_eq!(sparse.get(5), Some(50));
        assert_eq!(sparse.get(1 << 30), Some(9));
        assert_eq!(sparse.get(6), None);
    }

    #[test]
    fn huffman_tree_joins_lightest_nodes() {
        // counts 5, 3, 2, 1: join leaves 3 and 2 → node 4 (count 3); then leaf 1 (3) ties
        // with node 4 (3) and the internal node is taken first: node 5 = (4, 1); root (0, 5).
        let tree = HuffmanTree::build(&[5, 3, 2, 1]).expect("tree");
        assert_eq!(tree.children, vec![[3, 2], [4, 1], [0, 5]]);
        assert_eq!(tree.root(), 6);
        let single = HuffmanTree::build(&[7]).expect("one label");
        assert!(single.children.is_empty());
        assert_eq!(single.root(), 0);
    }

    #[test]
    fn rejects_truncated_and_corrupt_files() {
        let Some(path) = nya_metadata::fixtures::path("refine/lid/lid.176.ftz") else {
            return;
        };
        let bytes = std::fs::read(path).expect("model reads");
        // Every prefix cut at a structurally interesting or random point must fail cleanly.
        let mut cuts: Vec<usize> = (0..200).collect();
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..300 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            cuts.push((state % bytes.len() as u64) as usize);
        }
        cuts.push(bytes.len() - 1);
        for cut in cuts {
            let result = LanguageId::from_bytes(&bytes[..cut]);
            assert!(result.is_err(), "prefix of {cut} bytes was accepted");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(
            LanguageId::from_bytes(&longer),
            Err(LidError::TrailingBytes { extra: 1 })
        ));
        let mut bad_magic = bytes.clone();
        bad_magic[0] ^= 1;
        assert!(matches!(
            LanguageId::from_bytes(&bad_magic),
            Err(LidError::BadMagic { .. })
        ));
        // A huge dictionary size must be refused before any allocation.
        let mut huge = bytes.clone();
        huge[64..68].copy_from_slice(&i32::MAX.to_le_bytes());
        let err = LanguageId::from_bytes(&huge)
            .err()
            .expect("huge size refused");
        assert!(err.to_string().contains("dictionary"), "{err}");
        // Flipped bytes anywhere: errors or a working model, never a panic.
        for _ in 0..300 {
            let mut corrupt = bytes.clone();
            for _ in 0..4 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let at = (state % corrupt.len() as u64) as usize;
                corrupt[at] = (state >> 32) as u8;
            }
            if let Ok(model) = LanguageId::from_bytes(&corrupt) {
                let _ = model.predict("some text to classify", 3);
            }
        }
    }

    #[test]
    fn rejects_random_bytes() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for len in [0usize, 1, 7, 8, 64, 300, 4096] {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            assert!(LanguageId::from_bytes(&bytes).is_err());
            // Same bytes behind a valid header.
            let mut headed = MAGIC.to_le_bytes().to_vec();
            headed.extend_from_slice(&12i32.to_le_bytes());
            headed.extend_from_slice(&bytes);
            assert!(LanguageId::from_bytes(&headed).is_err());
        }
        let missing = LanguageId::load(Path::new("/nonexistent/lid.176.ftz"));
        assert!(matches!(missing, Err(LidError::Io { .. })));
    }

    /// Writes a small dense, unpruned fastText model (the lid fixture covers the quantized,
    /// pruned path): words `</s> hello world`, labels aa/bb/cc, char n-grams 2..=3, word
    /// bigrams, 50 buckets, dim 4, weights from a fixed xorshift stream.
    fn tiny_dense_model() -> Vec<u8> {
        let mut state = 0x1234_5678_9abc_def1u64;
        let mut weight = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state >> 40) as f32 / (1u64 << 24) as f32) - 0.5
        };
        let mut out = Vec::new();
        let i32s = |out: &mut Vec<u8>, values: &[i32]| {
            values.iter().for_each(|v| out.extend(v.to_le_bytes()))
        };
        i32s(&mut out, &[MAGIC, 12]);
        // dim ws epoch minCount neg wordNgrams loss model bucket minn maxn lrUpdateRate
        i32s(
            &mut out,
            &[4, 5, 1, 1, 5, 2, LOSS_HS, MODEL_SUPERVISED, 50, 2, 3, 100],
        );
        out.extend(1e-4f64.to_le_bytes());
        i32s(&mut out, &[6, 3, 3]);
        out.extend(100i64.to_le_bytes());
        out.extend((-1i64).to_le_bytes());
        let entries = [
            ("</s>", 9, 0u8),
            ("hello", 5, 0),
            ("world", 4, 0),
            ("__label__aa", 5, 1),
            ("__label__bb", 3, 1),
            ("__label__cc", 1, 1),
        ];
        for (word, count, kind) in entries {
            out.extend(word.as_bytes());
            out.push(0);
            out.extend((count as i64).to_le_bytes());
            out.push(kind);
        }
        out.push(0); // dense input
        out.extend(53i64.to_le_bytes());
        out.extend(4i64.to_le_bytes());
        (0..53 * 4).for_each(|_| out.extend(weight().to_le_bytes()));
        out.push(0); // dense output
        out.extend(3i64.to_le_bytes());
        out.extend(4i64.to_le_bytes());
        (0..3 * 4).for_each(|_| out.extend(weight().to_le_bytes()));
        out
    }

    /// fastText's algorithm written out naively: list the input rows, average them, and
    /// multiply sigmoids along each label's root path.
    fn naive_probabilities(model: &LanguageId, text: &str) -> Vec<f32> {
        let Matrix::Dense { data, .. } = &model.input else {
            panic!("tiny model is dense");
        };
        let Matrix::Dense { data: output, .. } = &model.output else {
            panic!("tiny model is dense");
        };
        let words = ["</s>", "hello", "world"];
        let char_ngrams = |token: &str| -> Vec<usize> {
            let chars: Vec<char> = format!("<{token}>").chars().collect();
            let mut rows = Vec::new();
            for start in 0..chars.len() {
                for n in 2..=3 {
                    if start + n <= chars.len() {
                        let gram: String = chars[start..start + n].iter().collect();
                        rows.push(3 + (fasttext_hash(gram.as_bytes()) % 50) as usize);
                    }
                }
            }
            rows
        };
        let mut rows = Vec::new();
        let mut hashes = Vec::new();
        let tokens: Vec<&str> = text.split_whitespace().chain(["</s>"]).collect();
        for token in tokens {
            match words.iter().position(|w| *w == token) {
                Some(0) => rows.push(0),
                Some(id) => {
                    rows.push(id);
                    rows.extend(char_ngrams(token));
                }
                None => rows.extend(char_ngrams(token)),
            }
            hashes.push(fasttext_hash(token.as_bytes()) as i32);
        }
        for pair in hashes.windows(2) {
            let h = (pair[0] as i64 as u64)
                .wrapping_mul(116_049_371)
                .wrapping_add(pair[1] as i64 as u64);
            rows.push(3 + (h % 50) as usize);
        }
        let mut hidden = [0f32; 4];
        for &row in &rows {
            for (j, h) in hidden.iter_mut().enumerate() {
                *h += data[row * 4 + j];
            }
        }
        hidden
            .iter_mut()
            .for_each(|h| *h *= (1.0 / rows.len() as f64) as f32);
        // Leaf probability = product over the path of σ (right child) or 1 − σ (left child).
        let tree = &model.tree;
        let mut parent = vec![(0usize, false); tree.leaves + tree.children.len()];
        for (i, [left, right]) in tree.children.iter().enumerate() {
            parent[*left as usize] = (tree.leaves + i, false);
            parent[*right as usize] = (tree.leaves + i, true);
        }
        (0..tree.leaves)
            .map(|leaf| {
                let mut node = leaf;
                let mut p = 1.0f64;
                while node != tree.root() as usize {
                    let (up, is_right) = parent[node];
                    let row = up - tree.leaves;
                    let dot: f32 = (0..4).map(|j| output[row * 4 + j] * hidden[j]).sum();
                    let sigma = 1.0 / (1.0 + (-f64::from(dot)).exp());
                    p *= if is_right { sigma } else { 1.0 - sigma };
                    node = up;
                }
                p as f32
            })
            .collect()
    }

    #[test]
    fn dense_model_with_word_ngrams_matches_naive_computation() {
        let model = LanguageId::from_bytes(&tiny_dense_model()).expect("tiny model loads");
        assert_eq!(model.labels(), ["aa", "bb", "cc"]);
        for text in [
            "hello world",
            "hello",
            "unknown wörds here",
            "",
            "world world hello",
        ] {
            let got = model.predict(text, 3);
            let naive = naive_probabilities(&model, text);
            assert_eq!(got.len(), 3, "{text:?}");
            let total: f32 = got.iter().map(|(_, p)| p).sum();
            assert!(
                (total - 1.0).abs() < 1e-4,
                "{text:?}: probabilities sum to {total}"
            );
            for (label, prob) in &got {
                let index = model
                    .labels()
                    .iter()
                    .position(|l| l == label)
                    .expect("label");
                // fastText adds 1e-5 inside each log, hence the tolerance.
                assert!(
                    (prob - naive[index]).abs() < 1e-4,
                    "{text:?} {label}: {prob} vs {naive:?}"
                );
            }
            assert!(got.windows(2).all(|w| w[0].1 >= w[1].1));
        }
    }
}
