//! GPT-2 token counts, the recipe's last step (datatrove's `TokensCounter` with the `gpt2`
//! tokenizer, which FineWeb stores as `token_count`).
//!
//! The BPE is tiktoken's `r50k_base`, GPT-2's byte-level BPE (same vocabulary, merges and
//! pre-tokenisation regex as the Hub's `gpt2` tokenizer). The `tiktoken-rs` crate compiles the
//! rank file into the binary, so nothing is downloaded. Text is encoded as ordinary text:
//! `<|endoftext|>` inside a document counts as the tokens of its characters, where the Hub
//! tokenizer would count one special token (a deliberate choice: a document cannot forge
//! special tokens).

use tiktoken_rs::CoreBPE;

/// The step name in stats and traces.
pub const STEP: &str = "tokens";

/// Why the tokenizer could not be built (only if the embedded rank file were corrupt).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the GPT-2 (r50k_base) tokenizer: {0}")]
pub struct TokenizerError(String);

/// Counts GPT-2 tokens; cheap to share across threads.
pub struct TokenCounter {
    bpe: CoreBPE,
}

impl std::fmt::Debug for TokenCounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCounter(gpt2/r50k_base)")
    }
}

impl TokenCounter {
    /// GPT-2's tokenizer, from the rank file embedded in `tiktoken-rs`.
    pub fn gpt2() -> Result<Self, TokenizerError> {
        let bpe = tiktoken_rs::r50k_base().map_err(|e| TokenizerError(e.to_string()))?;
        Ok(Self { bpe })
    }

    /// Number of GPT-2 tokens of `text`.
    pub fn count(&self, text: &str) -> u64 {
        self.bpe.encode_ordinary(text).len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_match_gpt2() {
        let counter = TokenCounter::gpt2().unwrap();
        // GPT-2 ids: "Hello world" = [15496, 995]; " the quick brown fox" = 4 tokens.
        assert_eq!(counter.count("Hello world"), 2);
        assert_eq!(counter.count(" the quick brown fox"), 4);
        assert_eq!(counter.count(""), 0);
        // The special token is not recognised inside text.
        assert!(counter.count("<|endoftext|>") > 1);
    }
}
