//! Synthetic corpora of known quality, and the experiment that shows a probe ranks them.
//!
//! Three generators, all driven by a seeded ChaCha8 stream:
//! - [`CorpusKind::Clean`]: English prose: paragraphs from a seeded probabilistic grammar
//!   ([`grammar`]) with a lexicon of a few hundred words per class, so the corpus has English
//!   syntax and function-word statistics but no sentences a probe could memorise;
//! - [`CorpusKind::Boilerplate`]: raw page text as an HTML-to-text dump gives it. Each of a few
//!   sites has a fixed template (menu, cookie banner, sidebar, footer) that every one of its pages
//!   repeats, as real sites do, around the page's own breadcrumb, headline, byline, related
//!   links, tags and comments, with two or three paragraphs of the same kind of prose buried
//!   inside (about 28 % of the bytes);
//! - [`CorpusKind::ShuffledWords`]: the clean corpus's words in a random order (same words, same
//!   frequencies, no syntax).
//!
//! [`discrimination`] trains probes on each corpus for several seeds with the same token budget
//! and evaluates them all on [`HELD_OUT_PROSE`], a few paragraphs of ordinary English prose
//! written by hand, not by the grammar: it shares no generator
//! with any training corpus, so a lower loss there means the probe learned more English, not
//! more of its own generator.

use std::fmt::Write as _;

use candle_core::Device;
use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;

use super::ProbeError;
use super::config::ProbeSize;
use super::data::PackedSequences;
use super::eval::EvalSet;
use super::grammar;
use super::run::{ProbeSpec, tokenizer_for, train_and_evaluate};
use super::tokenizer::{ProbeTokenizer, TokenizerKind};

/// Hand-written reference prose, independent of every generator here.
pub const HELD_OUT_PROSE: &str = include_str!("held_out_prose.txt");

/// A synthetic corpus's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CorpusKind {
    Clean,
    Boilerplate,
    ShuffledWords,
}

impl CorpusKind {
    /// Best first.
    pub const ALL: [CorpusKind; 3] = [Self::Clean, Self::Boilerplate, Self::ShuffledWords];

    /// Its name in tables.
    pub fn name(self) -> &'static str {
        match self {
            Self::Clean => "clean",
            Self::Boilerplate => "boilerplate",
            Self::ShuffledWords => "shuffled-words",
        }
    }
}

/// Words for titles, URL slugs and tags in page boilerplate.
const NOUNS: &[&str] = &[
    "farmer",
    "river",
    "village",
    "market",
    "teacher",
    "garden",
    "bridge",
    "window",
    "letter",
    "road",
    "forest",
    "harbour",
    "child",
    "doctor",
    "kitchen",
    "storm",
    "mountain",
    "neighbour",
    "train",
    "field",
    "house",
    "lamp",
    "boat",
    "city",
    "school",
    "winter",
    "summer",
    "morning",
    "recipe",
    "deal",
    "guide",
    "review",
    "hotel",
    "phone",
    "photo",
    "offer",
    "home",
    "style",
];
const ADJECTIVES: &[&str] = &[
    "best",
    "top",
    "easy",
    "quick",
    "new",
    "cheap",
    "amazing",
    "simple",
    "ultimate",
    "perfect",
    "free",
    "latest",
    "essential",
    "healthy",
    "modern",
    "classic",
];

fn pick<'a>(rng: &mut ChaCha8Rng, words: &[&'a str]) -> &'a str {
    words.choose(rng).copied().unwrap_or("")
}

/// A paragraph of clean prose.
fn paragraph(rng: &mut ChaCha8Rng) -> String {
    grammar::paragraph(rng)
}

/// A clean document: 2 to 4 paragraphs.
fn clean_document(rng: &mut ChaCha8Rng) -> String {
    let count = rng.random_range(2..=4);
    (0..count)
        .map(|_| paragraph(rng))
        .collect::<Vec<_>>()
        .join("\n\n")
}

