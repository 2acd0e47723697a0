//! Tests against the real WARC fixtures in `../shared/fixtures/refine/warc` and datatrove's
//! reference selection in `refine/golden/warc-reference-extractions.jsonl`. Each test skips (with
//! a message) when the fixtures are absent.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;

use flate2::read::{GzDecoder, MultiGzDecoder};

use super::*;

const CC_2020: &str = "cc-main-2020-34-excerpt.warc.gz";
const WGET_0: &str = "wget-2024-sample-0000.warc.gz";
const WGET_1: &str = "wget-2024-sample-0001.warc.gz";
const CC_2024: &str = "cc-main-2024-22-one-page.warc.gz";

fn fixture(name: &str) -> Option<PathBuf> {
    nya_metadata::fixtures::path(&format!("refine/warc/{name}"))
}

fn read_records(bytes: &[u8]) -> Vec<WarcRecord> {
    WarcReader::new(bytes)
        .map(|item| match item.unwrap() {
            RecordItem::Record(record) => record,
            RecordItem::Skipped(skipped) => panic!("unexpected skip: {skipped}"),
        })
        .collect()
}

fn read_documents(bytes: &[u8]) -> (Vec<WarcDocument>, SelectionStats) {
    let mut reader = DocumentReader::new(bytes);
    let mut documents = Vec::new();
    for item in reader.by_ref() {
        match item.unwrap() {
            WarcItem::Document(document) => documents.push(document),
            WarcItem::Skipped(skipped) => panic!("unexpected skip: {skipped}"),
        }
    }
    let stats = reader.stats().clone();
    (documents, stats)
}

fn type_counts(records: &[WarcRecord]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for record in records {
        *counts
            .entry(record.headers.record_type().as_str().to_owned())
            .or_default() += 1;
    }
    counts
}

/// Every record's location covers exactly its own gzip member: members tile the file, and
/// gunzipping `[offset, offset + length)` alone gives back that record and nothing else.
fn assert_members_tile_and_range_read(file: &[u8], records: &[WarcRecord]) {
    let mut expected_offset = 0;
    for record in records {
        let location = record.location;
        assert_eq!(
            location.offset,
            expected_offset,
            "{}",
            record.headers.record_id()
        );
        assert_eq!(location.inner_offset, 0);
        let length = location.length.expect("one record per member has a length");
        let start = usize::try_from(location.offset).unwrap();
        let end = start + usize::try_from(length).unwrap();
        let member = &file[start..end];

        let mut single = GzDecoder::new(member);
        let mut text = Vec::new();
        single.read_to_end(&mut text).unwrap();
        assert!(text.starts_with(b"WARC/1.0\r\n"));

        let again = read_records(member);
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].headers.record_id(), record.headers.record_id());
        assert_eq!(again[0].block, record.block);
        assert_eq!(again[0].location.length, Some(length));
        expected_offset += length;
    }
    assert_eq!(
        expected_offset,
        file.len() as u64,
        "members cover the whole file"
    );
}

