//! End-to-end runs of the refine driver: real CommonCrawl and wget WARCs from
//! `../shared/fixtures/refine` (skipped when absent), thread-count determinism, and a synthetic
//! WARC built to trigger the recipe's removal reasons.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use nya_pipeline::dataset_dir;
use nya_pipeline::refine::recipe::Recipe;
use nya_pipeline::refine::run::{RefineOptions, RefineReport, run};
use nya_pipeline::refine::warc::{HttpResponse, RecordItem, WarcReader, WarcWriter};
use polars::prelude::*;

/// The recipe with assets from the fixtures (loaded once: the UT1 list is large).
pub(crate) fn recipe() -> Option<&'static Recipe> {
    static RECIPE: OnceLock<Option<Recipe>> = OnceLock::new();
    RECIPE
        .get_or_init(|| {
            let dir = nya_metadata::fixtures::path("refine/lid/lid.176.ftz")?;
            let refine_dir = dir.parent()?.parent()?.to_path_buf();
            let cache = tempfile::tempdir().ok()?;
            Some(Recipe::from_dir(&refine_dir, cache.path()).expect("recipe from fixtures"))
        })
        .as_ref()
}

fn fixture_warcs() -> Option<Vec<String>> {
    [
        "cc-main-2020-34-excerpt.warc.gz",
        "wget-2024-sample-0000.warc.gz",
        "wget-2024-sample-0001.warc.gz",
        "cc-main-2024-22-one-page.warc.gz",
    ]
    .iter()
    .map(|name| {
        nya_metadata::fixtures::path(&format!("refine/warc/{name}"))
            .map(|p| p.display().to_string())
    })
    .collect()
}

pub(crate) fn refine(
    recipe: &Recipe,
    sources: Vec<String>,
    out: &Path,
    threads: usize,
    trace: Option<PathBuf>,
) -> RefineReport {
    let mut options = RefineOptions::new(sources, out.to_path_buf());
    options.threads = threads;
    options.trace = trace;
    options.batch_size = 7; // several batches even on small inputs
    let mut calls = 0;
    let report = run(recipe, &options, &mut |_| calls += 1).expect("refine run");
    assert!(calls > 0, "progress is reported");
    report
}