const SITES: &[&str] = &[
    "Daily Garden Tips",
    "City News Online",
    "The Home Cook",
    "Travel Notes Blog",
    "Village Life Magazine",
    "Best Deals Hub",
];
const NAV: &[&str] = &[
    "Home",
    "News",
    "About Us",
    "Contact",
    "Shop",
    "Blog",
    "Login",
    "Register",
    "Recipes",
    "Travel",
    "Deals",
    "Forum",
    "Help",
    "FAQ",
    "My Account",
    "Cart (0)",
];
const CATEGORIES: &[&str] = &[
    "Lifestyle",
    "Local News",
    "Food & Drink",
    "Travel",
    "Home",
    "Offers",
    "Garden",
    "Health",
    "Family",
    "Reviews",
];
const COOKIE_BANNERS: &[&str] = &[
    "We use cookies to improve your experience on our website. By continuing to browse, you agree to our use of cookies.",
    "This site uses cookies and similar technologies to personalise content and ads and to analyse our traffic.",
    "Cookies help us deliver our services. By using our services, you agree to our use of cookies. Learn more",
];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn slug(rng: &mut ChaCha8Rng) -> String {
    let words = rng.random_range(2..=5);
    (0..words)
        .map(|_| pick(rng, NOUNS))
        .collect::<Vec<_>>()
        .join("-")
}

fn title(rng: &mut ChaCha8Rng) -> String {
    let capitalise = |word: &str| {
        let mut chars = word.chars();
        chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect::<String>())
            .unwrap_or_default()
    };
    format!(
        "{} {} {}: {} Things You Need to Know",
        capitalise(pick(rng, ADJECTIVES)),
        capitalise(pick(rng, NOUNS)),
        capitalise(pick(rng, NOUNS)),
        rng.random_range(3..=15)
    )
}

/// A site's page template: the chrome every page of one site repeats, as real sites do.
struct SiteTemplate {
    name: &'static str,
    domain: String,
    /// The menu, in the site's order.
    nav: Vec<&'static str>,
    categories: Vec<&'static str>,
    cookie_banner: &'static str,
    /// Sidebar lines (popular posts, categories, archives, social links).
    sidebar: Vec<String>,
    /// Footer lines.
    footer: Vec<String>,
    /// The site's authors.
    authors: Vec<&'static str>,
}

const AUTHORS: &[&str] = &[
    "admin", "editor", "Sarah", "Mike", "jenny_k", "The Team", "guest", "Tom B.",
];
const COMMENTS: &[&str] = &[
    "Great post, thanks for sharing!",
    "Thank you so much for this, very helpful.",
    "Love this! Pinned for later.",
    "Where can I buy this? Please reply.",
    "Nice article. Check out my blog too!",
    "This didn't work for me :(",
    "Awesome tips, keep it up!!",
    "First!",
    "Can you do a post about this next time?",
    "Thanks, I was looking for this everywhere.",
];
const SOCIAL: &[&str] = &[
    "Facebook",
    "Twitter",
    "Instagram",
    "Pinterest",
    "YouTube",
    "TikTok",
    "LinkedIn",
];

impl SiteTemplate {
    fn new(name: &'static str, rng: &mut ChaCha8Rng) -> Self {
        let domain = name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        let mut nav: Vec<&str> = NAV.to_vec();
        nav.shuffle(rng);
        nav.truncate(rng.random_range(6..=10));
        let mut categories: Vec<&str> = CATEGORIES.to_vec();
        categories.shuffle(rng);
        categories.truncate(rng.random_range(3..=6));
        let mut sidebar = vec!["Popular Posts".to_owned()];
        sidebar.extend((0..rng.random_range(4..=6)).map(|_| title(rng)));
        sidebar.push("Categories".to_owned());
        sidebar.extend(
            categories
                .iter()
                .map(|c| format!("{c} ({})", rng.random_range(3..=120))),
        );
        sidebar.push("Archives".to_owned());
        let year = rng.random_range(2016..=2023);
        sidebar.extend(MONTHS.iter().rev().take(6).map(|m| format!("{m} {year}")));
        let mut social: Vec<&str> = SOCIAL.to_vec();
        social.shuffle(rng);
        social.truncate(rng.random_range(3..=5));
        sidebar.push(format!("Follow us: {}", social.join(" ")));
        let footer = vec![
            format!(
                "About {name} | Contact Us | Advertise | Privacy Policy | Terms of Service | Cookie Policy | Sitemap"
            ),
            format!(
                "© {} {name}. All rights reserved. Powered by WordPress | Theme by {}",
                rng.random_range(2015..=2025),
                pick(
                    rng,
                    &["ThemeGrill", "Astra", "GeneratePress", "Elegant Themes"]
                )
            ),
            "As an Amazon Associate we earn from qualifying purchases.".to_owned(),
        ];
        let mut authors: Vec<&str> = AUTHORS.to_vec();
        authors.shuffle(rng);
        authors.truncate(rng.random_range(1..=3));
        Self {
            name,
            domain,
            nav,
            categories,
            cookie_banner: pick(rng, COOKIE_BANNERS),
            sidebar,
            footer,
            authors,
        }
    }

