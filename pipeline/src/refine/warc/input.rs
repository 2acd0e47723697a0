//! The byte layer under the WARC parser: hands out the decompressed stream while keeping track of
//! where each byte came from in the (compressed) file.
//!
//! Layout detection happens on the first bytes: a gzip header (`1f 8b 08`, reserved flag bits
//! clear) means gzip input, `WARC/` means uncompressed input; for anything else the first 64 KiB
//! are searched and whichever of the two appears first decides.
//!
//! Gzip input is inflated one member at a time with `flate2::bufread::GzDecoder` over a
//! [`CountingReader`], a `BufRead` that counts the source bytes it hands out. Because the bufread
//! decoder consumes exactly the bytes of its member (header, deflate data, 8-byte trailer), the
//! count at the member's end is the member's end offset in the file. A member's data is never
//! mixed with the next one's: at a member end [`Input::fill`] reports [`Chunk::MemberEnd`] until
//! the parser calls [`Input::next_member`], so the parser knows exactly which bytes of which member
//! a record spans.
//!
//! Resynchronisation in gzip input: [`Input::next_member`] opens the next member only at a valid
//! gzip header; bytes before it are counted as garbage. After a corrupt or truncated member the
//! search resumes at the member's second byte when the member's bytes read so far are still
//! buffered (up to 128 KiB), because a damaged deflate stream can run on into the next member;
//! for larger members it resumes where the decoder stopped.

use std::io::{self, BufRead, Read};

use flate2::bufread::GzDecoder;
use memchr::memchr;

/// Source bytes buffered at a time.
const SOURCE_BUFFER: usize = 256 * 1024;
/// Decompressed bytes buffered at a time.
const OUTPUT_BUFFER: usize = 128 * 1024;
/// Bytes searched when the input starts with neither a gzip header nor `WARC/`.
const SNIFF_WINDOW: usize = 64 * 1024;
/// Compressed bytes of the current member kept for a rewind after damage (see `mark`).
const RETAIN_LIMIT: usize = 128 * 1024;

/// True when `bytes` starts with a gzip member header: magic, deflate method, reserved flags clear.
pub(super) fn is_gzip_header(bytes: &[u8]) -> bool {
    matches!(bytes, [0x1f, 0x8b, 0x08, flags, ..] if flags & 0xe0 == 0)
}

/// A `BufRead` over any `Read` that knows the source offset of the next byte it hands out.
pub(super) struct CountingReader<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// Source offset of `buf[0]`.
    base: u64,
    eof: bool,
    /// Set when `inner` returned an error, so decoder errors can be told apart from source errors.
    source_failed: bool,
    /// Buffer index of the current gzip member's first byte, kept while the member's bytes read
    /// so far fit in [`RETAIN_LIMIT`], so a damaged member can be rescanned from its second byte
    /// (its decoder may have run into the next member's bytes).
    mark: Option<usize>,
}

impl<R: Read> CountingReader<R> {
    pub(super) fn new(inner: R) -> Self {
        CountingReader {
            inner,
            buf: vec![0; SOURCE_BUFFER],
            pos: 0,
            end: 0,
            base: 0,
            eof: false,
            source_failed: false,
            mark: None,
        }
    }

    /// Source offset of the next unconsumed byte.
    pub(super) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Reads once from the source into the free part of the buffer; 0 means end of input.
    fn read_more(&mut self) -> io::Result<usize> {
        if self.eof {
            return Ok(0);
        }
        if self.pos == self.end || self.end == self.buf.len() {
            let mut keep_from = self.pos;
            match self.mark {
                Some(mark) if self.pos - mark <= RETAIN_LIMIT => keep_from = mark,
                _ => self.mark = None,
            }
            self.buf.copy_within(keep_from..self.end, 0);
            self.base += keep_from as u64;
            self.end -= keep_from;
            self.pos -= keep_from;
            if let Some(mark) = &mut self.mark {
                *mark -= keep_from;
            }
        }
        let free = self.buf.len() - self.end;
        if free == 0 {
            return Ok(0);
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(0);
                }
                Ok(n) => {
                    // A reader claiming more than it was offered is clamped, not trusted.
                    let n = n.min(free);
                    self.end += n;
                    return Ok(n);
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => {
                    self.source_failed = true;
                    return Err(err);
                }
            }
        }
    }

    /// At least `n` buffered bytes (`n` ≤ the buffer size), fewer only at end of input.
    pub(super) fn fill_at_least(&mut self, n: usize) -> io::Result<&[u8]> {
        while self.end - self.pos < n {
            if self.read_more()? == 0 {
                break;
            }
        }
        Ok(&self.buf[self.pos..self.end])
    }
}

