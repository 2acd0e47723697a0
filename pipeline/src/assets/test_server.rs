//! A scripted HTTP/1.1 server on 127.0.0.1 for the download tests: one reply per connection, in
//! order, each connection closed after its reply. Records every request's path and `Range`.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// An empty response with this status.
    Status(u16),
    /// The body; a `Range: bytes=N-` request gets `206` with the tail.
    Body(Vec<u8>),
    /// The body with `200`, whatever the request asked for.
    IgnoreRange(Vec<u8>),
    /// Like `Body`, but the connection drops after `after` body bytes (headers promise all).
    Cut {
        /// The full body.
        body: Vec<u8>,
        /// Bytes actually sent.
        after: usize,
    },
}

/// One recorded request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Request path.
    pub path: String,
    /// The `Range` header, if any.
    pub range: Option<String>,
}

/// A running server; its thread ends after the last scripted reply.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server that answers the given replies in order.
    pub fn start(replies: Vec<Reply>) -> Self {
        let listener = match TcpListener::bind("127.0.0.1:0") {
            Ok(listener) => listener,
            Err(error) => panic!("binding the test server: {error}"),
        };
        let base = match listener.local_addr() {
            Ok(address) => format!("http://{address}"),
            Err(error) => panic!("test server address: {error}"),
        };
        let seen = Arc::new(Mutex::new(Vec::new()));
        let recorder = Arc::clone(&seen);
        let thread = std::thread::spawn(move || {
            for reply in replies {
                let Ok((stream, _)) = listener.accept() else {
                    return;
                };
                serve(stream, &reply, &recorder);
            }
        });
        Self {
            base,
            seen,
            thread: Some(thread),
        }
    }

    /// Requests answered so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // Joining would hang if a test made fewer requests than scripted; detach instead.
        drop(self.thread.take());
    }
}

fn serve(stream: TcpStream, reply: &Reply, seen: &Mutex<Vec<Seen>>) {
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let mut range = None;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" => break,
            Ok(_) => {
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("range")
                {
                    range = Some(value.trim().to_owned());
                }
            }
        }
    }
    seen.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Seen {
            path,
            range: range.clone(),
        });
    let offset = range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|r| r.parse::<usize>().ok());
    let mut stream = stream;
    let _ = match reply {
        Reply::Status(code) => write_response(&mut stream, *code, &[], &[], None),
        Reply::IgnoreRange(body) => write_response(&mut stream, 200, &[], body, None),
        Reply::Body(body) => respond_ranged(&mut stream, body, offset, None),
        Reply::Cut { body, after } => respond_ranged(&mut stream, body, offset, Some(*after)),
    };
}

fn respond_ranged(
    stream: &mut TcpStream,
    body: &[u8],
    offset: Option<usize>,
    cut: Option<usize>,
) -> std::io::Result<()> {
    match offset {
        Some(start) if start < body.len() => {
            let header = format!(
                "Content-Range: bytes {start}-{}/{}\r\n",
                body.len() - 1,
                body.len()
            );
            write_response(stream, 206, header.as_bytes(), &body[start..], cut)
        }
        Some(_) => write_response(stream, 416, &[], &[], None),
        None => write_response(stream, 200, &[], body, cut),
    }
}

fn write_response(
    stream: &mut TcpStream,
    code: u16,
    extra_headers: &[u8],
    body: &[u8],
    cut: Option<usize>,
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {code} Scripted\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(extra_headers)?;
    stream.write_all(b"\r\n")?;
    let sent = cut.map_or(body.len(), |after| after.min(body.len()));
    stream.write_all(&body[..sent])?;
    stream.flush()?;
    stream.shutdown(std::net::Shutdown::Both)
}
