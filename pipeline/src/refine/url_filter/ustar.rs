//! A streaming reader for the tar format (POSIX ustar, GNU and pax headers), enough to pull the
//! UT1 blacklist members out of a `.tar.gz` without unpacking it to disk.
//!
//! Hand-written because no tar crate is in the dependency graph and the need is small: 512-byte
//! headers (checksummed), octal or base-256 sizes, data padded to 512 bytes, an all-zero block
//! ending the archive. GNU long names (`L`) and pax `path`/`size` records are honoured; members
//! that are not regular files (directories, links, devices) are skipped. Every length read from
//! the archive is bounded before it is used, and a short read anywhere is reported as truncation
//! with the byte offset.

use std::io::{self, Read};

const BLOCK: u64 = 512;
/// Largest GNU long-name or pax header payload accepted.
const MAX_META_BYTES: u64 = 1 << 20;

/// What went wrong reading a tar stream. Offsets count bytes of the uncompressed stream.
#[derive(Debug, thiserror::Error)]
pub enum TarError {
    /// The stream ended inside a header or a member's data.
    #[error("tar stream truncated at byte {offset} (inside {context})")]
    Truncated {
        /// Where the stream ended.
        offset: u64,
        /// What was being read.
        context: String,
    },
    /// A header's stored checksum does not match its bytes (a corrupt or non-tar stream).
    #[error(
        "tar header at byte {offset}: checksum {stored} does not match the header ({computed})"
    )]
    BadChecksum {
        /// Header offset.
        offset: u64,
        /// The checksum field as stored.
        stored: u64,
        /// The unsigned sum computed over the header.
        computed: u64,
    },
    /// A numeric header field is not octal or base-256.
    #[error("tar header at byte {offset}: field {field} is not a number: {value:?}")]
    BadNumber {
        /// Header offset.
        offset: u64,
        /// Field name.
        field: &'static str,
        /// The raw field text.
        value: String,
    },
    /// A pax extended header is malformed.
    #[error("tar pax header at byte {offset}: {message}")]
    BadPax {
        /// Header offset.
        offset: u64,
        /// What was wrong.
        message: String,
    },
    /// A member is larger than the caller allows.
    #[error("tar member {name} is {size} bytes, over the limit of {limit}")]
    TooLarge {
        /// Member name.
        name: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The underlying reader (e.g. the gzip decoder) failed.
    #[error("reading the tar stream at byte {offset}: {source}")]
    Io {
        /// Where it failed.
        offset: u64,
        /// The reader's error (a gzip CRC or format error shows here).
        #[source]
        source: io::Error,
    },
}

/// A regular-file member: its normalised path (`./a//b` → `a/b`) and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Path inside the archive, without `.` and empty components.
    pub name: String,
    /// Data size in bytes.
    pub size: u64,
}

/// Pulls members out of a tar stream one at a time; unread data is skipped on the next call.
pub struct TarStream<R> {
    inner: R,
    offset: u64,
    /// Data bytes of the current member not yet consumed.
    unread: u64,
    /// Padding after the current member's data.
    padding: u64,
    current: Option<Member>,
    finished: bool,
}

/// Header fields the reader uses.
struct Header {
    name: String,
    size: u64,
    typeflag: u8,
}

