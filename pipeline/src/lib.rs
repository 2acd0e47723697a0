//! nya's compute, with no chain in sight.
//!
//! - [`refine`]: CommonCrawl WARC → FineWeb-quality documents (datatrove 0.2.0's recipe).
//!
//! Distillation (`distill`), probe training (`probe`) and the Hub client (`hub`) join here as
//! they are built.

pub mod refine;