impl<R> CountingReader<R> {
    fn set_mark(&mut self) {
        self.mark = Some(self.pos);
    }

    fn clear_mark(&mut self) {
        self.mark = None;
    }

    /// Moves back to the byte after the mark if it is still buffered; false otherwise.
    fn rewind_past_mark(&mut self) -> bool {
        match self.mark.take() {
            Some(mark) if mark < self.end => {
                self.pos = mark + 1;
                true
            }
            _ => false,
        }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for CountingReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.end {
            self.read_more()?;
        }
        Ok(&self.buf[self.pos..self.end])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.end);
    }
}

/// What [`Input::fill`] found.
#[derive(Debug)]
pub(super) enum Chunk<'a> {
    /// Decompressed bytes of the current member (never empty).
    Data(&'a [u8]),
    /// The current gzip member ended (or none is open yet); call [`Input::next_member`].
    MemberEnd,
    /// End of input.
    End,
}

/// Why the byte layer could not go on.
#[derive(Debug)]
pub(super) enum Failure {
    /// The source failed: fatal.
    Source { offset: u64, error: io::Error },
    /// The member's deflate data or checksum is damaged; the member is abandoned.
    Corrupt(String),
    /// The input ends inside the member; the member is abandoned.
    Truncated,
}

/// The result of [`Input::next_member`].
#[derive(Debug)]
pub(super) struct NextMember {
    /// `(file offset, length)` of bytes passed over before the member (or before end of input).
    pub garbage: Option<(u64, u64)>,
    /// False at end of input.
    pub opened: bool,
}

// One `Stage` lives in each reader and is never stored in bulk, so its size does not matter and
// boxing the decoder would only add an allocation per gzip member.
#[allow(clippy::large_enum_variant)]
enum Stage<R> {
    /// Nothing read yet: layout unknown.
    Undetected(CountingReader<R>),
    Plain(CountingReader<R>),
    /// Gzip input between members (or before the first).
    Between(CountingReader<R>),
    /// Gzip input inside a member.
    Member(GzDecoder<CountingReader<R>>),
    /// Only seen if a move out of `stage` was interrupted, which cannot happen without a panic.
    Poisoned,
}

/// The decompressed stream plus positions, see the module doc.
pub(super) struct Input<R> {
    stage: Stage<R>,
    out: Vec<u8>,
    pos: usize,
    end: usize,
    /// File offset of the current gzip member.
    member_offset: u64,
    /// File offset where the current member ended cleanly, once it has.
    member_end: Option<u64>,
    /// Decompressed bytes of the current member consumed so far.
    inner: u64,
    /// Members opened so far: identifies the current member.
    members: u64,
    /// File offset up to which a damaged member's decoder had read: bytes before it are part of
    /// that (already reported) member, not garbage, when the search for a header rescans them.
    damaged_until: u64,
}

impl<R: Read> Input<R> {
    pub(super) fn new(source: R) -> Self {
        Input {
            stage: Stage::Undetected(CountingReader::new(source)),
            out: Vec::new(),
            pos: 0,
            end: 0,
            member_offset: 0,
            member_end: None,
            inner: 0,
            members: 0,
            damaged_until: 0,
        }
    }

    fn counting(&self) -> Option<&CountingReader<R>> {
        match &self.stage {
            Stage::Undetected(c) | Stage::Plain(c) | Stage::Between(c) => Some(c),
            Stage::Member(decoder) => Some(decoder.get_ref()),
            Stage::Poisoned => None,
        }
    }

    /// File offset of the next source byte not yet handed to a decoder or consumed.
    pub(super) fn source_offset(&self) -> u64 {
        self.counting().map_or(0, CountingReader::offset)
    }

    /// True for gzip input (known after the first `fill`).
    pub(super) fn is_gzip(&self) -> bool {
        matches!(self.stage, Stage::Between(_) | Stage::Member(_))
    }

    /// `(unit offset, inner offset)` of the next unconsumed byte: the member's file offset and
    /// the position inside its decompressed data for gzip input; the file offset and 0 otherwise.
    pub(super) fn here(&self) -> (u64, u64) {
        if self.is_gzip() {
            (self.member_offset, self.inner)
        } else {
            (self.source_offset(), 0)
        }
    }

