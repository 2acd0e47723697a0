//! The registry of external assets: what each file is, where it comes from by default, and the
//! SHA-256 and size it is pinned to (computed from the files in `../shared/fixtures/refine`).

/// One external file: where it comes from and what it must hash to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asset {
    /// Registry name, e.g. `lid-176`; `NYA_ASSET_URL_LID_176` overrides its URL.
    pub name: &'static str,
    /// Sub-directory in the cache and in source directories, e.g. `urlfilter`.
    pub group: &'static str,
    /// File name on disk.
    pub file_name: &'static str,
    /// Default download URL.
    pub url: &'static str,
    /// When set, the URL serves a zip archive and the asset is this member of it.
    pub archive_member: Option<&'static str>,
    /// Pinned SHA-256 of the file, lower-case hex.
    pub sha256: &'static str,
    /// Pinned size in bytes (also the download cap).
    pub size: u64,
}

/// fastText's language-ID model, quantized (FineWeb's LID step; 176 languages, CC BY-SA 3.0).
pub const LID_176: Asset = Asset {
    name: "lid-176",
    group: "lid",
    file_name: "lid.176.ftz",
    url: "https://dl.fbaipublicfiles.com/fasttext/supervised-models/lid.176.ftz",
    archive_member: None,
    sha256: "8f3472cfe8738a7b6099e8e999c3cbfae0dcd15696aac7d7738a8039db603e83",
    size: 938_013,
};

/// The UT1 blacklist's `adult` category (Université Toulouse 1 Capitole, CC BY-SA), as datatrove
/// 0.2.0 bundles it in `src/datatrove/assets/url_filterblacklists.tar.gz` (UT1 snapshot of
/// 2023-07-27, 4.5 M domains) — the copy FineWeb filtered with. UT1's own download
/// (`dsi.ut-capitole.fr/blacklists`) changes daily and cannot be pinned, so the default URL is
/// datatrove's file at the v0.2.0 tag; its bytes equal the file in the datatrove 0.2.0 wheel.
pub const UT1_ADULT_BLACKLIST: Asset = Asset {
    name: "ut1-adult-blacklist",
    group: "urlfilter",
    file_name: "ut1-adult-blacklist.tar.gz",
    url: "https://raw.githubusercontent.com/huggingface/datatrove/v0.2.0/src/datatrove/assets/url_filterblacklists.tar.gz",
    archive_member: None,
    sha256: "9659dda640e167426f5e4dc0c380a11ec6e0e5d9e9b1b575de2d49a349d542a7",
    size: 17_678_810,
};

/// datatrove 0.2.0's `banned_words.txt` (whole URL words that reject a URL).
pub const BANNED_WORDS: Asset = Asset {
    name: "banned-words",
    group: "urlfilter",
    file_name: "banned_words.txt",
    url: "https://raw.githubusercontent.com/huggingface/datatrove/v0.2.0/src/datatrove/assets/banned_words.txt",
    archive_member: None,
    sha256: "7aae5109ccc4d8357167168fa3a91331fa2fafd8eb8cc9c38cc9147c2610fab0",
    size: 1_732,
};

/// datatrove 0.2.0's `banned_subwords.txt` (substrings of the normalised URL that reject it).
pub const BANNED_SUBWORDS: Asset = Asset {
    name: "banned-subwords",
    group: "urlfilter",
    file_name: "banned_subwords.txt",
    url: "https://raw.githubusercontent.com/huggingface/datatrove/v0.2.0/src/datatrove/assets/banned_subwords.txt",
    archive_member: None,
    sha256: "4770445cd8d2b16495efde88bc4efc3a520bdc0f3137d14d85cd3d89b194a232",
    size: 1_673,
};

/// datatrove 0.2.0's `soft_banned_words.txt` (two of them in a URL reject it).
pub const SOFT_BANNED_WORDS: Asset = Asset {
    name: "soft-banned-words",
    group: "urlfilter",
    file_name: "soft_banned_words.txt",
    url: "https://raw.githubusercontent.com/huggingface/datatrove/v0.2.0/src/datatrove/assets/soft_banned_words.txt",
    archive_member: None,
    sha256: "e5043030accca33b0e368a693997576beea4c58279da641bff40b4e02281b063",
    size: 674,
};