    /// A page of this site as an HTML-to-text dump renders it: the site's chrome around one or
    /// two prose paragraphs, with the page's own headline, byline, related links, tags and
    /// comments.
    fn page(&self, rng: &mut ChaCha8Rng) -> String {
        let site = self.name;
        let category = pick(rng, &self.categories);
        let headline = title(rng);
        let mut out = String::new();
        let _ = writeln!(out, "Skip to main content");
        let _ = writeln!(out, "{site}");
        let _ = writeln!(out, "{}", self.nav.join(" | "));
        let _ = writeln!(out, "Search ... Menu");
        let _ = writeln!(out, "{}", self.cookie_banner);
        let _ = writeln!(out, "Accept all | Reject all | Cookie settings");
        let _ = writeln!(out, "Home > {category} > {headline}");
        let _ = writeln!(out, "{headline}");
        let _ = writeln!(
            out,
            "Posted on {} {}, {} by {} | {} Comments",
            pick(rng, MONTHS),
            rng.random_range(1..=28),
            rng.random_range(2012..=2024),
            pick(rng, &self.authors),
            rng.random_range(0..=40)
        );
        for _ in 0..rng.random_range(PAGE_PARAGRAPHS) {
            let _ = writeln!(out, "{}", paragraph(rng));
        }
        let _ = writeln!(
            out,
            "Share this: Facebook Twitter Pinterest WhatsApp Email Print"
        );
        let _ = writeln!(out, "Related Posts");
        for _ in 0..rng.random_range(3..=6) {
            if rng.random_bool(0.5) {
                let _ = writeln!(out, "{}", title(rng));
            } else {
                let _ = writeln!(out, "https://www.{}.com/{}/", self.domain, slug(rng));
            }
        }
        let tags: Vec<&str> = (0..rng.random_range(3..=6))
            .map(|_| pick(rng, NOUNS))
            .collect();
        let _ = writeln!(out, "Tags: {}", tags.join(", "));
        let comments = rng.random_range(0..=3);
        let _ = writeln!(out, "{comments} thoughts on \"{headline}\"");
        for _ in 0..comments {
            let _ = writeln!(
                out,
                "{} says: {} {}, {} at {}:{:02} pm",
                pick(rng, COMMENTERS),
                pick(rng, MONTHS),
                rng.random_range(1..=28),
                rng.random_range(2012..=2024),
                rng.random_range(1..=12),
                rng.random_range(0..60)
            );
            let _ = writeln!(out, "{}", pick(rng, COMMENTS));
            let _ = writeln!(out, "Reply");
        }
        let _ = writeln!(out, "Leave a Reply Cancel reply");
        let _ = writeln!(
            out,
            "Your email address will not be published. Required fields are marked *"
        );
        let _ = writeln!(out, "Comment * Name * Email * Website");
        let _ = writeln!(
            out,
            "Save my name, email, and website in this browser for the next time I comment."
        );
        let _ = writeln!(out, "Post Comment");
        for line in &self.sidebar {
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(
            out,
            "Subscribe to our newsletter and never miss an update! Enter your email address Subscribe"
        );
        for line in &self.footer {
            let _ = writeln!(out, "{line}");
        }
        let _ = write!(out, "Back to top");
        out
    }
}

/// Prose paragraphs per boilerplate page: about 28 % of a page's bytes are prose.
const PAGE_PARAGRAPHS: std::ops::RangeInclusive<u32> = 2..=3;

const COMMENTERS: &[&str] = &[
    "Linda",
    "mark77",
    "Jess",
    "Bob Smith",
    "kate_m",
    "Anonymous",
    "Dave",
    "Maria G.",
    "sunny_days",
    "Chris",
];

/// Documents of `kind` totalling at least `min_bytes` bytes, from `seed`.
pub fn corpus(kind: CorpusKind, seed: u64, min_bytes: usize) -> Vec<String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let sites: Vec<SiteTemplate> = if kind == CorpusKind::Boilerplate {
        SITES
            .iter()
            .map(|name| SiteTemplate::new(name, &mut rng))
            .collect()
    } else {
        Vec::new()
    };
    let mut documents = Vec::new();
    let mut bytes = 0;
    while bytes < min_bytes {
        let document = match kind {
            CorpusKind::Clean | CorpusKind::ShuffledWords => clean_document(&mut rng),
            CorpusKind::Boilerplate => {
                let site = sites.choose(&mut rng);
                site.map(|s| s.page(&mut rng)).unwrap_or_default()
            }
        };
        bytes += document.len();
        documents.push(document);
    }
    if kind == CorpusKind::ShuffledWords {
        shuffle_words(&mut documents, &mut rng);
    }
    documents
}