impl<R: Read> TarStream<R> {
    /// A reader over an uncompressed tar stream.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            offset: 0,
            unread: 0,
            padding: 0,
            current: None,
            finished: false,
        }
    }

    /// The next regular-file member, or `None` at the end of the archive.
    pub fn next_member(&mut self) -> Result<Option<Member>, TarError> {
        self.skip_current()?;
        if self.finished {
            return Ok(None);
        }
        let mut long_name: Option<String> = None;
        let mut pax_path: Option<String> = None;
        let mut pax_size: Option<u64> = None;
        loop {
            let Some(header) = self.read_header()? else {
                self.finished = true;
                return Ok(None);
            };
            let header_offset = self.offset - BLOCK;
            match header.typeflag {
                // GNU long name: the data is the next member's path.
                b'L' => {
                    let data = self.read_meta(header.size, header_offset, "GNU long name")?;
                    let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
                    long_name = Some(String::from_utf8_lossy(&data[..end]).into_owned());
                }
                // pax extended header for the next member.
                b'x' => {
                    let data = self.read_meta(header.size, header_offset, "pax header")?;
                    for (key, value) in parse_pax(&data, header_offset)? {
                        match key.as_str() {
                            "path" => pax_path = Some(value),
                            "size" => {
                                let size = value.parse::<u64>().map_err(|_| TarError::BadPax {
                                    offset: header_offset,
                                    message: format!("size {value:?} is not a number"),
                                })?;
                                pax_size = Some(size);
                            }
                            _ => {}
                        }
                    }
                }
                // Regular files (old-style NUL flag, '0', contiguous '7').
                b'0' | 0 | b'7' => {
                    let size = pax_size.unwrap_or(header.size);
                    let raw_name = pax_path.or(long_name).unwrap_or(header.name);
                    let member = Member {
                        name: normalise(&raw_name),
                        size,
                    };
                    self.unread = size;
                    self.padding = padding(size);
                    self.current = Some(member.clone());
                    return Ok(Some(member));
                }
                // Anything else (directories, links, global pax, devices): skip its data.
                _ => {
                    let size = pax_size.unwrap_or(header.size);
                    self.skip(size + padding(size), "skipped member")?;
                    long_name = None;
                    pax_path = None;
                    pax_size = None;
                }
            }
        }
    }

    /// All of the current member's data, refused when it exceeds `limit` bytes.
    pub fn read_member(&mut self, limit: u64) -> Result<Vec<u8>, TarError> {
        let (name, size) = match &self.current {
            Some(member) => (member.name.clone(), member.size),
            None => (String::new(), 0),
        };
        if self.unread > limit {
            return Err(TarError::TooLarge { name, size, limit });
        }
        let wanted = self.unread;
        let mut data = Vec::with_capacity(usize::try_from(wanted).unwrap_or(0));
        let read = self.read_exact_counted(wanted, &mut data)?;
        self.unread = 0;
        if read < wanted {
            return Err(self.truncated(format!("data of {name}")));
        }
        Ok(data)
    }

    /// Skips whatever is left, end-of-archive padding included, to the end of the underlying
    /// stream, so a compressed stream's trailer (gzip CRC and length) gets checked.
    pub fn drain(&mut self) -> Result<(), TarError> {
        self.skip_current()?;
        let copied = io::copy(&mut self.inner, &mut io::sink()).map_err(|source| TarError::Io {
            offset: self.offset,
            source,
        })?;
        self.offset += copied;
        Ok(())
    }

    fn skip_current(&mut self) -> Result<(), TarError> {
        let pending = self.unread + self.padding;
        self.unread = 0;
        self.padding = 0;
        self.current = None;
        self.skip(pending, "member data")
    }

    fn skip(&mut self, count: u64, context: &str) -> Result<(), TarError> {
        let copied =
            io::copy(&mut (&mut self.inner).take(count), &mut io::sink()).map_err(|source| {
                TarError::Io {
                    offset: self.offset,
                    source,
                }
            })?;
        self.offset += copied;
        if copied < count {
            return Err(self.truncated(context.to_owned()));
        }
        Ok(())
    }

    /// Reads up to `count` bytes into `out`; returns how many arrived before the end of stream.
    fn read_exact_counted(&mut self, count: u64, out: &mut Vec<u8>) -> Result<u64, TarError> {
        let read = (&mut self.inner)
            .take(count)
            .read_to_end(out)
            .map_err(|source| TarError::Io {
                offset: self.offset,
                source,
            })?;
        self.offset += read as u64;
        Ok(read as u64)
    }

    /// Reads one header block; `None` at the end of the archive (a zero block, or a clean end of
    /// stream at a block boundary, which Python's tarfile also accepts).
    fn read_header(&mut self) -> Result<Option<Header>, TarError> {
        let start = self.offset;
        let mut block = Vec::with_capacity(BLOCK as usize);
        let read = self.read_exact_counted(BLOCK, &mut block)?;
        if read == 0 {
            return Ok(None);
        }
        let Ok(block) = <[u8; BLOCK as usize]>::try_from(block) else {
            return Err(self.truncated("a header block".to_owned()));
        };
        if block.iter().all(|&b| b == 0) {
            return Ok(None);
        }
        let stored = parse_number(&block[148..156], start, "chksum")?;
        let computed: u64 = block
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    u64::from(b' ')
                } else {
                    u64::from(b)
                }
            })
            .sum();
        let signed: i64 = block
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    i64::from(b' ')
                } else {
                    i64::from(b as i8)
                }
            })
            .sum();
        if stored != computed && i64::try_from(stored).ok() != Some(signed) {
            return Err(TarError::BadChecksum {
                offset: start,
                stored,
                computed,
            });
        }
        let size = parse_number(&block[124..136], start, "size")?;
        let mut name = field_text(&block[0..100]);
        // POSIX ustar keeps a path prefix at 345..500; GNU headers use those bytes otherwise.
        if &block[257..263] == b"ustar\0" {
            let prefix = field_text(&block[345..500]);
            if !prefix.is_empty() {
                name = format!("{prefix}/{name}");
            }
        }
        Ok(Some(Header {
            name,
            size,
            typeflag: block[156],
        }))
    }

    fn read_meta(&mut self, size: u64, offset: u64, what: &str) -> Result<Vec<u8>, TarError> {
        if size > MAX_META_BYTES {
            return Err(TarError::TooLarge {
                name: format!("{what} at byte {offset}"),
                size,
                limit: MAX_META_BYTES,
            });
        }
        let mut data = Vec::new();
        if self.read_exact_counted(size, &mut data)? < size {
            return Err(self.truncated(what.to_owned()));
        }
        self.skip(padding(size), what)?;
        Ok(data)
    }

    fn truncated(&self, context: String) -> TarError {
        TarError::Truncated {
            offset: self.offset,
            context,
        }
    }
}

