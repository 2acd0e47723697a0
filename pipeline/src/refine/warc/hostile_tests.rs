//! Damaged and hostile input, generated here: truncation at many points, garbage spliced between
//! and inside records, forged lengths, oversized and malformed headers, zero-length records,
//! nested and random bytes, bit flips. Each case must end in skips with the right reason, the
//! surviving records intact, and no panic.

use std::io::{self, Read, Write};

use flate2::Compression;
use flate2::write::GzEncoder;

use super::*;

fn gzip_member(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A deterministic HTML page.
fn page(i: usize) -> String {
    format!(
        "<!DOCTYPE html><html><head><title>Page {i}</title></head><body><p>{}</p></body></html>",
        format!("Sentence number {i} of a synthetic page. ").repeat(20 + i % 7)
    )
}

const DATE: &str = "2024-05-18T01:58:10Z";

/// A warcinfo record then `n` HTML responses, every other one without an identified type.
fn corpus(n: usize, compression: Option<Compression>) -> (Vec<u8>, Vec<WrittenRecord>) {
    let mut writer = WarcWriter::with_compression(Vec::new(), compression);
    let mut written = vec![
        writer
            .write_warcinfo(DATE, "synthetic.warc.gz", &[("software", "nya tests")])
            .unwrap(),
    ];
    for i in 0..n {
        let url = format!("https://example.com/page/{i}");
        let body = page(i);
        written.push(
            writer
                .write_response(&HttpResponse {
                    target_uri: &url,
                    date: DATE,
                    status: 200,
                    reason: "OK",
                    headers: &[("Content-Type", "text/html; charset=utf-8")],
                    body: body.as_bytes(),
                    identified_payload_type: (i % 2 == 0).then_some("text/html"),
                })
                .unwrap(),
        );
    }
    (writer.finish().unwrap(), written)
}

/// An uncompressed record with a verbatim (possibly forged) Content-Length line.
fn raw_record(id: &str, record_type: &str, content_length: &str, block: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "WARC/1.0\r\nWARC-Type: {record_type}\r\nWARC-Record-ID: {id}\r\nWARC-Date: {DATE}\r\n\
         WARC-Target-URI: https://example.com/{record_type}\r\nContent-Length: {content_length}\r\n\r\n"
    )
    .into_bytes();
    out.extend_from_slice(block);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

fn http_block(body: &[u8]) -> Vec<u8> {
    [
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n".as_slice(),
        body,
    ]
    .concat()
}

/// All records and skips; a fatal error fails the test.
fn collect(bytes: &[u8], config: ReaderConfig) -> (Vec<WarcRecord>, Vec<Skipped>) {
    let mut records = Vec::new();
    let mut skips = Vec::new();
    for item in WarcReader::with_config(bytes, config) {
        match item.unwrap() {
            RecordItem::Record(record) => records.push(record),
            RecordItem::Skipped(skipped) => skips.push(skipped),
        }
    }
    (records, skips)
}

fn ids(records: &[WarcRecord]) -> Vec<&str> {
    records.iter().map(|r| r.headers.record_id()).collect()
}

fn written_ids(written: &[WrittenRecord]) -> Vec<&str> {
    written.iter().map(|w| w.record_id.as_str()).collect()
}

fn kinds(skips: &[Skipped]) -> Vec<&'static str> {
    skips.iter().map(|s| s.reason.kind()).collect()
}

/// A tiny deterministic generator (xorshift64*), for reproducible noise.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next() >> 56) as u8).collect()
    }
}

#[test]
fn writer_output_reads_back_with_the_same_locations() {
    for compression in [Some(Compression::default()), None] {
        let (file, written) = corpus(5, compression);
        let (records, skips) = collect(&file, ReaderConfig::default());
        assert!(skips.is_empty());
        assert_eq!(ids(&records), written_ids(&written));
        for (record, written) in records.iter().zip(&written) {
            assert_eq!(record.location, written.location);
        }
        let documents: Vec<WarcDocument> = DocumentReader::new(&file[..])
            .map(|item| match item.unwrap() {
                WarcItem::Document(document) => document,
                WarcItem::Skipped(skipped) => panic!("{skipped}"),
            })
            .collect();
        assert_eq!(documents.len(), 5);
        for (i, document) in documents.iter().enumerate() {
            assert_eq!(document.content, page(i));
            assert_eq!(document.url, format!("https://example.com/page/{i}"));
            assert_eq!(document.id, written[i + 1].record_id);
            assert_eq!(document.location, written[i + 1].location);
        }
    }
}

