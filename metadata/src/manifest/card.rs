//! The dataset card (`README.md`) of a published repo, rendered from its manifest.
//!
//! The Hub reads the YAML header between the two `---` lines: license, task category, tags,
//! and one `default` config whose `train` split is the data-file glob (so the dataset viewer and
//! `datasets.load_dataset` find the Parquet files). Every string value in the header is written
//! as a YAML double-quoted scalar, so no manifest or option value can break out of it. The body
//! is for people: task, kind, counts, digests, sources and files. The manifest stays the
//! machine-readable source of truth; the card is never parsed back.

use std::fmt::Write as _;

use super::Manifest;
use crate::task::TaskKind;

/// Files and sources listed in the card before it refers to the manifest for the rest.
const MAX_LISTED: usize = 200;

/// What the card needs beyond the manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardOptions<'a> {
    /// Hub license id, e.g. `odc-by` (FineWeb's licence).
    pub license: &'a str,
    /// Display name; defaults to `nya <kind> data for task <id>`.
    pub pretty_name: Option<&'a str>,
    /// Data-file glob of the default config.
    pub data_files: &'a str,
    /// ISO 639-1 language code of the text, when known (refine keeps English).
    pub language: Option<&'a str>,
}

impl Default for CardOptions<'_> {
    fn default() -> Self {
        CardOptions {
            license: "odc-by",
            pretty_name: None,
            data_files: "data/*.parquet",
            language: None,
        }
    }
}

/// The `README.md` for the repo holding `manifest`'s data.
pub fn dataset_card(manifest: &Manifest, options: &CardOptions<'_>) -> String {
    let kind = manifest.kind;
    let default_name = format!("nya {kind} data for task {}", manifest.task_id);
    let name = options.pretty_name.unwrap_or(&default_name);
    let mut card = String::new();

    // `write!` into a String cannot fail; results are ignored rather than unwrapped.
    card.push_str("---\n");
    let _ = writeln!(card, "license: {}", yaml_string(options.license));
    let _ = writeln!(card, "pretty_name: {}", yaml_string(name));
    if let Some(language) = options.language {
        let _ = writeln!(card, "language:\n- {}", yaml_string(language));
    }
    card.push_str("task_categories:\n- text-generation\n");
    let _ = writeln!(
        card,
        "tags:\n- nya\n- {}",
        yaml_string(&format!("nya-{kind}"))
    );
    card.push_str("configs:\n- config_name: default\n  data_files:\n  - split: train\n");
    let _ = writeln!(card, "    path: {}", yaml_string(options.data_files));
    card.push_str("---\n\n");

    let _ = writeln!(card, "# {}\n", one_line(name));
    let what = match kind {
        TaskKind::Refine => "web text refined from CommonCrawl WARC files with the FineWeb recipe",
        TaskKind::Distill => "top-k teacher log-probabilities over assigned documents",
    };
    let _ = writeln!(
        card,
        "Published by a nya miner: {what}. The machine-readable description is \
         `{}`; the miner's on-chain commitment binds the content digest below.\n",
        super::MANIFEST_FILE_NAME
    );
    card.push_str("| | |\n|---|---|\n");
    let rows = [
        ("Task", inline_code(manifest.task_id.as_str())),
        ("Kind", kind.to_string()),
        ("Rows", manifest.row_count.to_string()),
        ("Tokens (GPT-2)", manifest.token_count.to_string()),
        (
            "Data files",
            format!("{} ({} bytes)", manifest.files.len(), manifest.total_size()),
        ),
        ("Pipeline", inline_code(&manifest.pipeline.version)),
        (
            "Content digest",
            inline_code(&manifest.content_digest.to_string()),
        ),
        (
            "File digest",
            inline_code(&manifest.file_digest.to_string()),
        ),
    ];
    for (label, value) in rows {
        let _ = writeln!(card, "| {label} | {value} |");
    }

    card.push_str("\n## Source files\n\n");
    let listed = &manifest.source_files[..manifest.source_files.len().min(MAX_LISTED)];
    card.push_str(&fenced_block(listed));
    more_note(&mut card, manifest.source_files.len());

    card.push_str("\n## Files\n\n| Path | Size (bytes) | SHA-256 |\n|---|---:|---|\n");
    for entry in manifest.files.iter().take(MAX_LISTED) {
        let _ = writeln!(
            card,
            "| {} | {} | {} |",
            inline_code(&entry.path),
            entry.size,
            inline_code(&entry.sha256.to_string())
        );
    }
    more_note(&mut card, manifest.files.len());
    card
}

fn more_note(card: &mut String, total: usize) {
    if total > MAX_LISTED {
        let _ = writeln!(
            card,
            "\n… and {} more (see `{}`).",
            total - MAX_LISTED,
            super::MANIFEST_FILE_NAME
        );
    }
}