/// Bytes of padding after `size` data bytes.
fn padding(size: u64) -> u64 {
    (BLOCK - size % BLOCK) % BLOCK
}

/// A NUL-terminated header text field.
fn field_text(field: &[u8]) -> String {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

/// A numeric field: base-256 when the high bit of the first byte is set (GNU, for values beyond
/// octal's reach), else octal text up to the first NUL, spaces allowed around it, empty = 0.
fn parse_number(field: &[u8], offset: u64, name: &'static str) -> Result<u64, TarError> {
    let bad = || TarError::BadNumber {
        offset,
        field: name,
        value: String::from_utf8_lossy(field).into_owned(),
    };
    match field.first() {
        Some(&0x80) => {
            let mut value: u64 = 0;
            for &byte in &field[1..] {
                value = value
                    .checked_mul(256)
                    .and_then(|v| v.checked_add(u64::from(byte)))
                    .ok_or_else(bad)?;
            }
            Ok(value)
        }
        Some(&first) if first & 0x80 != 0 => Err(bad()), // negative base-256 values make no size
        _ => {
            let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
            let text = std::str::from_utf8(&field[..end])
                .map_err(|_| bad())?
                .trim();
            if text.is_empty() {
                return Ok(0);
            }
            u64::from_str_radix(text, 8).map_err(|_| bad())
        }
    }
}

/// pax records: `<length> <key>=<value>\n`, the length counting the whole record.
fn parse_pax(data: &[u8], offset: u64) -> Result<Vec<(String, String)>, TarError> {
    let bad = |message: String| TarError::BadPax { offset, message };
    let mut records = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        if rest.iter().all(|&b| b == 0) {
            break;
        }
        let space = rest
            .iter()
            .position(|&b| b == b' ')
            .ok_or_else(|| bad("a record has no length".to_owned()))?;
        let length = std::str::from_utf8(&rest[..space])
            .ok()
            .and_then(|text| text.parse::<usize>().ok())
            .filter(|&length| length > space + 1 && length <= rest.len())
            .ok_or_else(|| bad("a record length is invalid".to_owned()))?;
        let record = &rest[space + 1..length];
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        let equals = record
            .iter()
            .position(|&b| b == b'=')
            .ok_or_else(|| bad("a record has no '='".to_owned()))?;
        records.push((
            String::from_utf8_lossy(&record[..equals]).into_owned(),
            String::from_utf8_lossy(&record[equals + 1..]).into_owned(),
        ));
        rest = &rest[length..];
    }
    Ok(records)
}