#[test]
fn gzip_truncated_at_many_points_keeps_every_complete_member() {
    let (file, written) = corpus(6, Some(Compression::default()));
    let ends: Vec<u64> = written
        .iter()
        .map(|w| w.location.offset + w.location.length.unwrap())
        .collect();
    let mut cuts: Vec<usize> = (0..file.len()).step_by(7).collect();
    cuts.extend(ends.iter().map(|&e| e as usize));
    for cut in cuts {
        let (records, skips) = collect(&file[..cut], ReaderConfig::default());
        let complete = ends.iter().filter(|&&e| e <= cut as u64).count();
        assert_eq!(
            ids(&records),
            written_ids(&written[..complete]),
            "cut {cut}"
        );
        for (record, written) in records.iter().zip(&written) {
            assert_eq!(record.location, written.location);
        }
        if complete < written.len() && cut as u64 > written[complete].location.offset {
            assert_eq!(skips.len(), 1, "cut {cut}: {skips:?}");
            let kind = skips[0].reason.kind();
            assert!(
                kind == "truncated_gzip" || kind == "garbage",
                "cut {cut}: {kind}"
            );
            assert_eq!(skips[0].offset, written[complete].location.offset);
        } else {
            assert!(skips.is_empty(), "cut {cut}: {skips:?}");
        }
    }
}

#[test]
fn real_file_truncated_at_many_points_never_fails() {
    let Some(path) = nya_metadata::fixtures::path("refine/warc/cc-main-2024-22-one-page.warc.gz")
    else {
        return;
    };
    let file = std::fs::read(path).unwrap();
    let (all, _) = collect(&file, ReaderConfig::default());
    for cut in (0..file.len()).step_by(13) {
        let (records, skips) = collect(&file[..cut], ReaderConfig::default());
        assert!(ids(&all).starts_with(&ids(&records)), "cut {cut}");
        assert!(skips.len() <= 1, "cut {cut}: {skips:?}");
        let mut documents = DocumentReader::new(&file[..cut]);
        assert!(documents.by_ref().all(|item| item.is_ok()));
    }
}

#[test]
fn uncompressed_truncated_at_many_points_keeps_every_complete_record() {
    let (file, written) = corpus(4, None);
    for cut in (0..file.len()).step_by(5) {
        let (records, skips) = collect(&file[..cut], ReaderConfig::default());
        // A record is complete once its block is (the trailing CRLFs are optional).
        let complete = written
            .iter()
            .filter(|w| w.location.offset + w.location.length.unwrap() - 4 <= cut as u64)
            .count();
        assert_eq!(
            ids(&records),
            written_ids(&written[..complete]),
            "cut {cut}"
        );
        let partial = complete < written.len() && cut as u64 > written[complete].location.offset;
        assert_eq!(skips.len(), usize::from(partial), "cut {cut}: {skips:?}");
        for skip in &skips {
            assert!(
                ["truncated_record", "header_incomplete", "garbage"].contains(&skip.reason.kind()),
                "cut {cut}: {skip}"
            );
        }
    }
}

#[test]
fn garbage_between_gzip_members_is_measured_and_passed_over() {
    let (file, written) = corpus(4, Some(Compression::default()));
    let junks: [&[u8]; 3] = [
        b"plain text junk\r\n",
        b"WARC/1.0\r\nWARC-Type: response\r\n\r\n",
        b"\x1f\x8b\x09 not a header \x1f\x8b",
    ];
    // Splice junk after members 1, 2 and 3.
    let mut spliced = Vec::new();
    let mut junk_at = Vec::new();
    for (i, w) in written.iter().enumerate() {
        let start = w.location.offset as usize;
        let end = start + w.location.length.unwrap() as usize;
        spliced.extend_from_slice(&file[start..end]);
        if (1..=3).contains(&i) {
            junk_at.push((spliced.len() as u64, junks[i - 1].len() as u64));
            spliced.extend_from_slice(junks[i - 1]);
        }
    }
    let (records, skips) = collect(&spliced, ReaderConfig::default());
    assert_eq!(ids(&records), written_ids(&written));
    let garbage: Vec<(u64, u64)> = skips
        .iter()
        .map(|s| match s.reason {
            SkipReason::Garbage { bytes } => (s.offset, bytes),
            _ => panic!("{s}"),
        })
        .collect();
    assert_eq!(garbage, junk_at);
    // Records after the junk keep their own, shifted, member offsets.
    let last = records.last().unwrap();
    let shift: u64 = junks.iter().map(|j| j.len() as u64).sum();
    assert_eq!(
        last.location.offset,
        written.last().unwrap().location.offset + shift
    );
}

