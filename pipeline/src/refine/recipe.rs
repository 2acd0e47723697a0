//! The FineWeb recipe as one list of steps (datatrove 0.2.0's stage A, then dedup, PII and token
//! counts), and the per-document pass that applies them.
//!
//! [`FINEWEB_STEPS`] is the recipe, in order; [`Recipe::filter`] runs the per-document steps up to
//! MinHash, [`Recipe::finish`] the ones after dedup. Dedup itself needs every document of the task
//! and lives in the driver (`run`). Every per-document function is pure (no state carried from
//! one document to the next), so the result for a document is the same whatever the thread
//! count or the order documents are processed in.
//!
//! Rejections name the step (the step's `STEP` constant, as in stats and traces) and a reason:
//! datatrove's reason string for the quality filters; `lid` gives `no_prediction`,
//! `not_english` or `low_score`; `extract` gives `no_text` when trafilatura finds nothing.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::c4::{self, C4Quality};
use super::extract::{self, ExtractOptions, Extractor};
use super::fineweb_quality::{self, FineWebQuality};
use super::gopher_quality::{self, GopherQuality};
use super::gopher_repetition::{self, GopherRepetition};
use super::lid::{self, LanguageId, LidError, LidScratch};
use super::minhash::{self, MinHashSignature, MinHasher};
use super::pii::PiiFormatter;
use super::punkt::{PunktLoadError, PunktParameters, PunktTokenizer};
use super::rejection::Rejection;
use super::tokens::{self, TokenCounter, TokenizerError};
use super::url_filter::{self, UrlFilter, UrlFilterError};
use super::warc::WarcDocument;
use super::words::{DocWords, WordTokenizer};
use crate::assets::{self, AssetCache, AssetError};

/// Pipeline name and version written into manifests.
pub const PIPELINE_VERSION: &str = concat!("nya-refine/", env!("CARGO_PKG_VERSION"));

/// The language-ID step's name.
pub const LID_STEP: &str = "lid";
/// The MinHash dedup step's name.
pub const DEDUP_STEP: &str = "minhash";
/// The PII step's name.
pub const PII_STEP: &str = "pii";
/// Extraction found no text.
pub const NO_TEXT: &str = "no_text";

/// One step of the recipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// UT1 blacklist and banned words on the URL.
    UrlFilter,
    /// Main text with trafilatura.
    Extract,
    /// fastText lid.176, English > 0.65.
    LanguageId,
    /// Gopher repetition.
    GopherRepetition,
    /// Gopher quality.
    GopherQuality,
    /// C4 (rewrites the text).
    C4,
    /// FineWeb quality.
    FineWebQuality,
    /// MinHash near-duplicate removal over the whole task.
    MinHashDedup,
    /// E-mail and public IPv4 masking.
    Pii,
    /// GPT-2 token counts.
    TokenCount,
}

/// The recipe, in order.
pub const FINEWEB_STEPS: [Step; 10] = [
    Step::UrlFilter,
    Step::Extract,
    Step::LanguageId,
    Step::GopherRepetition,
    Step::GopherQuality,
    Step::C4,
    Step::FineWebQuality,
    Step::MinHashDedup,
    Step::Pii,
    Step::TokenCount,
];

impl Step {
    /// The name in stats, traces and rejections.
    pub fn name(self) -> &'static str {
        match self {
            Step::UrlFilter => url_filter::STEP,
            Step::Extract => extract::STEP,
            Step::LanguageId => LID_STEP,
            Step::GopherRepetition => gopher_repetition::STEP,
            Step::GopherQuality => gopher_quality::STEP,
            Step::C4 => c4::STEP,
            Step::FineWebQuality => fineweb_quality::STEP,
            Step::MinHashDedup => DEDUP_STEP,
            Step::Pii => PII_STEP,
            Step::TokenCount => tokens::STEP,
        }
    }
}

