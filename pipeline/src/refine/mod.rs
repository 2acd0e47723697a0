//! The FineWeb recipe (datatrove 0.2.0), one file per step.
//!
//! Steps, in recipe order:
//! - [`warc`]: streaming WARC reader, record selection and decoding (with provenance offsets).
//! - [`url_filter`]: UT1 blacklist, banned words and subwords, registered domains.
//! - [`extract`]: main text with the `trafilatura` crate, serialised like Python's TXT output.
//! - [`lid`]: fastText lid.176 language identification.
//! - [`gopher_repetition`], [`gopher_quality`], [`c4`], [`fineweb_quality`]: the text filters.
//! - [`minhash`] and [`dedup`]: MinHash signatures and deterministic cluster survivors.
//! - [`pii`]: email and public IPv4 formatting.
//! - [`tokens`]: GPT-2 token counts.
//!
//! [`recipe`] is the recipe as one list of those steps; [`run`] drives it over WARC files
//! (parallel batches, dedup over the task) and [`output`] writes the dataset folder (Parquet
//! shards, card, manifest). [`source`] resolves where each WARC comes from (local file, URL or
//! CommonCrawl path) and [`remote`] streams URLs with retries and resume. [`bench`] times the
//! recipe per step for `nya bench refine`.
//!
//! Shared pieces: [`punkt`] and [`words`] (NLTK's sentence and word tokenizers), [`pystr`]
//! (Python string semantics the filters depend on), [`rejection`] (why a document was
//! dropped).

pub mod bench;
pub mod c4;
pub mod dedup;
pub mod extract;
pub mod fineweb_quality;
pub mod gopher_quality;
pub mod gopher_repetition;
pub mod lid;
pub mod minhash;
pub mod output;
pub mod pii;
pub mod punkt;
pub mod pystr;
pub mod recipe;
pub mod rejection;
pub mod remote;
pub mod run;
pub mod source;
pub mod tokens;
pub mod url_filter;
pub mod warc;
pub mod words;

#[cfg(test)]
mod parity_tests;