#[test]
fn fake_gzip_header_in_garbage_costs_nothing_real() {
    let (file, written) = corpus(3, Some(Compression::default()));
    let second = written[2].location.offset as usize;
    // A valid-looking gzip header followed by an invalid deflate block type.
    let fake = [
        &[0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0xff][..],
        &[0xff; 32][..],
    ]
    .concat();
    let spliced = [&file[..second], &fake[..], &file[second..]].concat();
    let (records, skips) = collect(&spliced, ReaderConfig::default());
    assert_eq!(ids(&records), written_ids(&written));
    assert_eq!(kinds(&skips), ["corrupt_gzip", "garbage"]);
    assert_eq!(skips[0].offset, second as u64);
}

#[test]
fn garbage_in_uncompressed_input_resyncs_at_the_next_warc_line() {
    let (file, written) = corpus(3, None);
    let junk = b"some garbage\r\nwith WARC/1.0 inside a line\r\n\x00\xff\xfe\r\n";
    let second = written[2].location.offset as usize;
    let spliced = [
        b"leading junk\n".as_slice(),
        &file[..second],
        junk,
        &file[second..],
    ]
    .concat();
    let (records, skips) = collect(&spliced, ReaderConfig::default());
    assert_eq!(ids(&records), written_ids(&written));
    assert_eq!(
        skips,
        vec![
            Skipped {
                offset: 0,
                record_id: None,
                reason: SkipReason::Garbage { bytes: 13 }
            },
            Skipped {
                offset: second as u64 + 13,
                record_id: None,
                reason: SkipReason::Garbage {
                    bytes: junk.len() as u64
                }
            },
        ]
    );
}

#[test]
fn garbage_inside_a_member_before_its_record() {
    let record = raw_record("<urn:a>", "metadata", "3", b"abc");
    let member = gzip_member(&[b"junk line\n".as_slice(), &record].concat());
    let (records, skips) = collect(&member, ReaderConfig::default());
    assert_eq!(kinds(&skips), ["garbage"]);
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].location,
        RecordLocation {
            offset: 0,
            length: Some(member.len() as u64),
            inner_offset: 10
        }
    );
}

#[test]
fn forged_two_gigabyte_content_length() {
    let a = raw_record("<urn:a>", "response", "5", b"HTTP/");
    let forged = raw_record(
        "<urn:b>",
        "response",
        "2000000000",
        &http_block(b"<p>x</p>"),
    );
    let c = raw_record("<urn:c>", "metadata", "3", b"abc");

    // Gzip, one record per member: only the forged record is lost.
    let gz = [gzip_member(&a), gzip_member(&forged), gzip_member(&c)].concat();
    let (records, skips) = collect(&gz, ReaderConfig::default());
    assert_eq!(ids(&records), ["<urn:a>", "<urn:c>"]);
    assert_eq!(
        skips,
        vec![Skipped {
            offset: gzip_member(&a).len() as u64,
            record_id: Some("<urn:b>".into()),
            reason: SkipReason::RecordTooLarge {
                length: 2_000_000_000,
                limit: 64 << 20
            }
        }]
    );

    // A record the caller does not want is streamed past; its member's end cuts it short.
    let mut reader = WarcReader::new(&gz[..]);
    let mut seen = Vec::new();
    while let Some(event) = reader.next_event(|_| false).unwrap() {
        seen.push(match event {
            Event::Record(view) => format!("record {}", view.headers.record_id()),
            Event::Skipped(skipped) => format!("skip {}", skipped.reason.kind()),
        });
    }
    assert_eq!(
        seen,
        ["record <urn:a>", "skip truncated_record", "record <urn:c>"]
    );

    // Uncompressed: Content-Length is all there is, so the forged record swallows the rest; it is
    // skipped without buffering and nothing after it is invented.
    let plain = [a.clone(), forged, c].concat();
    let (records, skips) = collect(&plain, ReaderConfig::default());
    assert_eq!(ids(&records), ["<urn:a>"]);
    assert_eq!(kinds(&skips), ["record_too_large"]);
}