/// A YAML double-quoted scalar. Hand-written (no YAML crate in this crate's light deps): escapes
/// `"` and `\`, and writes everything outside YAML's printable set, and any line break, as
/// `\uXXXX` / `\UXXXXXXXX`.
fn yaml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(ch),
            '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..
                if !matches!(ch, '\u{2028}' | '\u{2029}' | '\u{feff}') =>
            {
                out.push(ch)
            }
            _ if (ch as u32) <= 0xffff => {
                let _ = write!(out, "\\u{:04x}", ch as u32);
            }
            _ => {
                let _ = write!(out, "\\U{:08x}", ch as u32);
            }
        }
    }
    out.push('"');
    out
}

/// Text for a heading: control characters become spaces.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Longest run of backticks in `s`.
fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// An inline code span safe inside a table cell: a fence longer than any backtick run in `s`,
/// `|` escaped, control characters as spaces.
fn inline_code(s: &str) -> String {
    let text = one_line(s).replace('|', "\\|");
    let fence = "`".repeat(longest_backtick_run(&text) + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A fenced `text` block whose fence is longer than any backtick run in the lines.
fn fenced_block(lines: &[String]) -> String {
    let longest = lines
        .iter()
        .map(|line| longest_backtick_run(line))
        .max()
        .unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let mut block = format!("{fence}text\n");
    for line in lines {
        block.push_str(&one_line(line));
        block.push('\n');
    }
    block.push_str(&fence);
    block.push('\n');
    block
}

#[cfg(test)]
mod tests {
    use super::super::{ContentDigest, FileEntry, ManifestDraft, Pipeline, Sha256Digest};
    use super::*;
    use crate::task::TaskId;

    fn manifest(files: usize) -> Manifest {
        let mut content = ContentDigest::new();
        content.add("d", "t").unwrap();
        ManifestDraft {
            task_id: TaskId::new("refine-7").unwrap(),
            kind: TaskKind::Refine,
            source_files: vec!["crawl-data/x.warc.gz".to_owned(), "weird```name".to_owned()],
            pipeline: Pipeline {
                version: "nya-refine/0.1.0".to_owned(),
                parameters: Default::default(),
            },
            row_count: 1234,
            token_count: 56789,
            files: (0..files)
                .map(|i| FileEntry {
                    path: format!("data/train-{i:05}.parquet"),
                    sha256: Sha256Digest([i as u8; 32]),
                    size: 10,
                })
                .collect(),
            content_digest: content.finish().unwrap(),
        }
        .seal()
        .unwrap()
    }

    #[test]
    fn card_has_hub_header_and_facts() {
        let m = manifest(2);
        let card = dataset_card(&m, &CardOptions::default());
        let expected_header = "---\n\
            license: \"odc-by\"\n\
            pretty_name: \"nya refine data for task refine-7\"\n\
            task_categories:\n- text-generation\n\
            tags:\n- nya\n- \"nya-refine\"\n\
            configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: \"data/*.parquet\"\n\
            ---\n";
        assert!(card.starts_with(expected_header), "{card}");
        for fact in [
            "| Task | `refine-7` |",
            "| Rows | 1234 |",
            "| Tokens (GPT-2) | 56789 |",
            "| Data files | 2 (20 bytes) |",
            &format!("| Content digest | `{}` |", m.content_digest),
            &format!("| File digest | `{}` |", m.file_digest),
            "| `data/train-00001.parquet` | 10 |",
        ] {
            assert!(card.contains(fact), "missing {fact:?} in\n{card}");
        }
        // The source with a backtick run gets a longer fence.
        assert!(
            card.contains("````text\ncrawl-data/x.warc.gz\nweird```name\n````\n"),
            "{card}"
        );
    }

    #[test]
    fn hostile_options_stay_inside_their_scalars() {
        let m = manifest(1);
        let options = CardOptions {
            license: "mit\"\n---\nevil: 1",
            pretty_name: Some("name\u{85}with\u{2028}breaks\\"),
            data_files: "data/*.parquet",
            language: Some("en"),
        };
        let card = dataset_card(&m, &options);
        assert_eq!(card.matches("\n---\n").count(), 1, "{card}");
        assert!(
            card.contains("license: \"mit\\\"\\u000a---\\u000aevil: 1\"\n"),
            "{card}"
        );
        assert!(
            card.contains("pretty_name: \"name\\u0085with\\u2028breaks\\\\\"\n"),
            "{card}"
        );
        assert!(card.contains("language:\n- \"en\"\n"));
        // The heading keeps to one line.
        assert!(card.contains("\n# name with\u{2028}breaks\\\n"), "{card}");
    }

    #[test]
    fn long_lists_are_cut() {
        let card = dataset_card(&manifest(MAX_LISTED + 5), &CardOptions::default());
        assert_eq!(card.matches("| `data/train-").count(), MAX_LISTED);
        assert!(card.contains("… and 5 more (see `nya-manifest.json`)."));
    }

    #[test]
    fn inline_code_escapes() {
        assert_eq!(inline_code("a|b"), "`a\\|b`");
        assert_eq!(inline_code("a`b"), "``a`b``");
        assert_eq!(inline_code("`a"), "`` `a ``");
        assert_eq!(yaml_string("\u{1F600}"), "\"\u{1F600}\"");
        assert_eq!(yaml_string("\u{7f}\u{feff}"), "\"\\u007f\\ufeff\"");
    }
}