/// `./adult//domains` → `adult/domains`, as extracting to disk would resolve it.
fn normalise(path: &str) -> String {
    path.split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect::<Vec<_>>()
        .join("/")
}

/// Writes tar archives for tests: plain ustar headers, optional GNU long names.
#[cfg(test)]
pub(crate) mod writer {
    use super::{BLOCK, padding};

    /// Appends one header block with `name`, `size` and `typeflag` (checksum filled in).
    pub fn header(out: &mut Vec<u8>, name: &str, size: u64, typeflag: u8) {
        let mut block = [0u8; BLOCK as usize];
        let name_bytes = name.as_bytes();
        let len = name_bytes.len().min(100);
        block[..len].copy_from_slice(&name_bytes[..len]);
        block[100..108].copy_from_slice(b"0000644\0");
        block[108..116].copy_from_slice(b"0000000\0");
        block[116..124].copy_from_slice(b"0000000\0");
        block[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
        block[136..148].copy_from_slice(b"00000000000\0");
        block[156] = typeflag;
        block[257..263].copy_from_slice(b"ustar\0");
        block[263..265].copy_from_slice(b"00");
        block[148..156].copy_from_slice(b"        ");
        let sum: u32 = block.iter().map(|&b| u32::from(b)).sum();
        block[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        out.extend_from_slice(&block);
    }

    /// Appends a regular file (GNU long-name record first when the name exceeds 100 bytes).
    pub fn file(out: &mut Vec<u8>, name: &str, data: &[u8]) {
        if name.len() > 100 {
            let mut long = name.as_bytes().to_vec();
            long.push(0);
            header(out, "././@LongLink", long.len() as u64, b'L');
            data_blocks(out, &long);
        }
        header(out, name, data.len() as u64, b'0');
        data_blocks(out, data);
    }

    /// Appends data plus padding.
    pub fn data_blocks(out: &mut Vec<u8>, data: &[u8]) {
        out.extend_from_slice(data);
        out.resize(out.len() + padding(data.len() as u64) as usize, 0);
    }

    /// Appends the two zero blocks that end an archive.
    pub fn finish(out: &mut Vec<u8>) {
        out.resize(out.len() + 2 * BLOCK as usize, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, TarError> {
        let mut stream = TarStream::new(bytes);
        let mut out = Vec::new();
        while let Some(member) = stream.next_member()? {
            let data = stream.read_member(1 << 20)?;
            out.push((member.name, data));
        }
        Ok(out)
    }

    #[test]
    fn reads_files_skips_others_and_honours_long_names() {
        let mut tar = Vec::new();
        writer::header(&mut tar, "adult/", 0, b'5');
        writer::file(&mut tar, "./adult/domains", b"a.com\nb.com\n");
        let long = format!("adult/{}", "x".repeat(150));
        writer::file(&mut tar, &long, b"long");
        writer::header(&mut tar, "adult/link", 0, b'2');
        writer::file(&mut tar, "adult//urls", &vec![b'u'; 1000]);
        writer::finish(&mut tar);
        let Ok(found) = members(&tar) else {
            panic!("valid archive refused")
        };
        let names: Vec<&str> = found.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["adult/domains", long.as_str(), "adult/urls"]);
        assert_eq!(found[0].1, b"a.com\nb.com\n");
        assert_eq!(found[2].1.len(), 1000);
    }

    #[test]
    fn pax_path_and_size_apply_to_the_next_member() {
        let mut tar = Vec::new();
        let record = "19 path=adult/urls\n";
        assert_eq!(record.len(), 19);
        writer::header(&mut tar, "PaxHeader/x", record.len() as u64, b'x');
        writer::data_blocks(&mut tar, record.as_bytes());
        writer::file(&mut tar, "short-name", b"x.org/path\n");
        writer::finish(&mut tar);
        let Ok(found) = members(&tar) else {
            panic!("pax archive refused")
        };
        assert_eq!(found, [("adult/urls".to_owned(), b"x.org/path\n".to_vec())]);
    }

    #[test]
    fn unread_data_is_skipped() {
        let mut tar = Vec::new();
        writer::file(&mut tar, "first", &[7u8; 700]);
        writer::file(&mut tar, "second", b"2");
        writer::finish(&mut tar);
        let mut stream = TarStream::new(&tar[..]);
        assert!(matches!(stream.next_member(), Ok(Some(m)) if m.name == "first" && m.size == 700));
        assert!(matches!(stream.next_member(), Ok(Some(m)) if m.name == "second"));
        assert!(matches!(stream.read_member(10), Ok(data) if data == b"2"));
        assert!(matches!(stream.next_member(), Ok(None)));
        assert!(matches!(stream.next_member(), Ok(None)));
    }

    #[test]
    fn corrupt_header_is_a_checksum_error() {
        let mut tar = Vec::new();
        writer::file(&mut tar, "adult/domains", b"a.com\n");
        writer::finish(&mut tar);
        tar[3] ^= 0x20;
        let error = members(&tar).err();
        assert!(
            matches!(error, Some(TarError::BadChecksum { offset: 0, .. })),
            "{error:?}"
        );
    }

    #[test]
    fn random_bytes_are_refused() {
        let noise: Vec<u8> = (0..2048u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert!(members(&noise).is_err());
    }

    #[test]
    fn truncation_is_reported_with_its_offset() {
        let mut tar = Vec::new();
        writer::file(&mut tar, "adult/domains", &[b'a'; 600]);
        writer::finish(&mut tar);
        // Inside the data.
        let error = members(&tar[..700]).err();
        assert!(
            matches!(&error, Some(TarError::Truncated { offset: 700, context }) if context.contains("adult/domains")),
            "{error:?}"
        );
        // Inside a header.
        let error = members(&tar[..100]).err();
        assert!(
            matches!(error, Some(TarError::Truncated { offset: 100, .. })),
            "{error:?}"
        );
        // A clean end at a block boundary without the end marker is accepted, as Python does.
        assert!(members(&tar[..512 + 1024]).is_ok());
    }

    #[test]
    fn oversized_members_are_refused_before_reading() {
        let mut tar = Vec::new();
        writer::file(&mut tar, "big", &[0u8; 4096]);
        writer::finish(&mut tar);
        let mut stream = TarStream::new(&tar[..]);
        assert!(matches!(stream.next_member(), Ok(Some(_))));
        let error = stream.read_member(1000).err();
        assert!(
            matches!(&error, Some(TarError::TooLarge { name, size: 4096, limit: 1000 }) if name == "big"),
            "{error:?}"
        );
    }

    #[test]
    fn numbers_octal_and_base256() {
        assert!(matches!(
            parse_number(b"00000001750\0", 0, "size"),
            Ok(1000)
        ));
        assert!(matches!(
            parse_number(b"  1750 \0\0\0\0\0", 0, "size"),
            Ok(1000)
        ));
        assert!(matches!(
            parse_number(b"\0\0\0\0\0\0\0\0\0\0\0\0", 0, "size"),
            Ok(0)
        ));
        let mut big = [0u8; 12];
        big[0] = 0x80;
        big[7] = 0x02; // 2 << 32
        assert!(matches!(parse_number(&big, 0, "size"), Ok(v) if v == 2 << 32));
        assert!(matches!(
            parse_number(b"12x4\0\0\0\0\0\0\0\0", 9, "size"),
            Err(TarError::BadNumber {
                offset: 9,
                field: "size",
                ..
            })
        ));
        assert!(parse_number(&[0xff; 12], 0, "size").is_err());
    }
}