#[test]
fn content_length_beyond_its_member_is_a_truncated_record() {
    let a = raw_record("<urn:a>", "resource", "1000", b"short block");
    let b = raw_record("<urn:b>", "resource", "3", b"abc");
    let gz = [gzip_member(&a), gzip_member(&b)].concat();
    let (records, skips) = collect(&gz, ReaderConfig::default());
    assert_eq!(ids(&records), ["<urn:b>"]);
    assert_eq!(
        skips[0].reason,
        SkipReason::TruncatedRecord {
            expected: 1000,
            available: 15
        }
    );
}

#[test]
fn oversized_records_are_streamed_past() {
    let small = ReaderConfig {
        max_record_bytes: 4096,
        ..ReaderConfig::default()
    };
    let big = raw_record("<urn:big>", "response", "10000", &vec![b'x'; 10_000]);
    let next = raw_record("<urn:next>", "response", "5", b"HTTP/");
    for layout in ["gzip", "plain"] {
        let bytes = if layout == "gzip" {
            [gzip_member(&big), gzip_member(&next)].concat()
        } else {
            [big.clone(), next.clone()].concat()
        };
        let (records, skips) = collect(&bytes, small.clone());
        assert_eq!(ids(&records), ["<urn:next>"], "{layout}");
        assert_eq!(
            skips[0].reason,
            SkipReason::RecordTooLarge {
                length: 10_000,
                limit: 4096
            }
        );
    }

    // 100 MiB of block under the default 64 MiB limit: inflated and dropped chunk by chunk.
    let huge_len = 100 << 20;
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    let head = format!(
        "WARC/1.0\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:huge>\r\nContent-Length: {huge_len}\r\n\r\n"
    );
    encoder.write_all(head.as_bytes()).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..100 {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.write_all(b"\r\n\r\n").unwrap();
    let huge = [encoder.finish().unwrap(), gzip_member(&next)].concat();
    let (records, skips) = collect(&huge, ReaderConfig::default());
    assert_eq!(ids(&records), ["<urn:next>"]);
    assert_eq!(
        skips[0].reason,
        SkipReason::RecordTooLarge {
            length: huge_len,
            limit: 64 << 20
        }
    );
}

#[test]
fn oversized_and_overfull_headers_are_skipped() {
    let long_line = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nX-Long: {}\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n",
        "y".repeat(100_000)
    );
    let many: String = (0..600).map(|i| format!("X-Field-{i}: v\r\n")).collect();
    let many_fields =
        format!("WARC/1.0\r\nWARC-Type: response\r\n{many}Content-Length: 3\r\n\r\nabc\r\n\r\n");
    let good = raw_record("<urn:good>", "metadata", "3", b"abc");
    for layout in ["gzip", "plain"] {
        let parts = [long_line.as_bytes(), &good, many_fields.as_bytes(), &good];
        let bytes: Vec<u8> = if layout == "gzip" {
            parts.iter().flat_map(|p| gzip_member(p)).collect()
        } else {
            parts.concat()
        };
        let (records, skips) = collect(&bytes, ReaderConfig::default());
        assert_eq!(ids(&records), ["<urn:good>", "<urn:good>"], "{layout}");
        assert_eq!(
            skips.iter().map(|s| s.reason.clone()).collect::<Vec<_>>(),
            [
                SkipReason::HeaderTooLong { limit: 64 << 10 },
                SkipReason::TooManyHeaderFields { limit: 512 }
            ],
            "{layout}"
        );
    }
}

#[test]
fn missing_and_invalid_mandatory_fields() {
    let no_length =
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:x>\r\n\r\nblock\r\n\r\n";
    let bad_length = raw_record("<urn:y>", "response", "12abc", b"block");
    let no_id = b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 5\r\n\r\nWARC/\r\n\r\n";
    let good = raw_record("<urn:good>", "metadata", "3", b"abc");
    let plain = [&no_length[..], &good, &bad_length, &good, no_id, &good].concat();
    let (records, skips) = collect(&plain, ReaderConfig::default());
    assert_eq!(ids(&records), ["<urn:good>"; 3]);
    assert_eq!(
        skips
            .iter()
            .map(|s| (s.reason.clone(), s.record_id.clone()))
            .collect::<Vec<_>>(),
        [
            (
                SkipReason::MissingField {
                    field: "Content-Length"
                },
                Some("<urn:x>".to_owned())
            ),
            (
                SkipReason::InvalidContentLength {
                    value: "12abc".into()
                },
                Some("<urn:y>".to_owned())
            ),
            (
                SkipReason::MissingField {
                    field: "WARC-Record-ID"
                },
                None
            ),
        ]
    );
}

