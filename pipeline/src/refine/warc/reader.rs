//! The record reader: finds records in the decompressed stream, parses their headers, reads or
//! streams past their blocks, and says where each one sits in the file.
//!
//! A record is a `WARC/<digit>…` line, header lines, a blank line, `Content-Length` bytes of
//! block, then (by the standard) two CRLFs; any run of CR/LF between records is accepted.
//!
//! Resynchronisation inside the decompressed stream: where a record should start but the line
//! does not begin with `WARC/<digit>`, or after a header that could not be accepted, lines are
//! passed over until one begins with `WARC/<digit>`, or until the gzip member or the input ends
//! (gzip input then continues at the next member, see `input`).
//!
//! Records and gzip members: CommonCrawl, Heritrix, warcio and wget write each record as its own
//! member. When a member ends inside a record, the record continues into the next member only if
//! that member does not itself begin with `WARC/` (files that split records across members, such
//! as BGZF-style chunking); otherwise the record is cut short and skipped, and the next member is
//! read normally, so a forged `Content-Length` costs one record, not the rest of the file. In
//! uncompressed input (and inside one member) `Content-Length` is trusted: a forged one swallows
//! what follows.
//!
//! Checksums: after a record's block, the reader reads on to the next record start or the end of
//! the member, so a record alone in its member is handed out only after the member's CRC32 has
//! been verified; damage makes it a skip, never an altered record. Records sharing a member are
//! handed out before the member's end, so for single-member files the check comes too late to
//! hold them back (the damage is still reported as a skip).
//!
//! Memory: a block is buffered only when the caller wants it and it is within
//! [`ReaderConfig::max_record_bytes`]; otherwise it is streamed past. Header blocks are bounded by
//! [`ReaderConfig::max_header_bytes`] and [`ReaderConfig::max_header_fields`].

use std::collections::VecDeque;
use std::io::Read;

use memchr::memchr;

use super::error::{SkipReason, Skipped, WarcError};
use super::headers::{WarcHeaders, starts_record};
use super::input::{Chunk, Failure, Input};

/// Limits that keep memory bounded on hostile input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderConfig {
    /// Blocks (and decoded payloads) larger than this are skipped (default 64 MiB).
    pub max_record_bytes: u64,
    /// Header blocks longer than this are skipped (default 64 KiB).
    pub max_header_bytes: usize,
    /// Header blocks with more field lines than this are skipped (default 512).
    pub max_header_fields: usize,
}

impl Default for ReaderConfig {
    fn default() -> Self {
        ReaderConfig {
            max_record_bytes: 64 << 20,
            max_header_bytes: 64 << 10,
            max_header_fields: 512,
        }
    }
}

/// Where a record sits in the file, for provenance: fetch bytes `[offset, offset + length)`,
/// gunzip them if the file is gzip, and the record starts `inner_offset` bytes into the result.
///
/// - Gzip with one record per member (CommonCrawl): `offset` and `length` are the member's
///   compressed offset and length, `inner_offset` is 0 (or the length of any blank lines or
///   garbage before the record inside its member).
/// - Gzip with several records in one member (e.g. one big member): `offset` is that member's
///   offset and `inner_offset` the record's position in its decompressed data; `length` is the
///   member's compressed length only for a record that ends its member, `None` for the others,
///   which cannot be fetched on their own. `None` too for a record that spans members.
/// - Uncompressed: `offset` is the record's byte offset, `length` its length through the blank
///   lines after it, `inner_offset` 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordLocation {
    /// File offset of the gzip member holding the record's start, or of the record itself.
    pub offset: u64,
    /// Bytes to fetch from `offset`, when the record can be fetched on its own.
    pub length: Option<u64>,
    /// The record's offset inside the decompressed member (0 for uncompressed files).
    pub inner_offset: u64,
}