/// NLTK data's `punkt_tab` package (one zip for all languages); the English files are members.
const PUNKT_TAB_ZIP: &str =
    "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/tokenizers/punkt_tab.zip";

/// Punkt English: abbreviation types.
pub const PUNKT_ENGLISH_ABBREV_TYPES: Asset = Asset {
    name: "punkt-english-abbrev-types",
    group: "punkt_tab_english",
    file_name: "abbrev_types.txt",
    url: PUNKT_TAB_ZIP,
    archive_member: Some("punkt_tab/english/abbrev_types.txt"),
    sha256: "c7baa3c333ea86629a32400663db8cfcc5c6d61a37107ddeac60111b550806cd",
    size: 620,
};

/// Punkt English: collocations.
pub const PUNKT_ENGLISH_COLLOCATIONS: Asset = Asset {
    name: "punkt-english-collocations",
    group: "punkt_tab_english",
    file_name: "collocations.tab",
    url: PUNKT_TAB_ZIP,
    archive_member: Some("punkt_tab/english/collocations.tab"),
    sha256: "ba850bde20b6d640723a51f3e747f0f4f19c98938f1d67d2692a5595c2cc48e3",
    size: 595,
};

/// Punkt English: orthographic context.
pub const PUNKT_ENGLISH_ORTHO_CONTEXT: Asset = Asset {
    name: "punkt-english-ortho-context",
    group: "punkt_tab_english",
    file_name: "ortho_context.tab",
    url: PUNKT_TAB_ZIP,
    archive_member: Some("punkt_tab/english/ortho_context.tab"),
    sha256: "b907db07477c8d682c83331ad38b56178e77120c4ff55bb799bf43044e75d305",
    size: 236_304,
};

/// Punkt English: sentence starters.
pub const PUNKT_ENGLISH_SENT_STARTERS: Asset = Asset {
    name: "punkt-english-sent-starters",
    group: "punkt_tab_english",
    file_name: "sent_starters.txt",
    url: PUNKT_TAB_ZIP,
    archive_member: Some("punkt_tab/english/sent_starters.txt"),
    sha256: "9288e8cdec3ce0026b82851a145d0b5c3cfbbe64e1ea6dfa0c41d55f2e53c858",
    size: 242,
};

/// The four Punkt English files (they land in one directory, `punkt_tab_english`).
pub const PUNKT_ENGLISH: [&Asset; 4] = [
    &PUNKT_ENGLISH_ABBREV_TYPES,
    &PUNKT_ENGLISH_COLLOCATIONS,
    &PUNKT_ENGLISH_ORTHO_CONTEXT,
    &PUNKT_ENGLISH_SENT_STARTERS,
];

/// Every asset nya knows.
pub const ALL: [&Asset; 9] = [
    &LID_176,
    &UT1_ADULT_BLACKLIST,
    &BANNED_WORDS,
    &BANNED_SUBWORDS,
    &SOFT_BANNED_WORDS,
    &PUNKT_ENGLISH_ABBREV_TYPES,
    &PUNKT_ENGLISH_COLLOCATIONS,
    &PUNKT_ENGLISH_ORTHO_CONTEXT,
    &PUNKT_ENGLISH_SENT_STARTERS,
];

/// The registered asset called `name`.
pub fn by_name(name: &str) -> Option<&'static Asset> {
    ALL.into_iter().find(|asset| asset.name == name)
}

/// The environment variable that overrides `asset`'s URL: `NYA_ASSET_URL_` + the name upper-cased
/// with every non-alphanumeric character turned into `_` (`lid-176` → `NYA_ASSET_URL_LID_176`).
pub fn url_env_var(asset: &Asset) -> String {
    let suffix: String = asset
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("NYA_ASSET_URL_{suffix}")
}