/// Shuffles all words across the corpus, keeping each document's word count.
fn shuffle_words(documents: &mut [String], rng: &mut ChaCha8Rng) {
    let counts: Vec<usize> = documents
        .iter()
        .map(|d| d.split_whitespace().count())
        .collect();
    let mut words: Vec<String> = documents
        .iter()
        .flat_map(|d| d.split_whitespace().map(str::to_owned))
        .collect();
    words.shuffle(rng);
    let mut words = words.into_iter();
    for (document, count) in documents.iter_mut().zip(counts) {
        *document = words.by_ref().take(count).collect::<Vec<_>>().join(" ");
    }
}

/// One probe of the experiment.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DiscriminationRun {
    pub corpus: CorpusKind,
    pub seed: u64,
    pub final_train_loss: f64,
    pub eval_loss: f64,
}

/// Held-out losses of probes trained on each corpus.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Discrimination {
    pub size: ProbeSize,
    pub tokens_per_run: u64,
    pub eval_tokens: u64,
    pub runs: Vec<DiscriminationRun>,
}

impl Discrimination {
    /// The held-out losses of `corpus`, in seed order.
    pub fn losses(&self, corpus: CorpusKind) -> Vec<f64> {
        self.runs
            .iter()
            .filter(|r| r.corpus == corpus)
            .map(|r| r.eval_loss)
            .collect()
    }

    /// Mean held-out loss of `corpus`.
    pub fn mean(&self, corpus: CorpusKind) -> f64 {
        let losses = self.losses(corpus);
        losses.iter().sum::<f64>() / losses.len().max(1) as f64
    }

    /// Max − min of the held-out losses of `corpus` across seeds.
    pub fn spread(&self, corpus: CorpusKind) -> f64 {
        let losses = self.losses(corpus);
        let max = losses.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let min = losses.iter().copied().fold(f64::INFINITY, f64::min);
        if losses.is_empty() { 0.0 } else { max - min }
    }

    /// Mean loss of `worse` minus mean loss of `better`, in units of the larger spread of the
    /// two (infinite when both spreads are zero and the gap is positive).
    pub fn margin(&self, better: CorpusKind, worse: CorpusKind) -> f64 {
        let gap = self.mean(worse) - self.mean(better);
        let spread = self.spread(better).max(self.spread(worse));
        if spread > 0.0 {
            gap / spread
        } else if gap > 0.0 {
            f64::INFINITY
        } else {
            0.0
        }
    }

    /// A table of every run and the margins.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "probe {} · {} training tokens per run · {} held-out tokens",
            self.size, self.tokens_per_run, self.eval_tokens
        );
        for corpus in CorpusKind::ALL {
            let losses: Vec<String> = self
                .losses(corpus)
                .iter()
                .map(|l| format!("{l:.4}"))
                .collect();
            let _ = writeln!(
                out,
                "{:<15} held-out loss {}  mean {:.4}  spread {:.4}",
                corpus.name(),
                losses.join(" "),
                self.mean(corpus),
                self.spread(corpus)
            );
        }
        let [clean, boilerplate, garbage] = CorpusKind::ALL;
        let _ = write!(
            out,
            "gap boilerplate−clean {:.4} ({:.1}× spread), shuffled−boilerplate {:.4} ({:.1}× spread)",
            self.mean(boilerplate) - self.mean(clean),
            self.margin(clean, boilerplate),
            self.mean(garbage) - self.mean(boilerplate),
            self.margin(boilerplate, garbage),
        );
        out
    }
}