pub(crate) fn read_frame(path: &Path) -> DataFrame {
    ParquetReader::new(fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

pub(crate) fn strings(frame: &DataFrame, name: &str) -> Vec<String> {
    let column = frame.column(name).unwrap().str().unwrap();
    (0..column.len())
        .map(|i| column.get(i).unwrap().to_owned())
        .collect()
}

fn floats(frame: &DataFrame, name: &str) -> Vec<Option<f64>> {
    let column = frame.column(name).unwrap().f64().unwrap();
    (0..column.len()).map(|i| column.get(i)).collect()
}

fn integers(frame: &DataFrame, name: &str) -> Vec<Option<i64>> {
    let column = frame.column(name).unwrap().i64().unwrap();
    (0..column.len()).map(|i| column.get(i)).collect()
}

fn unsigned(frame: &DataFrame, name: &str) -> Vec<Option<u64>> {
    let column = frame.column(name).unwrap().u64().unwrap();
    (0..column.len()).map(|i| column.get(i)).collect()
}

/// The `file_path` a local source gets: a `file://` URL of its absolute path.
fn file_url(path: &str) -> String {
    url::Url::from_file_path(std::path::absolute(path).unwrap())
        .unwrap()
        .to_string()
}

/// Range-reads `[offset, offset + length)`, gunzips that member alone and returns its record id.
fn record_id_at(file_path: &str, offset: u64, length: u64) -> String {
    let path = url::Url::parse(file_path).unwrap().to_file_path().unwrap();
    let path = path.display();
    let mut file = fs::File::open(path.to_string()).unwrap();
    file.seek(SeekFrom::Start(offset)).unwrap();
    let mut member = vec![0u8; usize::try_from(length).unwrap()];
    file.read_exact(&mut member).unwrap();
    let mut records = WarcReader::new(member.as_slice());
    match records.next() {
        Some(Ok(RecordItem::Record(record))) => record.headers.record_id().to_owned(),
        other => panic!("no record at {path}:{offset}+{length}: {other:?}"),
    }
}

#[test]
fn fixture_warcs_refine_to_a_verified_dataset_with_provenance() {
    let (Some(recipe), Some(sources)) = (recipe(), fixture_warcs()) else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("refined");
    let report = refine(recipe, sources.clone(), &out, 2, None);
    let manifest = dataset_dir::verify(&out).unwrap();
    assert_eq!(manifest, report.manifest);
    assert!(manifest.row_count > 0, "{}", report.stats.table());
    let as_file_urls: Vec<String> = sources.iter().map(|s| file_url(s)).collect();
    assert_eq!(manifest.source_files, as_file_urls);
    assert!(manifest.task_id.to_string().starts_with("local-"));
    assert_eq!(report.stats.rows, manifest.row_count);
    assert_eq!(report.stats.tokens, manifest.token_count);
    assert!(report.stats.warc.records > report.stats.warc.documents);
    let steps = &report.stats.steps;
    assert_eq!(steps[0].documents_in, report.stats.warc.documents);
    assert_eq!(steps.last().unwrap().documents_out, manifest.row_count);

    let frame = read_frame(&out.join("data/train-00000.parquet"));
    let expected: Vec<(&str, DataType)> = vec![
        ("text", DataType::String),
        ("id", DataType::String),
        ("dump", DataType::String),
        ("url", DataType::String),
        ("date", DataType::String),
        ("file_path", DataType::String),
        ("language", DataType::String),
        ("language_score", DataType::Float64),
        ("token_count", DataType::Int64),
        ("record_offset", DataType::UInt64),
        ("record_length", DataType::UInt64),
    ];
    let schema: Vec<(String, DataType)> = frame
        .schema()
        .iter()
        .map(|(name, dtype)| (name.to_string(), dtype.clone()))
        .collect();
    let expected: Vec<(String, DataType)> = expected
        .into_iter()
        .map(|(n, d)| (n.to_owned(), d))
        .collect();
    assert_eq!(schema, expected);
    assert_eq!(frame.height() as u64, manifest.row_count);

    let ids = strings(&frame, "id");
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "rows are sorted by id");
    assert!(strings(&frame, "language").iter().all(|l| l == "en"));
    let scores = floats(&frame, "language_score");
    assert!(scores.into_iter().all(|s| s.is_some_and(|s| s > 0.65)));
    let dumps = strings(&frame, "dump");
    let paths = strings(&frame, "file_path");
    for (dump, path) in dumps.iter().zip(&paths) {
        let expected = if path.contains("cc-main-2020-34") {
            "CC-MAIN-2020-34"
        } else if path.contains("cc-main-2024-22") {
            "CC-MAIN-2024-22"
        } else {
            "local"
        };
        assert_eq!(dump, expected);
    }
    let offsets = unsigned(&frame, "record_offset");
    let lengths = unsigned(&frame, "record_length");
    for (((id, path), offset), length) in ids.iter().zip(&paths).zip(offsets).zip(lengths) {
        let (Some(offset), Some(length)) = (offset, length) else {
            panic!("fixture records are one per gzip member: {id} lacks a range");
        };
        assert_eq!(&record_id_at(path, offset, length), id);
    }
    let tokens = integers(&frame, "token_count");
    assert!(tokens.into_iter().all(|t| t.is_some_and(|t| t > 0)));
}

#[test]
fn output_is_identical_for_one_and_four_threads() {
    let (Some(recipe), Some(sources)) = (recipe(), fixture_warcs()) else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let one = root.path().join("one");
    let four = root.path().join("four");
    let a = refine(
        recipe,
        sources.clone(),
        &one,
        1,
        Some(root.path().join("one.jsonl")),
    );
    let b = refine(
        recipe,
        sources,
        &four,
        4,
        Some(root.path().join("four.jsonl")),
    );
    assert_eq!(a.manifest, b.manifest);
    assert_eq!(a.stats, b.stats);
    for file in dataset_dir::list_files(&one).unwrap() {
        assert_eq!(
            fs::read(one.join(&file)).unwrap(),
            fs::read(four.join(&file)).unwrap(),
            "{file} differs between 1 and 4 threads"
        );
    }
    assert_eq!(
        fs::read(root.path().join("one.jsonl")).unwrap(),
        fs::read(root.path().join("four.jsonl")).unwrap()
    );
}

const ARTICLE: &str = "The village council met on Tuesday evening to discuss the new library that \
will be built next to the old school. Members of the council agreed that the building should be \
finished before the end of the next year, and they asked the architect to present a final plan. \
Several residents spoke during the meeting and most of them were in favour of the project, \
although some worried about the cost and the loss of the small park that is now on the site. \
The mayor said that a new park would be created on the other side of the river, with trees, \
benches and a playground for the children of the village. The council will vote on the budget \
at its next meeting, which is planned for the first week of the coming month. Anyone who wants \
to send comments can write to the clerk at clerk@villagehall.org before that date. The library \
will have a reading room, a small cafe and a space for exhibitions, and it will be open six days \
a week. Volunteers from the local history society have offered to help with the move of the old \
collection, which has been stored in the basement of the town hall for many years.";

fn page(title: &str, paragraphs: &[&str]) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        "<!DOCTYPE html><html><head><title>{title}</title></head><body>\
         <nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>\
         <article><h1>{title}</h1>\n{body}</article>\
         <footer>We use cookies. Privacy policy.</footer></body></html>"
    )
}

