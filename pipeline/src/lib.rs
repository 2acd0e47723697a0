//! nya's compute, with no chain in sight.
//!
//! - [`assets`]: external assets (lid.176, UT1, word lists, Punkt) fetched once, sha256-pinned.
//! - [`jsonl`]: JSON-lines input with line-numbered errors.
//! - [`net`]: the retry policy and HTTP client every download shares.
//! - [`dataset_dir`]: a dataset folder (data files, card, manifest) and its verification.
//! - [`refine`]: CommonCrawl WARC → FineWeb-quality documents (datatrove 0.2.0's recipe).
//! - [`hub`]: publish to and fetch from the Hugging Face Hub (hf-hub), and the offline hub.
//! - [`device`]: which candle device a model runs on (cpu, or cuda with the `cuda` feature).
//! - [`distill`]: teacher soft labels (top-k log-probs) with candle, their storage and checks.
//! - [`probe`]: a small LM trained on a dataset to score it, reproducibly.

pub mod assets;
pub mod dataset_dir;
pub mod device;
pub mod distill;
pub mod hub;
pub mod jsonl;
pub mod net;
pub mod probe;
pub mod refine;