/// Time spent in each step of [`FINEWEB_STEPS`], summed over documents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepTimes {
    spent: [Duration; FINEWEB_STEPS.len()],
}

impl StepTimes {
    /// Runs `work`, adding its duration to `step`.
    pub fn time<T>(&mut self, step: Step, work: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let result = work();
        self.add(step, started.elapsed());
        result
    }

    /// Adds `spent` to `step`.
    pub fn add(&mut self, step: Step, spent: Duration) {
        // `Step`'s declaration order is the recipe order (checked by a test).
        if let Some(slot) = self.spent.get_mut(step as usize) {
            *slot += spent;
        }
    }

    /// Adds every step of `other`.
    pub fn merge(&mut self, other: &StepTimes) {
        for (mine, theirs) in self.spent.iter_mut().zip(other.spent) {
            *mine += theirs;
        }
    }

    /// Time spent in `step`.
    pub fn get(&self, step: Step) -> Duration {
        self.spent.get(step as usize).copied().unwrap_or_default()
    }

    /// Time spent in all steps.
    pub fn total(&self) -> Duration {
        self.spent.iter().sum()
    }
}

/// Why the recipe could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum RecipeError {
    #[error(transparent)]
    Asset(#[from] AssetError),
    #[error("URL filter: {0}")]
    UrlFilter(#[from] UrlFilterError),
    #[error("language-ID model: {0}")]
    Lid(#[from] LidError),
    #[error("Punkt parameters: {0}")]
    Punkt(#[from] PunktLoadError),
    #[error("cannot read asset file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tokenizer(#[from] TokenizerError),
}

/// A document that passed every per-document filter: the text entering MinHash.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The text after C4's rewrite.
    pub text: String,
    /// The language label (`en`).
    pub language: String,
    /// lid.176's probability for it.
    pub language_score: f64,
    /// MinHash signature of `text` (None below 5 words: never a duplicate).
    pub signature: Option<MinHashSignature>,
}

/// A surviving document's final text and its token count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// The text after PII masking.
    pub text: String,
    /// GPT-2 tokens of `text`.
    pub token_count: u64,
}

/// Everything the recipe needs, loaded once and shared by all threads.
pub struct Recipe {
    url_filter: UrlFilter,
    extractor: Extractor,
    language_id: LanguageId,
    words: WordTokenizer,
    gopher_repetition: GopherRepetition,
    gopher_quality: GopherQuality,
    c4: C4Quality,
    fineweb_quality: FineWebQuality,
    minhasher: MinHasher,
    pii: PiiFormatter,
    tokens: TokenCounter,
    asset_pins: BTreeMap<&'static str, &'static str>,
}

impl std::fmt::Debug for Recipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recipe")
            .field("steps", &FINEWEB_STEPS)
            .field("assets", &self.asset_pins)
            .finish_non_exhaustive()
    }
}

