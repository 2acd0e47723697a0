//! The FineWeb recipe, one file per step.
//!
//! Built so far: the pieces below. The recipe list that chains them (URL filter → extraction →
//! language id → Gopher repetition → Gopher quality → C4 → FineWeb quality → MinHash dedup → PII
//! → token counts) lands with `nya refine`.
