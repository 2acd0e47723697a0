//! Tokenizers a probe can train with.
//!
//! - [`ProbeTokenizer::gpt2`]: GPT-2's byte-level BPE (`r50k_base`, 50,257 ids, `<|endoftext|>` =
//!   50256), compiled into the binary by `tiktoken-rs`. Used by the `small` and `base` sizes.
//!   Text is encoded as ordinary text, so a document cannot forge the end-of-text token.
//! - [`ProbeTokenizer::bytes`]: one id per UTF-8 byte (0–255) and 256 for end-of-text. No
//!   vocabulary to learn or ship; the `tiny` size's default.
//! - [`ProbeTokenizer::train_bpe`]: a small byte-level BPE trained on the fly with the
//!   `tokenizers` crate (tests and experiments that want word-sized tokens without GPT-2's
//!   vocabulary cost).
//!
//! Every tokenizer has an end-of-text id: documents are joined with it when sequences are packed
//! and it opens every evaluated sequence.

use std::fmt;

use tiktoken_rs::CoreBPE;
use tokenizers::models::TrainerWrapper;
use tokenizers::models::bpe::{BPE, BpeTrainer};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::{AddedToken, Tokenizer};

use super::ProbeError;

/// GPT-2's end-of-text token, also the special token of trained BPEs.
pub const END_OF_TEXT: &str = "<|endoftext|>";
/// GPT-2's vocabulary size (`r50k_base`).
pub const GPT2_VOCAB_SIZE: usize = 50_257;
/// The byte tokenizer's vocabulary: 256 bytes and end-of-text.
pub const BYTES_VOCAB_SIZE: usize = 257;

/// Which tokenizer a probe uses, as written in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenizerKind {
    /// GPT-2 (`r50k_base`).
    Gpt2,
    /// One id per byte.
    Bytes,
    /// A BPE trained on the fly.
    TrainedBpe,
}

impl fmt::Display for TokenizerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Gpt2 => "gpt2",
            Self::Bytes => "bytes",
            Self::TrainedBpe => "trained-bpe",
        })
    }
}

enum Inner {
    Gpt2(Box<CoreBPE>),
    Bytes,
    Bpe(Box<Tokenizer>),
}

/// A tokenizer with a fixed vocabulary size and an end-of-text id.
pub struct ProbeTokenizer {
    inner: Inner,
    vocab_size: usize,
    end_of_text: u32,
}

impl fmt::Debug for ProbeTokenizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ProbeTokenizer({}, {} ids)",
            self.kind(),
            self.vocab_size
        )
    }
}

impl ProbeTokenizer {
    /// GPT-2's tokenizer from the rank file embedded in `tiktoken-rs`.
    pub fn gpt2() -> Result<Self, ProbeError> {
        let bpe = tiktoken_rs::r50k_base().map_err(|e| ProbeError::Tokenizer(e.to_string()))?;
        Ok(Self {
            inner: Inner::Gpt2(Box::new(bpe)),
            vocab_size: GPT2_VOCAB_SIZE,
            end_of_text: (GPT2_VOCAB_SIZE - 1) as u32,
        })
    }

    /// The byte tokenizer.
    pub fn bytes() -> Self {
        Self {
            inner: Inner::Bytes,
            vocab_size: BYTES_VOCAB_SIZE,
            end_of_text: 256,
        }
    }

