//! Remote WARC sources over loopback HTTP: resume after cuts, servers that ignore ranges, files
//! that change mid-download, hard failures, and a refine run over a URL matching the local one.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use nya_pipeline::net::RetryPolicy;
use nya_pipeline::refine::remote::RemoteWarc;

/// What the server does with one request.
#[derive(Clone, Debug)]
enum Answer {
    /// Serves the asked range (or all), honouring `Range`.
    Serve,
    /// Like `Serve` but closes the connection after this many body bytes.
    CutAfter(usize),
    /// Ignores `Range` and sends the whole file with `200`.
    IgnoreRange,
    /// Sends a different file (a new `ETag`) with `200`, whatever was asked.
    Replaced,
    /// Answers this status with an empty body.
    Status(u16),
}

/// A one-file HTTP/1.1 server on loopback that answers requests from a script, then `Serve`s.
struct ScriptedServer {
    url: String,
    /// `Range` header of every request received, in order (None: no header).
    ranges: Arc<Mutex<Vec<Option<String>>>>,
}

const ETAG: &str = "\"v1\"";

impl ScriptedServer {
    fn start(body: Vec<u8>, script: Vec<Answer>) -> Self {
        Self::start_named("sample.warc.gz", body, script)
    }

    fn start_named(name: &str, body: Vec<u8>, script: Vec<Answer>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/{name}", listener.local_addr().unwrap());
        let ranges = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&ranges);
        thread::spawn(move || {
            let mut script = script.into_iter();
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let answer = script.next().unwrap_or(Answer::Serve);
                let _ = answer_one(stream, &body, &answer, &seen);
            }
        });
        ScriptedServer { url, ranges }
    }

    fn ranges(&self) -> Vec<Option<String>> {
        self.ranges.lock().unwrap().clone()
    }
}

fn answer_one(
    stream: TcpStream,
    body: &[u8],
    answer: &Answer,
    seen: &Mutex<Vec<Option<String>>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut range = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("range")
        {
            range = Some(value.trim().to_owned());
        }
    }
    seen.lock().unwrap().push(range.clone());
    let start = range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|r| r.parse::<usize>().ok());
    let mut out = stream;
    let (status, etag, payload, content_range): (u16, &str, Vec<u8>, Option<String>) =
        match (answer, start) {
            (Answer::Status(code), _) => (*code, ETAG, Vec::new(), None),
            (Answer::Replaced, _) => {
                let mut other = body.to_vec();
                other.reverse();
                (200, "\"v2\"", other, None)
            }
            (Answer::IgnoreRange, _) | (_, None) => (200, ETAG, body.to_vec(), None),
            (_, Some(start)) => {
                let rest = body.get(start..).unwrap_or_default().to_vec();
                let last = body.len().saturating_sub(1);
                (
                    206,
                    ETAG,
                    rest,
                    Some(format!("bytes {start}-{last}/{}", body.len())),
                )
            }
        };
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nETag: {etag}\r\nConnection: close\r\n",
        payload.len()
    );
    if let Some(content_range) = content_range {
        head.push_str(&format!("Content-Range: {content_range}\r\n"));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    let send = match answer {
        Answer::CutAfter(n) => payload.get(..*n).unwrap_or(&payload),
        _ => &payload,
    };
    out.write_all(send)?;
    out.flush()?;
    Ok(())
}

fn quick_retry(attempts: u32) -> RetryPolicy {
    RetryPolicy {
        attempts,
        first_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
    }
}