/// Trains a probe of `size` per corpus and seed on `tokens` tokens each of that corpus's packed
/// windows (same tokenizer for all) and evaluates every probe on [`HELD_OUT_PROSE`].
pub fn discrimination(
    size: ProbeSize,
    tokenizer: &ProbeTokenizer,
    data: &[(CorpusKind, PackedSequences)],
    seeds: &[u64],
    tokens: u64,
    device: &Device,
) -> Result<Discrimination, ProbeError> {
    let eval_set = EvalSet::from_texts(held_out_paragraphs(), tokenizer, usize::MAX)?;
    let mut runs = Vec::new();
    let mut tokens_per_run = 0;
    for (corpus, packed) in data {
        for &seed in seeds {
            let spec = ProbeSpec::new(size, tokenizer, tokens, seed);
            let report = train_and_evaluate(
                &spec,
                tokenizer,
                device,
                packed,
                &eval_set,
                None,
                &mut |_| {},
            )?;
            tokens_per_run = report.tokens_seen;
            runs.push(DiscriminationRun {
                corpus: *corpus,
                seed,
                final_train_loss: report.final_train_loss,
                eval_loss: report.eval_loss,
            });
        }
    }
    Ok(Discrimination {
        size,
        tokens_per_run,
        eval_tokens: eval_set.tokens(),
        runs,
    })
}

/// Seed of the experiment's corpora.
pub const CORPUS_SEED: u64 = 2024;
/// Vocabulary of the BPE the `tiny` size uses in the experiment.
pub const EXPERIMENT_BPE_VOCAB: usize = 1024;

/// Bytes of each corpus the experiment's BPE is trained on.
pub const EXPERIMENT_BPE_SAMPLE_BYTES: usize = 1 << 19;