#[test]
fn non_utf8_header_bytes_are_read_as_latin1() {
    let mut record = b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:l1>\r\n\
        WARC-Date: 2024-01-01T00:00:00Z\r\nWARC-Target-URI: http://example.com/caf\xe9\r\n\
        X-\xff\xfe: \xc3\x28\r\nWARC-Identified-Payload-Type: text/html\r\n"
        .to_vec();
    let block = http_block(b"<p>hello</p>");
    record.extend_from_slice(format!("Content-Length: {}\r\n\r\n", block.len()).as_bytes());
    record.extend_from_slice(&block);
    let items: Vec<WarcItem> = DocumentReader::new(&gzip_member(&record)[..])
        .map(Result::unwrap)
        .collect();
    let [WarcItem::Document(document)] = items.as_slice() else {
        panic!("{items:?}")
    };
    assert_eq!(document.url, "http://example.com/café");
    assert_eq!(document.content, "<p>hello</p>");
}

#[test]
fn zero_length_records_and_empty_members() {
    let empty_response = raw_record("<urn:zero>", "response", "0", b"");
    let head_only = raw_record("<urn:head>", "response", "44", &http_block(b""));
    let good = raw_record("<urn:good>", "metadata", "3", b"abc");
    let gz = [
        gzip_member(&empty_response),
        gzip_member(b""),
        gzip_member(b"\r\n\r\n"),
        gzip_member(&head_only),
        gzip_member(&good),
    ]
    .concat();
    let (records, skips) = collect(&gz, ReaderConfig::default());
    assert_eq!(ids(&records), ["<urn:zero>", "<urn:head>", "<urn:good>"]);
    assert!(records[0].block.is_empty());
    assert_eq!(kinds(&skips), ["empty_member", "empty_member"]);

    let mut documents = DocumentReader::new(&gz[..]);
    let kinds: Vec<&str> = documents
        .by_ref()
        .map(|item| match item.unwrap() {
            WarcItem::Skipped(skipped) => skipped.reason.kind(),
            WarcItem::Document(document) => panic!("{document:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "empty_payload",
            "empty_member",
            "empty_member",
            "empty_payload"
        ]
    );
    assert_eq!(documents.stats().skipped.get("empty_payload"), Some(&2));
    assert_eq!(documents.stats().other_types, 1);

    assert_eq!(WarcReader::new(&b""[..]).count(), 0);
    assert_eq!(WarcReader::new(&gzip_member(b"")[..]).count(), 1);
}

#[test]
fn nested_gzip_and_random_bytes_end_in_skips() {
    let good = raw_record("<urn:good>", "metadata", "3", b"abc");
    let mut nested = good.clone();
    for _ in 0..20 {
        nested = gzip_member(&nested);
    }
    let gz = [gzip_member(&nested), gzip_member(&good)].concat();
    let (records, skips) = collect(&gz, ReaderConfig::default());
    assert_eq!(ids(&records), ["<urn:good>"]);
    assert_eq!(kinds(&skips), ["garbage"]);

    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    for round in 0..20 {
        let random = noise.bytes(20_000 + round * 997);
        for bytes in [random.clone(), gzip_member(&random)] {
            let (records, skips) = collect(&bytes, ReaderConfig::default());
            assert!(records.is_empty());
            assert!(!skips.is_empty());
            assert!(DocumentReader::new(&bytes[..]).all(|item| item.is_ok()));
        }
    }
}

#[test]
fn flipped_bytes_never_yield_altered_records() {
    let (file, written) = corpus(4, Some(Compression::default()));
    let (reference, _) = collect(&file, ReaderConfig::default());
    let mut noise = Noise(42);
    for _ in 0..300 {
        let mut damaged = file.clone();
        let at = (noise.next() % damaged.len() as u64) as usize;
        damaged[at] ^= 1 << (noise.next() % 8);
        let (records, _) = collect(&damaged, ReaderConfig::default());
        // Unless the flip hit unchecked header bytes (mtime, OS), CRC32 rejects the member.
        for record in &records {
            let original = reference
                .iter()
                .find(|r| r.headers.record_id() == record.headers.record_id())
                .unwrap_or_else(|| panic!("invented record after flip at {at}"));
            assert_eq!(record.block, original.block, "flip at {at}");
        }
        assert!(
            records.len() >= written.len() - 1,
            "flip at {at} lost more than its member"
        );
    }
}

#[test]
fn record_split_across_members_is_reassembled() {
    let record = raw_record("<urn:split>", "resource", "2000", &vec![b'q'; 2000]);
    let good = raw_record("<urn:good>", "metadata", "3", b"abc");
    let (one, rest) = record.split_at(40);
    let (two, three) = rest.split_at(900);
    let gz = [
        gzip_member(one),
        gzip_member(two),
        gzip_member(three),
        gzip_member(&good),
    ]
    .concat();
    let (records, skips) = collect(&gz, ReaderConfig::default());
    assert!(skips.is_empty(), "{skips:?}");
    assert_eq!(ids(&records), ["<urn:split>", "<urn:good>"]);
    assert_eq!(records[0].block, vec![b'q'; 2000]);
    assert_eq!(records[0].location.length, None);
    assert_eq!(
        records[1].location.length,
        Some(gzip_member(&good).len() as u64)
    );
}

/// A source that fails after handing out its bytes.
struct FailsAfter<'a>(&'a [u8]);