/// Bytes that look nothing alike at different offsets, so a wrong splice shows.
fn test_body(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

fn read_all(url: &str, retry: RetryPolicy) -> std::io::Result<Vec<u8>> {
    let mut remote = RemoteWarc::open(url, retry)?;
    let mut bytes = Vec::new();
    remote.read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[test]
fn resumes_after_cuts_and_server_errors_without_splicing_wrong_bytes() {
    let body = test_body(300_000);
    let script = vec![
        Answer::CutAfter(70_000),
        Answer::Status(503),
        Answer::CutAfter(100_000),
        Answer::Serve,
    ];
    let server = ScriptedServer::start(body.clone(), script);
    let bytes = read_all(&server.url, quick_retry(3)).unwrap();
    assert_eq!(bytes.len(), body.len());
    assert!(bytes == body, "resumed bytes differ from the file");
    let ranges = server.ranges();
    assert_eq!(ranges.first(), Some(&None));
    assert_eq!(ranges.get(1), Some(&Some("bytes=70000-".to_owned())));
    assert_eq!(ranges.get(3), Some(&Some("bytes=170000-".to_owned())));
}

#[test]
fn a_server_ignoring_ranges_is_skipped_forward() {
    let body = test_body(200_000);
    let server = ScriptedServer::start(
        body.clone(),
        vec![Answer::CutAfter(50_000), Answer::IgnoreRange],
    );
    let bytes = read_all(&server.url, quick_retry(3)).unwrap();
    assert!(bytes == body);
}

#[test]
fn a_file_replaced_mid_download_is_an_error_not_a_splice() {
    let server = ScriptedServer::start(
        test_body(200_000),
        vec![Answer::CutAfter(50_000), Answer::Replaced],
    );
    let error = read_all(&server.url, quick_retry(3)).unwrap_err();
    assert!(
        error.to_string().contains("changed on the server"),
        "{error}"
    );
}

#[test]
fn missing_files_fail_at_once_and_dead_servers_after_the_retries() {
    let missing = ScriptedServer::start(Vec::new(), vec![Answer::Status(404)]);
    let error = RemoteWarc::open(&missing.url, quick_retry(5)).unwrap_err();
    assert!(error.to_string().contains("404"), "{error}");
    assert_eq!(missing.ranges().len(), 1, "a 404 is not retried");

    let down = ScriptedServer::start(Vec::new(), vec![Answer::Status(503); 10]);
    let error = RemoteWarc::open(&down.url, quick_retry(3)).unwrap_err();
    assert!(
        error.to_string().contains("gave up after 3 attempts"),
        "{error}"
    );
    assert_eq!(down.ranges().len(), 3);
}

#[test]
fn refining_over_http_with_a_dropped_connection_matches_the_local_file() {
    let Some(recipe) = crate::refine_run::recipe() else {
        return;
    };
    let Some(local) = nya_metadata::fixtures::path("refine/warc/wget-2024-sample-0000.warc.gz")
    else {
        return;
    };
    let body = std::fs::read(&local).unwrap();
    // Named like the fixture so the derived `dump` column matches too.
    let server = ScriptedServer::start_named(
        "wget-2024-sample-0000.warc.gz",
        body.clone(),
        vec![Answer::CutAfter(body.len() / 3)],
    );
    let root = tempfile::tempdir().unwrap();
    let local_out = root.path().join("local");
    let remote_out = root.path().join("remote");
    let local_report = crate::refine_run::refine(
        recipe,
        vec![local.display().to_string()],
        &local_out,
        2,
        None,
    );
    let mut options =
        nya_pipeline::refine::run::RefineOptions::new(vec![server.url.clone()], remote_out.clone());
    options.retry = quick_retry(3);
    let remote_report =
        nya_pipeline::refine::run::run(recipe, &options, &mut |_| {}).expect("refine over HTTP");
    assert_eq!(server.ranges().len(), 2, "one cut, one resume");
    assert_eq!(remote_report.stats, local_report.stats);
    assert_eq!(
        remote_report.manifest.source_files,
        vec![server.url.clone()]
    );

    let shard = "data/train-00000.parquet";
    let local_frame = crate::refine_run::read_frame(&local_out.join(shard));
    let remote_frame = crate::refine_run::read_frame(&remote_out.join(shard));
    assert!(local_frame.height() > 0);
    for column in ["text", "id", "url", "date", "dump"] {
        assert_eq!(
            crate::refine_run::strings(&remote_frame, column),
            crate::refine_run::strings(&local_frame, column),
            "{column}"
        );
    }
    let paths = crate::refine_run::strings(&remote_frame, "file_path");
    assert!(paths.iter().all(|p| p == &server.url));
    for column in ["record_offset", "record_length"] {
        assert_eq!(
            remote_frame.column(column).unwrap(),
            local_frame.column(column).unwrap()
        );
    }
}