impl Recipe {
    /// FineWeb's recipe with its assets from `cache` (which announces any download).
    pub fn from_assets(cache: &AssetCache) -> Result<Self, RecipeError> {
        let url_filter = UrlFilter::from_assets(cache)?;
        let language_id = LanguageId::load(&cache.get(&assets::LID_176)?)?;
        let read = |asset: &'static assets::Asset| -> Result<String, RecipeError> {
            let path = cache.get(asset)?;
            std::fs::read_to_string(&path).map_err(|source| RecipeError::Read {
                path: path.display().to_string(),
                source,
            })
        };
        let punkt = PunktParameters::from_texts(
            &read(&assets::PUNKT_ENGLISH_ABBREV_TYPES)?,
            &read(&assets::PUNKT_ENGLISH_COLLOCATIONS)?,
            &read(&assets::PUNKT_ENGLISH_SENT_STARTERS)?,
            &read(&assets::PUNKT_ENGLISH_ORTHO_CONTEXT)?,
        )?;
        let asset_pins = assets::ALL.iter().map(|a| (a.name, a.sha256)).collect();
        Ok(Self {
            url_filter,
            extractor: Extractor::new(ExtractOptions::default()),
            language_id,
            words: WordTokenizer::new(PunktTokenizer::new(punkt)),
            gopher_repetition: GopherRepetition::default(),
            gopher_quality: GopherQuality::default(),
            c4: C4Quality::fineweb(),
            fineweb_quality: FineWebQuality::default(),
            minhasher: MinHasher::fineweb(),
            pii: PiiFormatter::new(),
            tokens: TokenCounter::gpt2()?,
            asset_pins,
        })
    }

    /// Loads the recipe with assets taken from one source directory only (laid out like
    /// `../shared/fixtures/refine`), never downloading.
    pub fn from_dir(dir: &Path, cache_dir: &Path) -> Result<Self, RecipeError> {
        Self::from_assets(
            &AssetCache::new(cache_dir)
                .with_source_dir(dir)
                .offline(true),
        )
    }

    /// The per-document steps, URL filter through FineWeb quality, and the MinHash signature of
    /// the surviving text.
    pub fn filter(
        &self,
        doc: &WarcDocument,
        scratch: &mut LidScratch,
    ) -> Result<Candidate, Rejection> {
        self.filter_timed(doc, scratch, &mut StepTimes::default())
    }

    /// [`Recipe::filter`], adding the time each step took to `times` (for `nya bench refine`;
    /// the clock reads cost well under 0.1 % of a document's time).
    pub fn filter_timed(
        &self,
        doc: &WarcDocument,
        scratch: &mut LidScratch,
        times: &mut StepTimes,
    ) -> Result<Candidate, Rejection> {
        times.time(Step::UrlFilter, || self.url_filter.check(&doc.url))?;
        let text = times
            .time(Step::Extract, || {
                self.extractor.extract(&doc.content, Some(&doc.url))
            })?
            .ok_or(Rejection::new(extract::STEP, NO_TEXT))?;
        let (language, language_score) =
            times.time(Step::LanguageId, || self.identify_language(&text, scratch))?;
        // Both Gopher filters read the same words; splitting them is counted under the first.
        let words = times.time(Step::GopherRepetition, || {
            let words = DocWords::new(&text, &self.words);
            self.gopher_repetition.filter(&words).map(|()| words)
        })?;
        times.time(Step::GopherQuality, || self.gopher_quality.filter(&words))?;
        let text = times.time(Step::C4, || self.c4.filter(&text, self.words.punkt()))?;
        times.time(Step::FineWebQuality, || {
            self.fineweb_quality
                .filter(&DocWords::new(&text, &self.words))
        })?;
        let signature = times.time(Step::MinHashDedup, || {
            self.minhasher.minhash(&text).map(|m| m.signature)
        });
        Ok(Candidate {
            text,
            language,
            language_score,
            signature,
        })
    }

    /// The steps after dedup: PII masking, then token counting.
    pub fn finish(&self, text: &str) -> Finished {
        self.finish_timed(text, &mut StepTimes::default())
    }

    /// [`Recipe::finish`], adding the time each step took to `times`.
    pub fn finish_timed(&self, text: &str, times: &mut StepTimes) -> Finished {
        let text = times.time(Step::Pii, || self.pii.format(text).into_owned());
        let token_count = times.time(Step::TokenCount, || self.tokens.count(&text));
        Finished { text, token_count }
    }

    /// datatrove's `LanguageFilter(languages=["en"], language_threshold=0.65)`.
    fn identify_language(
        &self,
        text: &str,
        scratch: &mut LidScratch,
    ) -> Result<(String, f64), Rejection> {
        let (label, score) = self
            .language_id
            .predict_datatrove(text, scratch)
            .ok_or(Rejection::new(LID_STEP, "no_prediction"))?;
        if lid::fineweb_keeps(label, score) {
            Ok((label.to_owned(), f64::from(score)))
        } else if label != lid::FINEWEB_LANGUAGE {
            Err(Rejection::new(LID_STEP, "not_english"))
        } else {
            Err(Rejection::new(LID_STEP, "low_score"))
        }
    }

    /// The recipe's settings, for the manifest (keys sorted by the manifest writer).
    pub fn parameters(&self) -> BTreeMap<String, Value> {
        let gq = &self.gopher_quality;
        let mut stop_words: Vec<&str> = gq.stop_words.iter().map(String::as_str).collect();
        stop_words.sort_unstable();
        let entries = [
            ("steps", json!(FINEWEB_STEPS.map(Step::name).to_vec())),
            (
                "url_filter",
                json!({"soft_word_threshold": url_filter::DEFAULT_SOFT_WORD_THRESHOLD}),
            ),
            ("extract", json!(format!("{:?}", self.extractor.options()))),
            (
                "lid",
                json!({"model": "lid.176.ftz", "language": lid::FINEWEB_LANGUAGE,
                       "min_score": lid::FINEWEB_MIN_SCORE, "newlines_removed": true}),
            ),
            (
                "gopher_repetition",
                json!(format!("{:?}", self.gopher_repetition)),
            ),
            (
                "gopher_quality",
                json!({
                    "min_doc_words": gq.min_doc_words, "max_doc_words": gq.max_doc_words,
                    "min_avg_word_length": gq.min_avg_word_length,
                    "max_avg_word_length": gq.max_avg_word_length,
                    "max_symbol_word_ratio": gq.max_symbol_word_ratio,
                    "max_bullet_lines_ratio": gq.max_bullet_lines_ratio,
                    "max_ellipsis_lines_ratio": gq.max_ellipsis_lines_ratio,
                    "max_non_alpha_words_ratio": gq.max_non_alpha_words_ratio,
                    "min_stop_words": gq.min_stop_words, "stop_words": stop_words,
                }),
            ),
            ("c4", json!(format!("{:?}", self.c4))),
            (
                "fineweb_quality",
                json!(format!("{:?}", self.fineweb_quality)),
            ),
            (
                "minhash",
                json!({"seed": minhash::FINEWEB_SEED, "buckets": minhash::NUM_BUCKETS,
                       "hashes_per_bucket": minhash::HASHES_PER_BUCKET, "n_grams": minhash::N_GRAMS,
                       "survivor": "smallest WARC-Record-ID"}),
            ),
            (
                "pii",
                json!({"email_replacements": self.pii.options().email_replacements,
                       "ip_replacements": self.pii.options().ip_replacements,
                       "choice": "sha256 of the match"}),
            ),
            ("tokenizer", json!("gpt2 (tiktoken r50k_base)")),
            ("assets_sha256", json!(self.asset_pins)),
        ];
        entries
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_times_index_steps_in_recipe_order() {
        let mut times = StepTimes::default();
        for (position, step) in FINEWEB_STEPS.into_iter().enumerate() {
            assert_eq!(step as usize, position, "{step:?}");
            times.add(step, Duration::from_millis(position as u64 + 1));
        }
        assert_eq!(times.get(Step::UrlFilter), Duration::from_millis(1));
        assert_eq!(times.get(Step::TokenCount), Duration::from_millis(10));
        let mut doubled = times;
        doubled.merge(&times);
        assert_eq!(doubled.total(), Duration::from_millis(110));
        assert_eq!(times.time(Step::C4, || 7), 7);
    }

    #[test]
    fn steps_are_in_recipe_order_with_unique_names() {
        let names = FINEWEB_STEPS.map(Step::name);
        assert_eq!(
            names,
            [
                "url",
                "extract",
                "lid",
                "gopher_rep",
                "gopher_qual",
                "c4",
                "fineweb_qual",
                "minhash",
                "pii",
                "tokens"
            ]
        );
        let mut sorted = FINEWEB_STEPS.to_vec();
        sorted.sort();
        assert_eq!(sorted, FINEWEB_STEPS.to_vec(), "enum order is recipe order");
    }
}