/// A record seen by [`WarcReader::next_event`], borrowing the reader's buffers.
#[derive(Debug)]
pub struct RecordView<'a> {
    /// Where the record is.
    pub location: RecordLocation,
    /// Its headers.
    pub headers: &'a WarcHeaders,
    /// Its block, if the caller asked for it.
    pub block: Option<&'a [u8]>,
}

impl RecordView<'_> {
    /// An owned copy (an empty block if it was not read).
    pub fn to_record(&self) -> WarcRecord {
        WarcRecord {
            location: self.location,
            headers: self.headers.clone(),
            block: self.block.map(<[u8]>::to_vec).unwrap_or_default(),
        }
    }
}

/// One step of [`WarcReader::next_event`].
#[derive(Debug)]
pub enum Event<'a> {
    /// A record (its block only if requested).
    Record(RecordView<'a>),
    /// A record or run of bytes that was skipped.
    Skipped(Skipped),
}

/// An owned record, as the reader's iterator yields it.
#[derive(Debug, Clone)]
pub struct WarcRecord {
    /// Where the record is.
    pub location: RecordLocation,
    /// Its headers.
    pub headers: WarcHeaders,
    /// Its block (`Content-Length` bytes).
    pub block: Vec<u8>,
}

/// What the reader's iterator yields.
#[derive(Debug, Clone)]
pub enum RecordItem {
    /// A record with its block.
    Record(WarcRecord),
    /// A record or run of bytes that was skipped.
    Skipped(Skipped),
}

/// Reads WARC records from any `Read`, gzip (multi- or single-member) or uncompressed.
///
/// [`WarcReader::next_event`] lends each record without copying and lets the caller decline
/// blocks it does not need; the `Iterator` impl yields owned records with their blocks.
pub struct WarcReader<R> {
    input: Input<R>,
    config: ReaderConfig,
    head: Vec<u8>,
    headers: WarcHeaders,
    block: Vec<u8>,
    pending: VecDeque<Skipped>,
    /// A gzip member is open (its record count matters for empty-member reports).
    in_member: bool,
    /// The open member held a record, garbage, or a failure.
    member_has_content: bool,
    failed: bool,
}

/// Why a record could not be finished.
enum Abort {
    Fatal(WarcError),
    Skip(SkipReason),
}

impl From<Failure> for Abort {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Source { offset, error } => Abort::Fatal(WarcError::Io {
                offset,
                source: error,
            }),
            Failure::Corrupt(detail) => Abort::Skip(SkipReason::CorruptGzip { detail }),
            Failure::Truncated => Abort::Skip(SkipReason::TruncatedGzip),
        }
    }
}

/// The outcome of one [`WarcReader::advance`].
enum Step {
    Record {
        location: RecordLocation,
        with_block: bool,
    },
    Skipped(Skipped),
    End,
}

/// The outcome of looking for the next record start.
enum Seek {
    Found,
    Skipped(Skipped),
    End,
}

fn leading_newlines(data: &[u8]) -> usize {
    data.iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count()
}

impl<R: Read> WarcReader<R> {
    /// A reader with the default limits.
    pub fn new(source: R) -> Self {
        Self::with_config(source, ReaderConfig::default())
    }

    /// A reader with the given limits.
    pub fn with_config(source: R, config: ReaderConfig) -> Self {
        WarcReader {
            input: Input::new(source),
            config,
            head: Vec::new(),
            headers: WarcHeaders::empty(),
            block: Vec::new(),
            pending: VecDeque::new(),
            in_member: false,
            member_has_content: false,
            failed: false,
        }
    }

    /// The limits in force.
    pub fn config(&self) -> &ReaderConfig {
        &self.config
    }