impl Read for FailsAfter<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.0.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "peer went away",
            ));
        }
        let n = self.0.len().min(out.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[test]
fn a_failing_source_is_fatal_once() {
    let (file, written) = corpus(3, Some(Compression::default()));
    let cut = (written[2].location.offset + 20) as usize;
    let mut reader = WarcReader::new(FailsAfter(&file[..cut]));
    let mut seen = Vec::new();
    let error = loop {
        match reader.next() {
            Some(Ok(RecordItem::Record(record))) => {
                seen.push(record.headers.record_id().to_owned())
            }
            Some(Ok(RecordItem::Skipped(skipped))) => panic!("{skipped}"),
            Some(Err(error)) => break error,
            None => panic!("ended without the error"),
        }
    };
    assert_eq!(seen, written_ids(&written[..2]));
    assert!(
        matches!(error, WarcError::Io { ref source, .. } if source.kind() == io::ErrorKind::ConnectionReset)
    );
    assert!(error.to_string().contains("peer went away"));
    assert!(reader.next().is_none());
}

#[test]
fn payload_codings_charsets_and_mime_fallbacks() {
    let html = page(3);
    let gz_body = gzip_member(html.as_bytes());
    let mut chunked = Vec::new();
    for piece in gz_body.chunks(100) {
        chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let (cp1251, _, _) =
        encoding_rs::WINDOWS_1251.encode("<p>Привет, мир! Это страница на русском языке.</p>");
    let odd_utf16 = [0xff, 0xfe, b'a', 0, b'b'];

    let mut writer = WarcWriter::new(Vec::new());
    type Response<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [u8]);
    let responses: [Response; 6] = [
        (
            "coded",
            &[
                ("Content-Type", "text/html"),
                ("Transfer-Encoding", "chunked"),
                ("Content-Encoding", "gzip"),
            ],
            &chunked,
        ),
        ("legacy", &[("Content-Type", "text/html")], &cp1251),
        (
            "json",
            &[("Content-Type", "application/json")],
            b"{\"a\": 1}",
        ),
        ("sniffed", &[], b"\n<!DOCTYPE html><p>no type</p>"),
        ("unsniffable", &[], b"plain words"),
        ("utf16", &[("Content-Type", "text/html")], &odd_utf16),
    ];
    for (name, headers, body) in responses {
        let url = format!("https://example.ru/{name}");
        writer
            .write_response(&HttpResponse {
                target_uri: &url,
                date: DATE,
                status: 200,
                reason: "OK",
                headers,
                body,
                identified_payload_type: None,
            })
            .unwrap();
    }
    let file = writer.finish().unwrap();
    let mut reader = DocumentReader::new(&file[..]);
    let items: Vec<WarcItem> = reader.by_ref().map(Result::unwrap).collect();
    let [
        WarcItem::Document(coded),
        WarcItem::Document(legacy),
        WarcItem::Document(sniffed),
        WarcItem::Skipped(utf16),
    ] = items.as_slice()
    else {
        panic!("{items:?}")
    };
    assert_eq!(coded.content, html);
    assert_eq!(legacy.encoding, "windows-1251");
    assert!(legacy.content.contains("Привет, мир!"));
    assert!(sniffed.url.ends_with("/sniffed"));
    assert_eq!(
        utf16.reason,
        SkipReason::Undecodable {
            charset: "UTF-16LE"
        }
    );
    assert_eq!(reader.stats().not_html, 2);
    assert_eq!(reader.stats().documents, 3);
}