    /// Identifies the current gzip member (0 for uncompressed input).
    pub(super) fn member_serial(&self) -> u64 {
        self.members
    }

    /// Compressed length of the current member once it has ended cleanly.
    pub(super) fn finished_member_length(&self) -> Option<u64> {
        match self.stage {
            Stage::Between(_) if self.pos == self.end => {
                self.member_end.map(|end| end - self.member_offset)
            }
            _ => None,
        }
    }

    fn detect(&mut self) -> Result<(), Failure> {
        if !matches!(self.stage, Stage::Undetected(_)) {
            return Ok(());
        }
        let Stage::Undetected(mut counting) = std::mem::replace(&mut self.stage, Stage::Poisoned)
        else {
            return Ok(());
        };
        let gzip = match sniff_layout(&mut counting) {
            Ok(gzip) => gzip,
            Err(error) => {
                let offset = counting.offset();
                self.stage = Stage::Plain(counting);
                return Err(Failure::Source { offset, error });
            }
        };
        self.stage = if gzip {
            self.out = vec![0; OUTPUT_BUFFER];
            Stage::Between(counting)
        } else {
            Stage::Plain(counting)
        };
        Ok(())
    }

    /// The next decompressed bytes of the current member, or why there are none.
    pub(super) fn fill(&mut self) -> Result<Chunk<'_>, Failure> {
        self.fill_at_least(1)
    }

    /// Like [`Input::fill`], but with at least `n` bytes (`n` ≤ 4096) unless the member or the
    /// input ends first.
    pub(super) fn fill_at_least(&mut self, n: usize) -> Result<Chunk<'_>, Failure> {
        self.detect()?;
        if matches!(self.stage, Stage::Plain(_)) {
            return self.fill_plain(n);
        }
        while self.end - self.pos < n {
            if !self.inflate_more()? {
                break;
            }
        }
        if self.pos < self.end {
            Ok(Chunk::Data(&self.out[self.pos..self.end]))
        } else {
            Ok(Chunk::MemberEnd)
        }
    }

    fn fill_plain(&mut self, n: usize) -> Result<Chunk<'_>, Failure> {
        let Stage::Plain(counting) = &mut self.stage else {
            return Ok(Chunk::End);
        };
        let offset = counting.offset();
        let data = counting
            .fill_at_least(n)
            .map_err(|error| Failure::Source { offset, error })?;
        Ok(if data.is_empty() {
            Chunk::End
        } else {
            Chunk::Data(data)
        })
    }

    /// Inflates more of the current member into `out`; false when the member has no more.
    fn inflate_more(&mut self) -> Result<bool, Failure> {
        let Stage::Member(decoder) = &mut self.stage else {
            return Ok(false);
        };
        if self.end == self.out.len() || self.pos == self.end {
            self.out.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        match decoder.read(&mut self.out[self.end..]) {
            Ok(0) => {
                let Stage::Member(decoder) = std::mem::replace(&mut self.stage, Stage::Poisoned)
                else {
                    return Ok(false);
                };
                let mut counting = decoder.into_inner();
                counting.clear_mark();
                self.member_end = Some(counting.offset());
                self.stage = Stage::Between(counting);
                Ok(false)
            }
            Ok(n) => {
                self.end += n.min(self.out.len() - self.end);
                Ok(true)
            }
            Err(error) => {
                let source_failed = decoder.get_ref().source_failed;
                let offset = decoder.get_ref().offset();
                if let Stage::Member(decoder) = std::mem::replace(&mut self.stage, Stage::Poisoned)
                {
                    let mut counting = decoder.into_inner();
                    self.damaged_until = counting.offset();
                    // Search again from the damaged member's second byte when it is still
                    // buffered, else from where its decoder stopped; either way past its header.
                    if !counting.rewind_past_mark() && counting.offset() == self.member_offset {
                        counting.consume(1);
                    }
                    self.stage = Stage::Between(counting);
                }
                self.pos = 0;
                self.end = 0;
                self.member_end = None;
                Err(if source_failed {
                    Failure::Source { offset, error }
                } else if error.kind() == io::ErrorKind::UnexpectedEof {
                    Failure::Truncated
                } else {
                    Failure::Corrupt(error.to_string())
                })
            }
        }
    }

    pub(super) fn consume(&mut self, n: usize) {
        match &mut self.stage {
            Stage::Plain(counting) => counting.consume(n),
            _ => {
                let n = n.min(self.end - self.pos);
                self.pos += n;
                self.inner += n as u64;
            }
        }
    }

    /// Gzip input at a member end: passes over anything that is not a gzip header and opens the
    /// next member. Uncompressed input has no members: reports end of input.
    pub(super) fn next_member(&mut self) -> Result<NextMember, Failure> {
        self.detect()?;
        // Unread data of the current member is dropped: callers only get here at a member end.
        if !matches!(self.stage, Stage::Between(_)) {
            return Ok(NextMember {
                garbage: None,
                opened: false,
            });
        }
        self.pos = 0;
        self.end = 0;
        let Stage::Between(mut counting) = std::mem::replace(&mut self.stage, Stage::Poisoned)
        else {
            return Ok(NextMember {
                garbage: None,
                opened: false,
            });
        };
        let mut garbage: Option<(u64, u64)> = None;
        loop {
            let offset = counting.offset();
            let data = match counting.fill_at_least(4) {
                Ok(data) => data,
                Err(error) => {
                    self.stage = Stage::Between(counting);
                    return Err(Failure::Source { offset, error });
                }
            };
            if data.is_empty() {
                self.stage = Stage::Between(counting);
                self.member_end = None;
                return Ok(NextMember {
                    garbage,
                    opened: false,
                });
            }
            if is_gzip_header(data) {
                break;
            }
            // Skip to the next byte that could start a gzip header.
            let skip = memchr(0x1f, &data[1..]).map_or(data.len(), |i| i + 1);
            counting.consume(skip);
            let garbage_from = offset.max(self.damaged_until);
            let garbage_to = offset + skip as u64;
            if garbage_to > garbage_from {
                let run = garbage.get_or_insert((garbage_from, 0));
                run.1 += garbage_to - garbage_from;
            }
        }
        self.member_offset = counting.offset();
        counting.set_mark();
        self.member_end = None;
        self.inner = 0;
        self.members += 1;
        self.stage = Stage::Member(GzDecoder::new(counting));
        Ok(NextMember {
            garbage,
            opened: true,
        })
    }
}