#[test]
fn cc_2020_excerpt_records_types_and_locations() {
    let Some(path) = fixture(CC_2020) else { return };
    let file = std::fs::read(path).unwrap();
    let records = read_records(&file);
    assert_eq!(records.len(), 50);
    let counts = type_counts(&records);
    let expected: BTreeMap<String, usize> = [
        ("metadata", 16),
        ("request", 17),
        ("response", 16),
        ("warcinfo", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(counts, expected);

    let mut payload_types = BTreeMap::<&str, usize>::new();
    for record in &records {
        if let Some(mime) = record.headers.identified_payload_type() {
            *payload_types.entry(mime).or_default() += 1;
        }
    }
    assert_eq!(
        payload_types,
        BTreeMap::from([("application/xhtml+xml", 10), ("text/html", 6)])
    );
    let first = &records[0];
    assert_eq!(first.headers.record_type(), &RecordType::Warcinfo);
    assert_eq!(
        first.headers.record_id(),
        "<urn:uuid:bf152d21-9d43-435a-891c-89fd9743b4cd>"
    );
    assert_eq!(first.headers.content_length(), 501);
    assert_eq!(first.block.len(), 501);
    assert_eq!(first.location.length, Some(481));
    let response = &records[2];
    assert_eq!(response.headers.version(), "WARC/1.0");
    assert_eq!(response.headers.date(), Some("2020-08-08T17:27:41Z"));
    assert_eq!(
        response.headers.target_uri(),
        Some("http://003338.cn/l41/481397.html")
    );
    assert_eq!(
        response.location,
        RecordLocation {
            offset: 940,
            length: Some(10905),
            inner_offset: 0
        }
    );
    assert_members_tile_and_range_read(&file, &records);
}

#[test]
fn every_fixture_member_range_reads_to_its_record() {
    for (name, count) in [(WGET_0, 48), (WGET_1, 34), (CC_2024, 4)] {
        let Some(path) = fixture(name) else { return };
        let file = std::fs::read(path).unwrap();
        let records = read_records(&file);
        assert_eq!(records.len(), count, "{name}");
        assert_members_tile_and_range_read(&file, &records);
    }
}

#[test]
fn wget_uris_lose_their_angle_brackets() {
    let Some(path) = fixture(WGET_0) else { return };
    let file = std::fs::read(path).unwrap();
    let records = read_records(&file);
    assert_eq!(
        type_counts(&records),
        BTreeMap::from([
            ("metadata".to_owned(), 1),
            ("request".to_owned(), 22),
            ("resource".to_owned(), 2),
            ("response".to_owned(), 22),
            ("warcinfo".to_owned(), 1),
        ])
    );
    let response = &records[2];
    assert_eq!(
        response.headers.get("WARC-Target-URI"),
        Some("<https://www.semanticscholar.org/research/research-team>")
    );
    assert_eq!(
        response.headers.target_uri(),
        Some("https://www.semanticscholar.org/research/research-team")
    );
    assert!(
        records
            .iter()
            .all(|r| r.headers.identified_payload_type().is_none())
    );
}

/// The golden rows for one WARC file, in file order.
fn golden(name: &str) -> Option<Vec<serde_json::Value>> {
    let path = nya_metadata::fixtures::path("refine/golden/warc-reference-extractions.jsonl")?;
    let text = std::fs::read_to_string(path).unwrap();
    Some(
        text.lines()
            .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
            .filter(|row| row["warc"] == name)
            .collect(),
    )
}

#[test]
fn selection_matches_datatrove_reference_exactly() {
    for (name, kept, not_html, other_types) in [
        (CC_2020, 6, 10, 34),
        (WGET_0, 22, 0, 26),
        (WGET_1, 15, 0, 19),
        (CC_2024, 1, 0, 3),
    ] {
        let Some(path) = fixture(name) else { return };
        let Some(rows) = golden(name) else { return };
        let file = std::fs::read(path).unwrap();
        let (documents, stats) = read_documents(&file);
        assert_eq!(rows.len(), kept, "{name}: golden rows");
        assert_eq!(documents.len(), kept, "{name}: documents");
        assert_eq!(stats.documents, kept as u64);
        assert_eq!(stats.not_html, not_html, "{name}");
        assert_eq!(stats.other_types, other_types, "{name}");
        assert!(stats.skipped.is_empty(), "{name}: {:?}", stats.skipped);
        for (document, row) in documents.iter().zip(&rows) {
            assert_eq!(document.id, row["id"].as_str().unwrap(), "{name}");
            assert_eq!(document.url, row["url"].as_str().unwrap(), "{name}");
            assert_eq!(document.date, row["date"].as_str().unwrap(), "{name}");
            assert_eq!(
                document.identified_payload_type.as_deref(),
                row["mime"].as_str(),
                "{name}"
            );
            // html_len is Python's len() of the decoded text: the same decoding, character for
            // character count, including de-chunking of wget's chunked responses.
            assert_eq!(
                document.content.chars().count() as u64,
                row["html_len"].as_u64().unwrap(),
                "{name} {}",
                document.id
            );
            assert_eq!(document.record_type, RecordType::Response);
            assert_eq!(document.http_status, Some(200));
        }
    }
}

#[test]
fn legacy_charset_record_is_decoded_like_the_reference() {
    let Some(path) = fixture(CC_2020) else { return };
    let file = std::fs::read(path).unwrap();
    let (documents, _) = read_documents(&file);
    let russian = documents
        .iter()
        .find(|d| d.url == "http://01spb.ru/company/")
        .unwrap();
    assert_eq!(russian.encoding, "windows-1251");
    assert!(
        russian
            .content
            .contains("<title>О компании - Стратегия пожарной безопасности</title>")
    );
    assert!(
        documents
            .iter()
            .filter(|d| d.url != russian.url)
            .all(|d| d.encoding == "UTF-8")
    );
}

#[test]
fn wet_conversion_record_is_selected_and_wat_has_none() {
    let Some(wet) = fixture("cc-main-2024-22-one-page.warc.wet.gz") else {
        return;
    };
    let (documents, stats) = read_documents(&std::fs::read(wet).unwrap());
    assert_eq!(documents.len(), 1);
    let document = &documents[0];
    assert_eq!(document.record_type, RecordType::Conversion);
    assert_eq!(
        document.id,
        "<urn:uuid:ba729a40-ff84-4085-8d48-0a5b2ee0c42d>"
    );
    assert_eq!(document.url, "https://an.wikipedia.org/wiki/Escopete");
    assert!(document.content.starts_with("Escopete - Biquipedia"));
    assert_eq!(document.http_status, None);
    assert_eq!(stats.other_types, 1);

    let Some(wat) = fixture("cc-main-2024-22-one-page.warc.wat.gz") else {
        return;
    };
    let (documents, stats) = read_documents(&std::fs::read(wat).unwrap());
    assert!(documents.is_empty());
    assert_eq!(stats.records, 2);
}

fn gunzip_all(file: &[u8]) -> Vec<u8> {
    let mut text = Vec::new();
    MultiGzDecoder::new(file).read_to_end(&mut text).unwrap();
    text
}

#[test]
fn single_member_and_uncompressed_layouts_give_the_same_records() {
    let Some(path) = fixture(CC_2020) else { return };
    let file = std::fs::read(path).unwrap();
    let reference = read_records(&file);
    let (reference_documents, _) = read_documents(&file);
    let plain = gunzip_all(&file);
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&plain).unwrap();
    let one_member = encoder.finish().unwrap();

    // Uncompressed: each location is the record's own byte range.
    let plain_records = read_records(&plain);
    assert_eq!(plain_records.len(), reference.len());
    let mut expected_offset = 0;
    for (record, expected) in plain_records.iter().zip(&reference) {
        assert_eq!(record.headers.record_id(), expected.headers.record_id());
        assert_eq!(record.block, expected.block);
        let location = record.location;
        assert_eq!(
            (location.offset, location.inner_offset),
            (expected_offset, 0)
        );
        let start = usize::try_from(location.offset).unwrap();
        let end = start + usize::try_from(location.length.unwrap()).unwrap();
        let again = read_records(&plain[start..end]);
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].headers.record_id(), expected.headers.record_id());
        expected_offset = end as u64;
    }
    assert_eq!(expected_offset, plain.len() as u64);

    // One member: the member's offset, the record's place inside it, and a length only for the
    // record that ends the member.
    let member_records = read_records(&one_member);
    assert_eq!(member_records.len(), reference.len());
    for (i, (record, by_plain)) in member_records.iter().zip(&plain_records).enumerate() {
        assert_eq!(record.headers.record_id(), by_plain.headers.record_id());
        assert_eq!(record.block, by_plain.block);
        let last = i + 1 == member_records.len();
        assert_eq!(
            record.location,
            RecordLocation {
                offset: 0,
                length: last.then_some(one_member.len() as u64),
                inner_offset: by_plain.location.offset,
            }
        );
    }

    for bytes in [&plain, &one_member] {
        let (documents, _) = read_documents(bytes);
        assert_eq!(documents.len(), reference_documents.len());
        for (document, expected) in documents.iter().zip(&reference_documents) {
            assert_eq!(document.id, expected.id);
            assert_eq!(document.content, expected.content);
        }
    }
}