fn sentences(text: &str) -> Vec<String> {
    text.split_inclusive(". ").map(str::to_owned).collect()
}

#[test]
fn synthetic_warc_exercises_removal_reasons_in_the_trace() {
    let Some(recipe) = recipe() else {
        return;
    };
    let article_paras = sentences(ARTICLE);
    let article: Vec<&str> = article_paras.iter().map(String::as_str).collect();
    let mut near_duplicate = article_paras.clone();
    if let Some(last) = near_duplicate.last_mut() {
        *last = last.replace("many years", "many long years");
    }
    let near: Vec<&str> = near_duplicate.iter().map(String::as_str).collect();
    let french = "Le conseil municipal s'est réuni mardi soir pour discuter de la nouvelle \
        bibliothèque qui sera construite à côté de l'ancienne école. Les membres du conseil ont \
        convenu que le bâtiment devrait être terminé avant la fin de l'année prochaine, et ils \
        ont demandé à l'architecte de présenter un plan définitif. Plusieurs habitants ont pris \
        la parole pendant la réunion et la plupart d'entre eux étaient favorables au projet.";
    let french_paras = sentences(french);
    let french: Vec<&str> = french_paras.iter().map(String::as_str).collect();
    // Under Gopher's 50 words, but long enough that no 2-gram covers a fifth of the text.
    let short = [
        "Opening hours at the county archive change next Monday. Visitors should call \
        ahead, bring identification, and expect short delays while staff install new shelving \
        across three floors during spring.",
    ];
    let repeated_line = "Buy cheap tickets for the best concerts in the city today.";
    let repetition: Vec<&str> = vec![repeated_line; 40];

    let pages: Vec<(&str, String)> = vec![
        (
            "https://news.example.org/library",
            page("Library", &article),
        ),
        (
            "https://news.example.org/library-copy",
            page("Library", &near),
        ),
        (
            "https://nouvelles.example.fr/bibliotheque",
            page("Bibliothèque", &french),
        ),
        ("https://news.example.org/short", page("Short", &short)),
        (
            "https://spam.example.com/tickets",
            page("Tickets", &repetition),
        ),
        (
            "https://example.com/free-porn-videos",
            page("Library", &article),
        ),
    ];
    let root = tempfile::tempdir().unwrap();
    let warc_path = root.path().join("synthetic.warc.gz");
    let mut writer = WarcWriter::new(fs::File::create(&warc_path).unwrap());
    let mut ids = BTreeMap::new();
    for (url, html) in &pages {
        let written = writer
            .write_response(&HttpResponse {
                target_uri: url,
                date: "2024-05-01T12:00:00Z",
                status: 200,
                reason: "OK",
                headers: &[("Content-Type", "text/html; charset=utf-8")],
                body: html.as_bytes(),
                identified_payload_type: Some("text/html"),
            })
            .unwrap();
        ids.insert(*url, written.record_id);
    }
    // Garbage between records: skipped and traced by the reader.
    let mut file = writer.finish().unwrap();
    std::io::Write::write_all(&mut file, b"this is not a gzip member\n").unwrap();
    drop(file);

    let out = root.path().join("out");
    let trace_path = root.path().join("trace.jsonl");
    let report = refine(
        recipe,
        vec![warc_path.display().to_string()],
        &out,
        2,
        Some(trace_path.clone()),
    );
    dataset_dir::verify(&out).unwrap();
    let trace: Vec<serde_json::Value> = fs::read_to_string(&trace_path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let by_url: BTreeMap<&str, &serde_json::Value> = trace
        .iter()
        .filter_map(|line| Some((line["url"].as_str()?, line)))
        .collect();
    let fate = |url: &str| -> (String, String) {
        let line = by_url
            .get(url)
            .unwrap_or_else(|| panic!("no trace line for {url}"));
        if line["kept"] == true {
            ("kept".to_owned(), String::new())
        } else {
            (
                line["step"].as_str().unwrap().to_owned(),
                line["reason"].as_str().unwrap().to_owned(),
            )
        }
    };
    assert_eq!(
        fate("https://example.com/free-porn-videos"),
        ("url".to_owned(), "hard_blacklisted".to_owned())
    );
    assert_eq!(
        fate("https://nouvelles.example.fr/bibliotheque"),
        ("lid".to_owned(), "not_english".to_owned())
    );
    assert_eq!(
        fate("https://news.example.org/short"),
        ("gopher_qual".to_owned(), "gopher_short_doc".to_owned())
    );
    assert_eq!(
        fate("https://spam.example.com/tickets"),
        ("gopher_rep".to_owned(), "dup_line_frac".to_owned())
    );

    // The near-duplicate pair: the smaller id survives, the other names it.
    let original = &ids["https://news.example.org/library"];
    let copy = &ids["https://news.example.org/library-copy"];
    let (survivor_url, duplicate_url, survivor_id) = if original < copy {
        (
            "https://news.example.org/library",
            "https://news.example.org/library-copy",
            original,
        )
    } else {
        (
            "https://news.example.org/library-copy",
            "https://news.example.org/library",
            copy,
        )
    };
    assert_eq!(fate(survivor_url).0, "kept");
    assert_eq!(
        fate(duplicate_url),
        (
            "minhash".to_owned(),
            format!("minhash_duplicate_of:{survivor_id}")
        )
    );
    assert!(
        trace
            .iter()
            .any(|line| line["step"] == "warc" && line["reason"] == "garbage"),
        "reader skips are traced"
    );

    // PII: the kept document's address is masked.
    assert_eq!(report.manifest.row_count, 1);
    let frame = read_frame(&out.join("data/train-00000.parquet"));
    let text = strings(&frame, "text").remove(0);
    assert!(!text.contains("clerk@villagehall.org"), "{text}");
    assert!(
        text.contains("email@example.com") || text.contains("firstname.lastname@example.org"),
        "{text}"
    );
    assert!(
        !text.contains("cookies"),
        "C4 drops the cookie banner line: {text}"
    );
    let pii = report.stats.steps.iter().find(|s| s.step == "pii").unwrap();
    assert_eq!(pii.reasons.get("masked"), Some(&1));
    let dedup = report
        .stats
        .steps
        .iter()
        .find(|s| s.step == "minhash")
        .unwrap();
    assert_eq!(dedup.reasons.get("duplicate"), Some(&1));
    assert_eq!(report.stats.warc.skipped.get("garbage"), Some(&1));
}