/// The whole experiment at `size`: generates the three corpora (seed [`CORPUS_SEED`]), picks
/// the tokenizer, packs `tokens` tokens of each and runs [`discrimination`].
///
/// The `tiny` size uses a BPE of [`EXPERIMENT_BPE_VOCAB`] ids trained on equal samples of the
/// three corpora instead of bytes. With bytes, shuffling words costs a tiny model almost
/// nothing (spelling is most of a byte-level loss); with word-sized tokens for the frequent
/// words the loss is about which word comes next, as with GPT-2's tokens at the larger sizes.
/// Measured at 300 steps: with 512 ids shuffled words cost no more than boilerplate (most
/// tokens are word pieces, predictable without word order); with 1,024 ids the three rank in
/// order. Much larger vocabularies turn every training word into one token, and then the
/// reference text's other words fall into pieces no probe ever saw (2,048 ids: clean 6.27,
/// boilerplate 6.49, shuffled 6.34, and clean's held-out loss no longer falls with training).
///
/// Held-out losses at `tiny`, 1,024 ids, 153,600 tokens, seeds 1–3 (mean, max − min):
///
/// | setting                                         | clean       | boilerplate | shuffled    |
/// |-------------------------------------------------|-------------|-------------|-------------|
/// | old grammar, untemplated pages (~50 % prose)    | 5.296 0.028 | 5.430 0.089 | 5.578 0.047 |
/// | old grammar, templated pages (28 %)             | 5.401 0.046 | 5.516 0.036 | 5.647 0.022 |
/// | Zipf grammar, templated (28 %), 8 × 300 steps   | 5.275 0.005 | 5.551 0.013 | 5.683 0.121 |
/// | same, 4 × 600 steps                             | 5.292 0.030 | 5.586 0.104 | 5.556 0.036 |
/// | same, 38 % prose, 4 × 600                       | 5.307 0.021 | 5.530 0.036 | 5.570 0.011 |
/// | same, 48 % prose, 4 × 600                       | 5.313 0.010 | 5.514 0.005 | 5.602 0.050 |
///
/// (Rows from the old grammar used the first 15 paragraphs of the held-out text. The Zipf rows
/// packed a slightly larger corpus than [`experiment`] does, so their shuffled words fell in
/// another order.) This function as it stands, 8 × 300 steps: seeds 1–3 give clean 5.275
/// 0.005, boilerplate 5.551 0.013, shuffled 5.620 0.019 (margins 21.8× and 3.7×); seeds 4–6
/// give 5.295 0.080, 5.522 0.034, 5.628 0.044 (2.8× and 2.4×). The richer grammar makes clean
/// against boilerplate usually clear. Shuffled against
/// boilerplate stays within 2× the spread: a probe trained on shuffled words sits on a plateau
/// near 6.0 until 200–400 steps of 4 (it has only within-word structure to learn), and when
/// each seed leaves it varies by up to 0.17 across seeds (5 seeds, 8 × 300: 5.58–5.75). Peak
/// rates of 1.5e-3 and 5e-3 and batches of 16 or 2 (same tokens) did not narrow it. The
/// boilerplate probe's loss barely depends on the prose share (5.59, 5.53, 5.51 at 28, 38 and
/// 48 %): the chrome costs it, not the missing prose.
pub fn experiment(
    size: ProbeSize,
    tokens: u64,
    seeds: &[u64],
    device: &Device,
) -> Result<Discrimination, ProbeError> {
    let tokenizer = match size.tokenizer() {
        TokenizerKind::Bytes => {
            let samples: Vec<Vec<String>> = CorpusKind::ALL
                .iter()
                .map(|&kind| corpus(kind, CORPUS_SEED, EXPERIMENT_BPE_SAMPLE_BYTES))
                .collect();
            let texts = samples.iter().flatten().map(String::as_str);
            ProbeTokenizer::train_bpe(texts, EXPERIMENT_BPE_VOCAB)?
        }
        kind => tokenizer_for(kind)?,
    };
    let spec = ProbeSpec::new(size, &tokenizer, tokens, 0);
    let windows = spec.windows()?;
    let mut data = Vec::new();
    for kind in CorpusKind::ALL {
        // Start at 8 bytes per token and double until the corpus fills the windows.
        let mut bytes = usize::try_from(tokens.saturating_mul(8))
            .map_err(|_| ProbeError::Config(format!("{tokens} tokens per run is too many")))?;
        let packed = loop {
            let documents = corpus(kind, CORPUS_SEED, bytes);
            let texts = documents.iter().map(String::as_str);
            match PackedSequences::from_texts(texts, &tokenizer, spec.training.seq_len, windows) {
                Err(ProbeError::NotEnoughData { .. }) if bytes < usize::MAX / 2 => bytes *= 2,
                other => break other?,
            }
        };
        data.push((kind, packed));
    }
    discrimination(size, &tokenizer, &data, seeds, tokens, device)
}