/// Decides the layout from the first bytes (see the module doc): true for gzip.
fn sniff_layout<R: Read>(counting: &mut CountingReader<R>) -> io::Result<bool> {
    let head = counting.fill_at_least(5)?;
    if is_gzip_header(head) {
        return Ok(true);
    }
    if head.starts_with(b"WARC/") || head.len() < 5 {
        return Ok(false);
    }
    let window = counting.fill_at_least(SNIFF_WINDOW)?;
    let first_warc = memchr::memmem::find(window, b"WARC/");
    let mut first_gzip = None;
    let mut at = 0;
    while let Some(i) = memchr(0x1f, &window[at..]) {
        if is_gzip_header(&window[at + i..]) {
            first_gzip = Some(at + i);
            break;
        }
        at += i + 1;
    }
    Ok(match (first_gzip, first_warc) {
        (Some(gzip), Some(warc)) => gzip < warc,
        (Some(_), None) => true,
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    /// (member offset, compressed length, decompressed data)
    type Member = (u64, u64, Vec<u8>);

    /// Reads every member to its end; returns the members and the garbage runs seen.
    fn members(bytes: &[u8]) -> (Vec<Member>, Vec<(u64, u64)>) {
        let mut input = Input::new(bytes);
        let mut out = Vec::new();
        let mut garbage = Vec::new();
        loop {
            let next = input.next_member().unwrap();
            garbage.extend(next.garbage);
            if !next.opened {
                return (out, garbage);
            }
            let mut data = Vec::new();
            loop {
                match input.fill().unwrap() {
                    Chunk::Data(d) => {
                        let n = d.len();
                        data.extend_from_slice(d);
                        input.consume(n);
                    }
                    Chunk::MemberEnd => break,
                    Chunk::End => panic!("gzip input reports End only from next_member"),
                }
            }
            let length = input.finished_member_length().unwrap();
            out.push((input.here().0, length, data));
        }
    }

    #[test]
    fn member_offsets_and_lengths_are_exact() {
        let a = gzip(b"first member");
        let b = gzip(b"");
        let c = gzip(&vec![b'x'; 300_000]);
        let file = [a.clone(), b.clone(), c.clone()].concat();
        let (found, garbage) = members(&file);
        assert!(garbage.is_empty());
        assert_eq!(found.len(), 3);
        assert_eq!((found[0].0, found[0].1), (0, a.len() as u64));
        assert_eq!(found[0].2, b"first member");
        assert_eq!((found[1].0, found[1].1), (a.len() as u64, b.len() as u64));
        assert!(found[1].2.is_empty());
        let c_at = (a.len() + b.len()) as u64;
        assert_eq!((found[2].0, found[2].1), (c_at, c.len() as u64));
        assert_eq!(found[2].2.len(), 300_000);
    }

    #[test]
    fn garbage_between_members_is_measured() {
        let a = gzip(b"one");
        let b = gzip(b"two");
        // 0x1f followed by non-header bytes must not stop the search.
        let junk = b"junk\x1f\x8b\x09not a header\x1f";
        let file = [a.clone(), junk.to_vec(), b.clone(), b"tail".to_vec()].concat();
        let (found, garbage) = members(&file);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].0, (a.len() + junk.len()) as u64);
        assert_eq!(found[1].2, b"two");
        let b_end = (a.len() + junk.len() + b.len()) as u64;
        assert_eq!(
            garbage,
            vec![(a.len() as u64, junk.len() as u64), (b_end, 4)]
        );
    }

    #[test]
    fn corrupt_and_truncated_members_are_classified() {
        let good = gzip(&vec![b'a'; 10_000]);
        let mut corrupt = gzip(b"checksum will not match this text");
        let n = corrupt.len();
        corrupt[n - 6] ^= 0xff; // inside the CRC32 trailer
        let file = [corrupt.clone(), good.clone()].concat();
        let mut input = Input::new(&file[..]);
        assert!(input.next_member().unwrap().opened);
        let failure = loop {
            match input.fill() {
                Ok(Chunk::Data(d)) => {
                    let n = d.len();
                    input.consume(n);
                }
                Ok(_) => panic!("corrupt member ended cleanly"),
                Err(failure) => break failure,
            }
        };
        assert!(matches!(failure, Failure::Corrupt(ref m) if m.contains("checksum")));
        // The next member is still found.
        assert!(input.next_member().unwrap().opened);
        assert_eq!(input.here().0, corrupt.len() as u64);

        let truncated = &good[..good.len() / 2];
        let mut input = Input::new(truncated);
        assert!(input.next_member().unwrap().opened);
        let failure = loop {
            match input.fill() {
                Ok(Chunk::Data(d)) => {
                    let n = d.len();
                    input.consume(n);
                }
                Ok(_) => panic!("truncated member ended cleanly"),
                Err(failure) => break failure,
            }
        };
        assert!(matches!(failure, Failure::Truncated));
    }

    #[test]
    fn layout_detection() {
        let plain = b"WARC/1.0\r\n";
        let mut input = Input::new(&plain[..]);
        assert!(matches!(input.fill(), Ok(Chunk::Data(_))));
        assert!(!input.is_gzip());

        let prefixed = [b"zzzz WARC/ later ".to_vec(), gzip(b"x")].concat();
        let mut input = Input::new(&prefixed[..]);
        assert!(matches!(input.fill(), Ok(Chunk::Data(_))));
        assert!(!input.is_gzip(), "WARC/ appears before the gzip header");

        let prefixed = [b"zzzz".to_vec(), gzip(b"WARC/")].concat();
        let mut input = Input::new(&prefixed[..]);
        assert!(matches!(input.fill(), Ok(Chunk::MemberEnd)));
        assert!(input.is_gzip());

        let mut input = Input::new(&b""[..]);
        assert!(matches!(input.fill(), Ok(Chunk::End)));
    }

    /// A reader that fails after handing out some bytes.
    struct Failing<'a>(&'a [u8]);
    impl Read for Failing<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::other("disk on fire"));
            }
            let n = self.0.len().min(out.len()).min(7);
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn source_errors_are_not_mistaken_for_corruption() {
        let member = gzip(&vec![b'z'; 50_000]);
        let mut input = Input::new(Failing(&member[..member.len() - 3]));
        assert!(input.next_member().unwrap().opened);
        let failure = loop {
            match input.fill() {
                Ok(Chunk::Data(d)) => {
                    let n = d.len();
                    input.consume(n);
                }
                Ok(_) => panic!("failing source ended cleanly"),
                Err(failure) => break failure,
            }
        };
        assert!(
            matches!(failure, Failure::Source { ref error, .. } if error.to_string() == "disk on fire")
        );
    }
}