    /// Trains a byte-level BPE of at most `vocab_size` ids (end-of-text included) on `texts`.
    pub fn train_bpe<'a>(
        texts: impl Iterator<Item = &'a str> + Send,
        vocab_size: usize,
    ) -> Result<Self, ProbeError> {
        let alphabet = ByteLevel::alphabet();
        if vocab_size <= alphabet.len() {
            return Err(ProbeError::Tokenizer(format!(
                "a byte-level BPE needs more than {} ids, got {vocab_size}",
                alphabet.len()
            )));
        }
        let trainer = BpeTrainer::builder()
            .vocab_size(vocab_size)
            .min_frequency(2)
            .show_progress(false)
            .special_tokens(vec![AddedToken::from(END_OF_TEXT, true)])
            .initial_alphabet(alphabet.into_iter().collect())
            .build();
        let mut tokenizer = Tokenizer::new(BPE::default());
        tokenizer.with_pre_tokenizer(Some(ByteLevel::default().add_prefix_space(false)));
        tokenizer.with_decoder(Some(ByteLevel::default()));
        let mut trainer = TrainerWrapper::BpeTrainer(trainer);
        tokenizer
            .train(&mut trainer, texts)
            .map_err(|e| ProbeError::Tokenizer(format!("training a BPE: {e}")))?;
        let end_of_text = tokenizer.token_to_id(END_OF_TEXT).ok_or_else(|| {
            ProbeError::Tokenizer("the trained BPE lost its end-of-text token".into())
        })?;
        let vocab_size = tokenizer.get_vocab_size(true);
        Ok(Self {
            inner: Inner::Bpe(Box::new(tokenizer)),
            vocab_size,
            end_of_text,
        })
    }

    /// Which tokenizer this is.
    pub fn kind(&self) -> TokenizerKind {
        match self.inner {
            Inner::Gpt2(_) => TokenizerKind::Gpt2,
            Inner::Bytes => TokenizerKind::Bytes,
            Inner::Bpe(_) => TokenizerKind::TrainedBpe,
        }
    }

    /// Number of ids (the model's vocabulary size).
    pub fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    /// The end-of-text id.
    pub fn end_of_text(&self) -> u32 {
        self.end_of_text
    }

    /// The ids of `text`, appended to `out` (ordinary text: no special tokens recognised).
    pub fn encode_into(&self, text: &str, out: &mut Vec<u32>) -> Result<(), ProbeError> {
        match &self.inner {
            Inner::Gpt2(bpe) => out.extend(bpe.encode_ordinary(text)),
            Inner::Bytes => out.extend(text.bytes().map(u32::from)),
            Inner::Bpe(tokenizer) => {
                let encoding = tokenizer
                    .encode_fast(text, false)
                    .map_err(|e| ProbeError::Tokenizer(format!("encoding: {e}")))?;
                out.extend_from_slice(encoding.get_ids());
            }
        }
        Ok(())
    }

    /// The ids of `text`.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, ProbeError> {
        let mut out = Vec::new();
        self.encode_into(text, &mut out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpt2_ids_are_gpt2s() {
        let tokenizer = ProbeTokenizer::gpt2().unwrap();
        // GPT-2: "Hello world" = [15496, 995].
        assert_eq!(tokenizer.encode("Hello world").unwrap(), [15496, 995]);
        assert_eq!(tokenizer.vocab_size(), 50_257);
        assert_eq!(tokenizer.end_of_text(), 50_256);
        // A document cannot forge the end-of-text token.
        assert!(
            !tokenizer
                .encode(END_OF_TEXT)
                .unwrap()
                .contains(&tokenizer.end_of_text())
        );
    }

    #[test]
    fn bytes_are_ids() {
        let tokenizer = ProbeTokenizer::bytes();
        assert_eq!(tokenizer.encode("aé").unwrap(), [97, 0xc3, 0xa9]);
        assert_eq!(tokenizer.end_of_text(), 256);
        assert_eq!(tokenizer.vocab_size(), 257);
    }

    #[test]
    fn a_trained_bpe_merges_frequent_words() {
        let texts = ["the cat sat on the mat; the cat ate the rat"; 50];
        let tokenizer = ProbeTokenizer::train_bpe(texts.iter().copied(), 300).unwrap();
        assert_eq!(tokenizer.kind(), TokenizerKind::TrainedBpe);
        assert!(tokenizer.vocab_size() <= 300);
        let ids = tokenizer.encode("the cat sat").unwrap();
        assert!(ids.len() < "the cat sat".len(), "{ids:?}");
        assert!(ids.iter().all(|&id| (id as usize) < tokenizer.vocab_size()));
        assert!(ProbeTokenizer::train_bpe(texts.iter().copied(), 100).is_err());
    }
}