/// The held-out prose, one document per paragraph.
pub fn held_out_paragraphs() -> impl Iterator<Item = &'static str> {
    HELD_OUT_PROSE
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpora_are_seeded_and_sized() {
        for kind in CorpusKind::ALL {
            let a = corpus(kind, 3, 10_000);
            assert_eq!(a, corpus(kind, 3, 10_000), "{kind:?}");
            assert_ne!(a, corpus(kind, 4, 10_000), "{kind:?}");
            assert!(a.iter().map(String::len).sum::<usize>() >= 10_000);
        }
    }

    #[test]
    fn shuffled_words_keep_the_clean_words() {
        let clean = corpus(CorpusKind::Clean, 5, 5_000);
        let shuffled = corpus(CorpusKind::ShuffledWords, 5, 5_000);
        let sorted = |docs: &[String]| {
            let mut words: Vec<String> = docs
                .iter()
                .flat_map(|d| d.split_whitespace().map(str::to_owned))
                .collect();
            words.sort();
            words
        };
        assert_eq!(sorted(&clean), sorted(&shuffled));
        assert_ne!(clean, shuffled);
    }

    #[test]
    fn boilerplate_buries_the_prose() {
        let pages = corpus(CorpusKind::Boilerplate, 1, 50_000);
        let page = &pages[0];
        assert!(
            page.contains("cookies") && page.contains("All rights reserved"),
            "{page}"
        );
        // Prose lines are the ones made of sentences ending in a full stop.
        let total: usize = pages.iter().map(String::len).sum();
        let prose: usize = pages
            .iter()
            .flat_map(|p| p.lines())
            .filter(|l| l.len() > 120 && l.ends_with('.') && !l.contains("cookies"))
            .map(str::len)
            .sum();
        let share = prose as f64 / total as f64;
        println!("prose share of the boilerplate pages: {share:.3}");
        assert!((0.2..0.35).contains(&share), "prose share {share}");
        // Pages of one site repeat its template.
        let footers: std::collections::BTreeSet<&str> = pages
            .iter()
            .filter_map(|p| p.lines().find(|l| l.starts_with("© ")))
            .collect();
        assert!(footers.len() <= SITES.len(), "{footers:?}");
    }

    #[test]
    fn the_held_out_text_is_independent_of_the_clean_generator() {
        let paragraphs: Vec<&str> = held_out_paragraphs().collect();
        assert!(paragraphs.len() >= 6);
        // No run of five words of the reference prose occurs in a large sample of clean prose.
        let clean = corpus(CorpusKind::Clean, CORPUS_SEED, 1 << 20);
        let generated: Vec<&str> = clean.iter().flat_map(|d| d.split_whitespace()).collect();
        let held_out: Vec<&str> = HELD_OUT_PROSE.split_whitespace().collect();
        let runs: std::collections::BTreeSet<&[&str]> = generated.windows(5).collect();
        let shared: Vec<&[&str]> = held_out
            .windows(5)
            .filter(|run| runs.contains(run))
            .collect();
        assert!(shared.is_empty(), "{shared:?}");
    }

    #[test]
    fn clean_prose_rarely_repeats_itself() {
        let documents = corpus(CorpusKind::Clean, 9, 200_000);
        let sentences: Vec<&str> = documents
            .iter()
            .flat_map(|d| d.split_inclusive(". "))
            .map(str::trim)
            .collect();
        let distinct: std::collections::BTreeSet<&&str> = sentences.iter().collect();
        assert!(
            distinct.len() * 100 >= sentences.len() * 97,
            "{} distinct sentences of {}",
            distinct.len(),
            sentences.len()
        );
    }

    /// The acceptance test of the probe: with the same token budget, probes trained on clean
    /// prose beat probes trained on boilerplate-heavy pages, which beat probes trained on
    /// shuffled words, on hand-written held-out prose, each gap over 3× the seed spread.
    #[test]
    #[ignore = "not robust yet: seeds 1-3 give 21.8x and 3.7x but seeds 4-6 give 2.8x and \
                2.4x (see `experiment`); run with --ignored to see the numbers"]
    fn probes_rank_clean_above_boilerplate_above_shuffled_words() {
        let tokens = 8 * 64 * 300;
        let result = experiment(ProbeSize::Tiny, tokens, &[1, 2, 3], &Device::Cpu).unwrap();
        println!("{}", result.table());
        let [clean, boilerplate, garbage] = CorpusKind::ALL;
        assert!(
            result.mean(clean) < result.mean(boilerplate),
            "{}",
            result.table()
        );
        assert!(
            result.mean(boilerplate) < result.mean(garbage),
            "{}",
            result.table()
        );
        assert!(
            result.margin(clean, boilerplate) > 3.0,
            "{}",
            result.table()
        );
        assert!(
            result.margin(boilerplate, garbage) > 3.0,
            "{}",
            result.table()
        );
        assert_eq!(result.runs.len(), 9);
        assert!(result.tokens_per_run >= tokens);
    }

    #[test]
    fn margins_follow_the_numbers() {
        let run = |corpus, seed, eval_loss| DiscriminationRun {
            corpus,
            seed,
            final_train_loss: 0.0,
            eval_loss,
        };
        let result = Discrimination {
            size: ProbeSize::Tiny,
            tokens_per_run: 1,
            eval_tokens: 1,
            runs: vec![
                run(CorpusKind::Clean, 1, 1.0),
                run(CorpusKind::Clean, 2, 1.2),
                run(CorpusKind::Boilerplate, 1, 2.0),
                run(CorpusKind::Boilerplate, 2, 2.1),
            ],
        };
        assert!((result.mean(CorpusKind::Clean) - 1.1).abs() < 1e-12);
        assert!((result.spread(CorpusKind::Clean) - 0.2).abs() < 1e-12);
        let margin = result.margin(CorpusKind::Clean, CorpusKind::Boilerplate);
        assert!((margin - 0.95 / 0.2).abs() < 1e-9, "{margin}");
        assert!(result.table().contains("clean"));
    }
}
