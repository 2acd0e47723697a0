//! Parity of the text filters with datatrove 0.2.0 on the golden file.
//!
//! `refine/golden/datatrove-0.2.0-filters.jsonl` holds 405 documents run through the real
//! datatrove classes in FineWeb's order: GopherRepetition → GopherQuality →
//! C4(filter_no_terminal_punct=False) → FineWebQuality. For each document this test runs the
//! same chain and requires the same first failing step and reason, and the same text after C4
//! wherever the golden file has it. Documents where the port is known to differ are listed in
//! [`KNOWN_MISMATCHES`] with the cause; any other difference fails the test, and so does a listed
//! document that no longer differs (keep the list honest).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::c4::{self, C4Quality};
use super::fineweb_quality::{self, FineWebQuality};
use super::gopher_quality::{self, GopherQuality};
use super::gopher_repetition::{self, GopherRepetition};
use super::punkt::PunktTokenizer;
use super::rejection::Rejection;
use super::words::{DocWords, WordTokenizer};

/// Golden-file line numbers (0-based) where the port differs from datatrove, and why.
const KNOWN_MISMATCHES: &[(usize, &str)] = &[];

#[derive(Debug, Deserialize)]
struct GoldenDoc {
    source: String,
    input_text: String,
    removed_by: Option<String>,
    /// Step name → `true` (passed) or the reason string; plus `removed_by`.
    filters: BTreeMap<String, serde_json::Value>,
    text_after_c4: Option<String>,
}

impl GoldenDoc {
    /// `(step, reason)` of the first failing step, as the golden file records it.
    fn verdict(&self) -> Option<(String, String)> {
        let step = self.removed_by.clone()?;
        let reason = self
            .filters
            .get(&step)
            .and_then(|value| value.as_str())
            .unwrap_or("<no reason>")
            .to_owned();
        Some((step, reason))
    }
}

/// FineWeb's four text filters in order; the C4-rewritten text when the document got that far.
fn run_chain(text: &str, tokenizer: &WordTokenizer) -> (Result<(), Rejection>, Option<String>) {
    let doc = DocWords::new(text, tokenizer);
    if let Err(rejection) = GopherRepetition::default().filter(&doc) {
        return (Err(rejection), None);
    }
    if let Err(rejection) = GopherQuality::default().filter(&doc) {
        return (Err(rejection), None);
    }
    let rewritten = match C4Quality::fineweb().filter(text, tokenizer.punkt()) {
        Ok(rewritten) => rewritten,
        Err(rejection) => return (Err(rejection), None),
    };
    let verdict = FineWebQuality::default().filter(&DocWords::new(&rewritten, tokenizer));
    (verdict, Some(rewritten))
}

#[test]
fn step_names_match_the_golden_file() {
    assert_eq!(
        [
            gopher_repetition::STEP,
            gopher_quality::STEP,
            c4::STEP,
            fineweb_quality::STEP
        ],
        ["gopher_rep", "gopher_qual", "c4", "fineweb_qual"]
    );
}

#[test]
fn datatrove_golden_parity() {
    let Some(golden) = nya_metadata::fixtures::path("refine/golden/datatrove-0.2.0-filters.jsonl")
    else {
        return;
    };
    let Some(punkt_dir) = nya_metadata::fixtures::path("refine/punkt_tab_english") else {
        return;
    };
    let tokenizer = match PunktTokenizer::load(&punkt_dir) {
        Ok(punkt) => WordTokenizer::new(punkt),
        Err(error) => panic!("{error}"),
    };
    let contents = match std::fs::read_to_string(&golden) {
        Ok(contents) => contents,
        Err(error) => panic!("{}: {error}", golden.display()),
    };

    let mut docs = 0usize;
    let mut same_step = 0usize;
    let mut texts_compared = 0usize;
    let mut texts_equal = 0usize;
    let mut mismatches: Vec<(usize, String)> = Vec::new();
    for (index, line) in contents.lines().enumerate() {
        let doc: GoldenDoc = match serde_json::from_str(line) {
            Ok(doc) => doc,
            Err(error) => panic!("{}:{}: {error}", golden.display(), index + 1),
        };
        docs += 1;
        let (verdict, rewritten) = run_chain(&doc.input_text, &tokenizer);
        let ours = verdict
            .err()
            .map(|rejection| (rejection.step.to_owned(), rejection.reason.into_owned()));
        let expected = doc.verdict();
        let mut problems = Vec::new();
        if ours.as_ref().map(|(step, _)| step) == expected.as_ref().map(|(step, _)| step) {
            same_step += 1;
        } else {
            problems.push(format!(
                "first failing step: datatrove {expected:?}, ours {ours:?}"
            ));
        }
        if ours.is_some() && expected.is_some() && ours != expected {
            problems.push(format!("reason: datatrove {expected:?}, ours {ours:?}"));
        }
        if let Some(expected_text) = &doc.text_after_c4 {
            texts_compared += 1;
            if rewritten.as_deref() == Some(expected_text.as_str()) {
                texts_equal += 1;
            } else {
                problems.push("text after C4 differs".to_owned());
            }
        }
        if !problems.is_empty() {
            mismatches.push((
                index,
                format!("{} ({}): {}", index, doc.source, problems.join("; ")),
            ));
        }
    }

    eprintln!(
        "datatrove parity: first failing step {same_step}/{docs}, text after C4 {texts_equal}/{texts_compared}"
    );
    for (_, message) in &mismatches {
        eprintln!("  mismatch {message}");
    }
    assert_eq!(docs, 405, "the golden file should hold 405 documents");
    assert!(
        same_step * 100 >= docs * 99,
        "first failing step agrees on only {same_step} of {docs} documents"
    );
    let unexpected: Vec<&String> = mismatches
        .iter()
        .filter(|(index, _)| !KNOWN_MISMATCHES.iter().any(|(known, _)| known == index))
        .map(|(_, message)| message)
        .collect();
    assert!(unexpected.is_empty(), "new mismatches: {unexpected:#?}");
    let fixed: Vec<&(usize, &str)> = KNOWN_MISMATCHES
        .iter()
        .filter(|(known, _)| !mismatches.iter().any(|(index, _)| index == known))
        .collect();
    assert!(
        fixed.is_empty(),
        "listed mismatches now agree, remove them: {fixed:?}"
    );
}
