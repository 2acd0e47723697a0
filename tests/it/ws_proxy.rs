//! A loopback proxy between a client and a localnet that can cut every connection on cue and
//! watches the JSON-RPC methods the client sends, so a test can drop the connection at an
//! exact point of a submission and count how many submissions reached the node.
//!
//! Client-to-server WebSocket frames are masked (RFC 6455 §5.3), so the proxy parses frames
//! and unmasks their payloads to read the method names; it forwards the original bytes. It
//! assumes one frame per JSON-RPC message and no compression extension, which is what
//! jsonrpsee's client sends; a test counting submissions would see zero if that changed.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What the proxy does with the next submission it sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnSubmission {
    /// Forward it, like everything else.
    Forward,
    /// Cut the connection instead of forwarding it: the node never receives it.
    CutBeforeForwarding,
    /// Forward it, then stop passing the node's answers to the client (until the next cut):
    /// the node has it, the client never hears back.
    ForwardAndMuteAnswers,
}

#[derive(Debug)]
struct Shared {
    listen: SocketAddr,
    upstream: SocketAddr,
    submissions_sent: AtomicUsize,
    submissions_forwarded: AtomicUsize,
    connections: AtomicUsize,
    on_next_submission: std::sync::Mutex<OnSubmission>,
    cuts: watch::Sender<u64>,
}

/// The running proxy; dropped, it stops accepting.
pub struct WsProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl Drop for WsProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}

const SUBMIT_METHODS: [&str; 2] = [
    "\"method\":\"author_submitAndWatchExtrinsic\"",
    "\"method\":\"author_submitExtrinsic\"",
];

impl WsProxy {
    /// Starts a proxy in front of `upstream` on a free loopback port.
    pub async fn start(upstream: SocketAddr) -> WsProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy address");
        let shared = Arc::new(Shared {
            listen: addr,
            upstream,
            submissions_sent: AtomicUsize::new(0),
            submissions_forwarded: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
            on_next_submission: std::sync::Mutex::new(OnSubmission::Forward),
            cuts: watch::channel(0).0,
        });
        let accepting = shared.clone();
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                accepting.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(relay(client, accepting.clone()));
            }
        });
        WsProxy {
            addr,
            shared,
            accept,
        }
    }

    /// The URL clients connect to.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// Sets what happens to the next submission (later ones are forwarded).
    pub fn on_next_submission(&self, action: OnSubmission) {
        *self.shared.on_next_submission.lock().expect("proxy lock") = action;
    }

    /// Closes every open connection (new ones are accepted as before).
    pub fn cut(&self) {
        self.shared.cuts.send_modify(|generation| *generation += 1);
    }

    /// Submissions the client sent through the proxy.
    pub fn submissions_sent(&self) -> usize {
        self.shared.submissions_sent.load(Ordering::SeqCst)
    }

    /// Submissions that reached the node.
    pub fn submissions_forwarded(&self) -> usize {
        self.shared.submissions_forwarded.load(Ordering::SeqCst)
    }

    /// Connections accepted so far (one more after each reconnection).
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }
}

/// Relays one connection until either side closes or the proxy cuts it.
async fn relay(client: TcpStream, shared: Arc<Shared>) {
    let mut cut = shared.cuts.subscribe();
    let Ok(server) = TcpStream::connect(shared.upstream).await else {
        return;
    };
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let muted = Arc::new(AtomicBool::new(false));
    let (cut_now, mut cut_requested) = watch::channel(false);
    tokio::select! {
        _ = cut.changed() => {}
        _ = cut_requested.changed() => {}
        _ = client_to_server(client_read, server_write, &shared, &muted, &cut_now) => {}
        _ = server_to_client(server_read, client_write, &muted) => {}
    }
    // Dropping both halves of both sockets closes the connection on both sides.
}

async fn server_to_client(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    muted: &AtomicBool,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if muted.load(Ordering::SeqCst) {
            continue;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

async fn client_to_server(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    shared: &Shared,
    muted: &AtomicBool,
    cut_now: &watch::Sender<bool>,
) {
    let mut pending = Vec::new();
    let mut handshake_done = false;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        pending.extend_from_slice(&buf[..n]);
        if !handshake_done {
            // The HTTP upgrade request goes through with the node's own `Host`, as a reverse
            // proxy sends it (the localnet refuses other hosts).
            let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") else {
                continue;
            };
            let request: Vec<u8> = pending.drain(..end + 4).collect();
            let request = String::from_utf8_lossy(&request).replace(
                &format!("Host: {}", shared.listen),
                &format!("Host: {}", shared.upstream),
            );
            if to.write_all(request.as_bytes()).await.is_err() {
                return;
            }
            handshake_done = true;
        }
        while let Some((frame_len, payload)) = parse_frame(&pending) {
            let frame: Vec<u8> = pending.drain(..frame_len).collect();
            let text = String::from_utf8_lossy(&payload);
            if SUBMIT_METHODS.iter().any(|m| text.contains(m)) {
                shared.submissions_sent.fetch_add(1, Ordering::SeqCst);
                let action = std::mem::replace(
                    &mut *shared.on_next_submission.lock().expect("proxy lock"),
                    OnSubmission::Forward,
                );
                match action {
                    OnSubmission::CutBeforeForwarding => {
                        let _ = cut_now.send(true);
                        return;
                    }
                    OnSubmission::ForwardAndMuteAnswers => muted.store(true, Ordering::SeqCst),
                    OnSubmission::Forward => {}
                }
                shared.submissions_forwarded.fetch_add(1, Ordering::SeqCst);
            }
            if to.write_all(&frame).await.is_err() {
                return;
            }
        }
    }
}

/// The length of the complete frame at the start of `buf` and its unmasked payload, or `None`
/// while the frame is incomplete.
fn parse_frame(buf: &[u8]) -> Option<(usize, Vec<u8>)> {
    let second = *buf.get(1)?;
    let masked = second & 0x80 != 0;
    let (payload_len, mut offset) = match second & 0x7f {
        126 => (
            u64::from(u16::from_be_bytes(buf.get(2..4)?.try_into().ok()?)),
            4,
        ),
        127 => (u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?), 10),
        len => (u64::from(len), 2),
    };
    let mask: Option<[u8; 4]> = if masked {
        let key = buf.get(offset..offset + 4)?.try_into().ok()?;
        offset += 4;
        Some(key)
    } else {
        None
    };
    let end = offset.checked_add(usize::try_from(payload_len).ok()?)?;
    let mut payload = buf.get(offset..end)?.to_vec();
    if let Some(mask) = mask {
        for (i, byte) in payload.iter_mut().enumerate() {
            *byte ^= mask[i % 4];
        }
    }
    Some((end, payload))
}

#[test]
fn frames_parse_and_unmask() {
    let payload = br#"{"method":"author_submitExtrinsic"}"#;
    let mask = [1, 2, 3, 4];
    let mut frame = vec![0x81, 0x80 | payload.len() as u8];
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    assert_eq!(parse_frame(&frame[..frame.len() - 1]), None);
    frame.push(0x89);
    let (len, unmasked) = parse_frame(&frame).expect("complete frame");
    assert_eq!(len, frame.len() - 1);
    assert_eq!(unmasked, payload);
}