    /// The next record or skip; `Ok(None)` at the end. `want_block` sees each record's headers
    /// and says whether to read its block (declined blocks are streamed past, not buffered).
    /// After an `Err` (the source failed) every call returns `Ok(None)`.
    pub fn next_event(
        &mut self,
        mut want_block: impl FnMut(&WarcHeaders) -> bool,
    ) -> Result<Option<Event<'_>>, WarcError> {
        if self.failed {
            return Ok(None);
        }
        match self.advance(&mut want_block) {
            Ok(Step::Record {
                location,
                with_block,
            }) => Ok(Some(Event::Record(RecordView {
                location,
                headers: &self.headers,
                block: with_block.then_some(self.block.as_slice()),
            }))),
            Ok(Step::Skipped(skipped)) => Ok(Some(Event::Skipped(skipped))),
            Ok(Step::End) => Ok(None),
            Err(error) => {
                self.failed = true;
                Err(error)
            }
        }
    }

    fn advance(&mut self, want: &mut dyn FnMut(&WarcHeaders) -> bool) -> Result<Step, WarcError> {
        if let Some(skipped) = self.pending.pop_front() {
            return Ok(Step::Skipped(skipped));
        }
        let (offset, inner_offset) = match self.seek_record_start() {
            Ok(Seek::Found) => self.input.here(),
            Ok(Seek::Skipped(skipped)) => return Ok(Step::Skipped(skipped)),
            Ok(Seek::End) => return Ok(Step::End),
            Err(Abort::Fatal(error)) => return Err(error),
            Err(Abort::Skip(reason)) => {
                self.member_has_content = true;
                let offset = self.input.here().0;
                return Ok(Step::Skipped(Skipped {
                    offset,
                    record_id: None,
                    reason,
                }));
            }
        };
        self.member_has_content = true;
        let mut record_id = None;
        match self.read_record(want, offset, &mut record_id) {
            Ok((length, with_block)) => Ok(Step::Record {
                location: RecordLocation {
                    offset,
                    length,
                    inner_offset,
                },
                with_block,
            }),
            Err(Abort::Fatal(error)) => Err(error),
            Err(Abort::Skip(reason)) => Ok(Step::Skipped(Skipped {
                offset,
                record_id,
                reason,
            })),
        }
    }

    /// Positions the input at the next `WARC/<digit>` line, reporting what had to be passed over.
    fn seek_record_start(&mut self) -> Result<Seek, Abort> {
        loop {
            match self.input.fill_at_least(6)? {
                Chunk::End => return Ok(Seek::End),
                Chunk::MemberEnd => {
                    let member_offset = self.input.here().0;
                    if self.in_member && !self.member_has_content {
                        self.pending.push_back(Skipped {
                            offset: member_offset,
                            record_id: None,
                            reason: SkipReason::EmptyMember,
                        });
                    }
                    let next = self.input.next_member()?;
                    self.in_member = next.opened;
                    self.member_has_content = false;
                    if let Some((offset, bytes)) = next.garbage {
                        self.pending.push_back(Skipped {
                            offset,
                            record_id: None,
                            reason: SkipReason::Garbage { bytes },
                        });
                    }
                    if let Some(skipped) = self.pending.pop_front() {
                        return Ok(Seek::Skipped(skipped));
                    }
                    if !next.opened {
                        return Ok(Seek::End);
                    }
                }
                Chunk::Data(data) => {
                    let newlines = leading_newlines(data);
                    if newlines > 0 {
                        self.input.consume(newlines);
                        continue;
                    }
                    if starts_record(data) {
                        return Ok(Seek::Found);
                    }
                    let offset = self.input.here().0;
                    self.member_has_content = true;
                    let bytes = self.resync()?;
                    return Ok(Seek::Skipped(Skipped {
                        offset,
                        record_id: None,
                        reason: SkipReason::Garbage { bytes },
                    }));
                }
            }
        }
    }

    /// Consumes the current line and every following line that does not start a record, up to
    /// the end of the member or input; returns the bytes consumed.
    fn resync(&mut self) -> Result<u64, Abort> {
        let mut skipped = 0u64;
        let mut at_line_start = false;
        loop {
            let Chunk::Data(data) = self.input.fill_at_least(6)? else {
                return Ok(skipped);
            };
            if at_line_start && starts_record(data) {
                return Ok(skipped);
            }
            let (n, ends_line) = match memchr(b'\n', data) {
                Some(i) => (i + 1, true),
                None => (data.len(), false),
            };
            at_line_start = ends_line;
            self.input.consume(n);
            skipped += n as u64;
        }
    }

    /// Reads one record from its version line; returns its compressed length (if it has one on
    /// its own) and whether its block was kept.
    fn read_record(
        &mut self,
        want: &mut dyn FnMut(&WarcHeaders) -> bool,
        offset: u64,
        record_id: &mut Option<String>,
    ) -> Result<(Option<u64>, bool), Abort> {
        let serial = self.input.member_serial();
        if let Err(abort) = self.read_head() {
            // A head cut off by its member's or the input's end leaves nothing to pass over.
            if let Abort::Skip(
                SkipReason::HeaderTooLong { .. } | SkipReason::TooManyHeaderFields { .. },
            ) = abort
            {
                self.resync()?;
            }
            return Err(abort);
        }
        let mut problem = None;
        let block_len = match self.headers.parse(&self.head) {
            Ok(()) => {
                *record_id = Some(self.headers.record_id().to_owned());
                self.headers.content_length()
            }
            Err(invalid) => {
                *record_id = invalid.record_id;
                let Some(length) = invalid.content_length else {
                    self.resync()?;
                    return Err(Abort::Skip(invalid.reason));
                };
                problem = Some(invalid.reason);
                length
            }
        };
        let wanted = problem.is_none() && want(&self.headers);
        let too_large = wanted && block_len > self.config.max_record_bytes;
        if too_large {
            problem = Some(SkipReason::RecordTooLarge {
                length: block_len,
                limit: self.config.max_record_bytes,
            });
        }
        let keep = wanted && !too_large;
        let available = self.read_block(block_len, keep)?;
        if available < block_len {
            return Err(Abort::Skip(problem.unwrap_or(
                SkipReason::TruncatedRecord {
                    expected: block_len,
                    available,
                },
            )));
        }
        let (ends_member, record_end) = self.finish_record()?;
        if let Some(reason) = problem {
            return Err(Abort::Skip(reason));
        }
        let length = if self.input.is_gzip() {
            // A record that crossed into another member cannot be fetched as one member.
            let own_member = ends_member && self.input.member_serial() == serial;
            own_member
                .then(|| self.input.finished_member_length())
                .flatten()
        } else {
            Some(record_end - offset)
        };
        Ok((length, keep))
    }

    /// Collects the header block (version line through the blank line) into `self.head`.
    fn read_head(&mut self) -> Result<(), Abort> {
        self.head.clear();
        let mut line_start = 0;
        let mut field_lines = 0usize;
        loop {
            match self.input.fill()? {
                Chunk::Data(data) => {
                    let (take, ends_line) = match memchr(b'\n', data) {
                        Some(i) => (i + 1, true),
                        None => (data.len(), false),
                    };
                    if self.head.len() + take > self.config.max_header_bytes {
                        return Err(Abort::Skip(SkipReason::HeaderTooLong {
                            limit: self.config.max_header_bytes,
                        }));
                    }
                    self.head.extend_from_slice(&data[..take]);
                    self.input.consume(take);
                    if !ends_line {
                        continue;
                    }
                    let line = &self.head[line_start..];
                    if line == b"\n" || line == b"\r\n" {
                        return Ok(());
                    }
                    if line_start > 0 {
                        field_lines += 1;
                        if field_lines > self.config.max_header_fields {
                            return Err(Abort::Skip(SkipReason::TooManyHeaderFields {
                                limit: self.config.max_header_fields,
                            }));
                        }
                    }
                    line_start = self.head.len();
                }
                Chunk::MemberEnd => {
                    if !self.continue_into_next_member()? {
                        return Err(Abort::Skip(SkipReason::HeaderIncomplete));
                    }
                }
                Chunk::End => return Err(Abort::Skip(SkipReason::HeaderIncomplete)),
            }
        }
    }

    /// Reads (when `keep`) or streams past `length` block bytes; returns the bytes found.
    fn read_block(&mut self, length: u64, keep: bool) -> Result<u64, Abort> {
        self.block.clear();
        if keep {
            // Grow as data arrives: a forged length must not allocate up front.
            self.block
                .reserve(usize::try_from(length.min(1 << 20)).unwrap_or(1 << 20));
        }
        let mut remaining = length;
        while remaining > 0 {
            match self.input.fill()? {
                Chunk::Data(data) => {
                    let take = usize::try_from(remaining).map_or(data.len(), |r| r.min(data.len()));
                    if keep {
                        self.block.extend_from_slice(&data[..take]);
                    }
                    self.input.consume(take);
                    remaining -= take as u64;
                }
                Chunk::MemberEnd => {
                    if !self.continue_into_next_member()? {
                        break;
                    }
                }
                Chunk::End => break,
            }
        }
        Ok(length - remaining)
    }

    /// Consumes the blank lines after a block, then any garbage up to the next record start or
    /// the member's end (queued as a skip after this record). Reading on to the member's end means
    /// a record is handed out only once its member's CRC32 has been checked, unless another record
    /// follows in the same member (single-member files cannot be checked any earlier). Returns
    /// whether the member ended there, and the source offset where the record's bytes end.
    fn finish_record(&mut self) -> Result<(bool, u64), Abort> {
        let mut record_end = None;
        loop {
            let next = match self.input.fill_at_least(6)? {
                Chunk::Data(data) => Some((leading_newlines(data), starts_record(data))),
                Chunk::MemberEnd | Chunk::End => None,
            };
            match next {
                Some((newlines, _)) if newlines > 0 => self.input.consume(newlines),
                Some((_, next_is_record)) => {
                    let end = *record_end.get_or_insert(self.input.source_offset());
                    if next_is_record {
                        return Ok((false, end));
                    }
                    let offset = self.input.here().0;
                    let bytes = self.resync()?;
                    self.pending.push_back(Skipped {
                        offset,
                        record_id: None,
                        reason: SkipReason::Garbage { bytes },
                    });
                }
                None => {
                    let end = record_end.unwrap_or_else(|| self.input.source_offset());
                    let member_ended = matches!(self.input.fill()?, Chunk::MemberEnd);
                    return Ok((member_ended, end));
                }
            }
        }
    }

    /// A gzip member ended inside a record: opens the next member and says whether the record
    /// continues in it (it does unless that member starts a record, is preceded by garbage, or
    /// there is none).
    fn continue_into_next_member(&mut self) -> Result<bool, Abort> {
        let next = self.input.next_member()?;
        self.in_member = next.opened;
        self.member_has_content = false;
        if let Some((offset, bytes)) = next.garbage {
            self.pending.push_back(Skipped {
                offset,
                record_id: None,
                reason: SkipReason::Garbage { bytes },
            });
            return Ok(false);
        }
        if !next.opened {
            return Ok(false);
        }
        let continues = match self.input.fill_at_least(6)? {
            Chunk::Data(data) => !starts_record(data),
            Chunk::MemberEnd | Chunk::End => false,
        };
        self.member_has_content = continues;
        Ok(continues)
    }
}

impl<R: Read> Iterator for WarcReader<R> {
    type Item = Result<RecordItem, WarcError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_event(|_| true) {
            Ok(Some(Event::Record(view))) => Some(Ok(RecordItem::Record(view.to_record()))),
            Ok(Some(Event::Skipped(skipped))) => Some(Ok(RecordItem::Skipped(skipped))),
            Ok(None) => None,
            Err(error) => Some(Err(error)),
        }
    }
}
