//! Server tests over real sockets against the `TestChain` fixture: raw HTTP POSTs and raw
//! WebSocket frames for exact JSON (envelopes, error codes, notification names), and subxt's
//! own RPC client, legacy methods and `OnlineClient` for the shapes its deserialisers accept.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use nya_metadata::runtime::build::mirror_prefixed;
use nya_metadata::runtime::types::{AccountId32, H256};
use parity_scale_codec::{Decode, Encode};
use serde_json::{Value, json};
use subxt::SubstrateConfig;
use subxt::config::RpcConfigFor;
use subxt::rpcs::{LegacyRpcMethods, RpcClient, rpc_params};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::test_chain::{CONSTANT_KEY, COUNTER_KEY, GENESIS_SPEC, TestChain, system_number_key};
use super::*;
use crate::keys::Keypair;

/// Guard against a hung socket; never an assertion about speed.
const IO_GUARD: Duration = Duration::from_secs(20);

fn hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

fn hash_hex(hash: H256) -> String {
    hex(&hash.0)
}

/// A fixture extrinsic: SCALE `Vec<u8>` framing around a body starting with `0x84`.
fn extrinsic(tag: u8) -> Vec<u8> {
    vec![0x84, tag, 0xaa, 0xbb].encode()
}

async fn start_with(tweak: impl FnOnce(&mut RpcConfig)) -> (Arc<TestChain>, ServerHandle) {
    let chain = Arc::new(TestChain::new());
    let mut config = RpcConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)));
    tweak(&mut config);
    let handle = serve_with_config(chain.clone(), config)
        .await
        .expect("server starts on loopback");
    (chain, handle)
}

async fn start() -> (Arc<TestChain>, ServerHandle) {
    start_with(|_| {}).await
}

/// One raw HTTP/1.1 exchange; returns the status and the (de-chunked) body.
async fn http_exchange(addr: SocketAddr, head: String, body: &[u8]) -> (u16, String) {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.write_all(head.as_bytes()).await.expect("write head");
        stream.write_all(body).await.expect("write body");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("read response");
        raw
    };
    let raw = tokio::time::timeout(IO_GUARD, exchange)
        .await
        .expect("HTTP exchange hung");
    let text = String::from_utf8(raw).expect("UTF-8 response");
    let (headers, body) = text.split_once("\r\n\r\n").expect("header/body split");
    let status: u16 = headers
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    let chunked = headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    (
        status,
        if chunked {
            dechunk(body)
        } else {
            body.to_string()
        },
    )
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    loop {
        let (size_line, rest) = body.split_once("\r\n").expect("chunk size line");
        let size = usize::from_str_radix(size_line.trim(), 16).expect("chunk size");
        if size == 0 {
            return out;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
}

async fn post(addr: SocketAddr, body: &str) -> (u16, Value) {
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let (status, text) = http_exchange(addr, head, body.as_bytes()).await;
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, value)
}

/// Calls `method` over HTTP and returns the whole response object.
async fn call(addr: SocketAddr, method: &str, params: Value) -> Value {
    let request = json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params});
    let (status, response) = post(addr, &request.to_string()).await;
    assert_eq!(status, 200, "{method}: {response}");
    assert_eq!(response["jsonrpc"], "2.0");
    assert_eq!(response["id"], 7);
    response
}

/// The `result` of a call that must succeed.
async fn ok(addr: SocketAddr, method: &str, params: Value) -> Value {
    let response = call(addr, method, params.clone()).await;
    assert!(
        response.get("error").is_none(),
        "{method}({params}) failed: {response}"
    );
    response["result"].clone()
}

/// The error `(code, message, data)` of a call that must fail.
async fn fails(addr: SocketAddr, method: &str, params: Value) -> (i64, String, Value) {
    let response = call(addr, method, params.clone()).await;
    let error = response
        .get("error")
        .unwrap_or_else(|| panic!("{method}({params}) should fail: {response}"));
    (
        error["code"].as_i64().expect("code"),
        error["message"].as_str().expect("message").to_string(),
        error.get("data").cloned().unwrap_or(Value::Null),
    )
}

fn data_text(data: &Value) -> String {
    data.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| data.to_string())
}

/// A WebSocket client speaking raw frames (RFC 6455), to see the server's messages verbatim.
struct RawWs {
    stream: TcpStream,
}

impl RawWs {
    async fn connect(addr: SocketAddr) -> RawWs {
        let handshake = async {
            let mut stream = TcpStream::connect(addr).await.expect("connect");
            let request = format!(
                "GET / HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                 Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            );
            stream
                .write_all(request.as_bytes())
                .await
                .expect("handshake");
            let mut head = Vec::new();
            while !head.ends_with(b"\r\n\r\n") {
                let mut byte = [0u8; 1];
                stream.read_exact(&mut byte).await.expect("handshake reply");
                head.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&head).to_string();
            assert!(head.starts_with("HTTP/1.1 101"), "{head}");
            stream
        };
        RawWs {
            stream: tokio::time::timeout(IO_GUARD, handshake)
                .await
                .expect("handshake hung"),
        }
    }

    async fn send(&mut self, text: &[u8]) {
        let mut frame = vec![0x81u8];
        let len = text.len();
        if len < 126 {
            frame.push(0x80 | len as u8);
        } else if len <= usize::from(u16::MAX) {
            frame.push(0x80 | 126);
            frame.extend((len as u16).to_be_bytes());
        } else {
            frame.push(0x80 | 127);
            frame.extend((len as u64).to_be_bytes());
        }
        let mask = [0x12u8, 0x34, 0x56, 0x78];
        frame.extend(mask);
        frame.extend(text.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream.write_all(&frame).await.expect("send frame");
    }

    async fn recv(&mut self) -> Value {
        let read = async {
            let mut message = Vec::new();
            loop {
                let mut head = [0u8; 2];
                self.stream.read_exact(&mut head).await.expect("frame head");
                let len = match head[1] & 0x7f {
                    126 => {
                        let mut b = [0u8; 2];
                        self.stream.read_exact(&mut b).await.expect("len16");
                        u64::from(u16::from_be_bytes(b))
                    }
                    127 => {
                        let mut b = [0u8; 8];
                        self.stream.read_exact(&mut b).await.expect("len64");
                        u64::from_be_bytes(b)
                    }
                    n => u64::from(n),
                };
                let mut payload = vec![0u8; len as usize];
                self.stream.read_exact(&mut payload).await.expect("payload");
                let opcode = head[0] & 0x0f;
                if opcode == 0x9 || opcode == 0xA {
                    continue; // ping / pong
                }
                message.extend(payload);
                if head[0] & 0x80 != 0 {
                    return message;
                }
            }
        };
        let bytes = tokio::time::timeout(IO_GUARD, read)
            .await
            .expect("no WebSocket message");
        serde_json::from_slice(&bytes).expect("JSON message")
    }

    async fn request(&mut self, id: u64, method: &str, params: Value) -> Value {
        let request = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send(request.to_string().as_bytes()).await;
        loop {
            let message = self.recv().await;
            if message["id"] == id {
                return message;
            }
        }
    }
}

const EXPECTED_METHODS: &[&str] = &[
    "account_nextIndex",
    "author_pendingExtrinsics",
    "author_submitAndWatchExtrinsic",
    "author_submitExtrinsic",
    "author_unwatchExtrinsic",
    "chainSpec_v1_chainName",
    "chainSpec_v1_genesisHash",
    "chainSpec_v1_properties",
    "chain_getBlock",
    "chain_getBlockHash",
    "chain_getFinalisedHead",
    "chain_getFinalizedHead",
    "chain_getHead",
    "chain_getHeader",
    "chain_getRuntimeVersion",
    "chain_subscribeAllHeads",
    "chain_subscribeFinalisedHeads",
    "chain_subscribeFinalizedHeads",
    "chain_subscribeNewHead",
    "chain_subscribeNewHeads",
    "chain_subscribeRuntimeVersion",
    "chain_unsubscribeAllHeads",
    "chain_unsubscribeFinalisedHeads",
    "chain_unsubscribeFinalizedHeads",
    "chain_unsubscribeNewHead",
    "chain_unsubscribeNewHeads",
    "chain_unsubscribeRuntimeVersion",
    "dev_produceBlocks",
    "rpc_methods",
    "state_call",
    "state_callAt",
    "state_getKeys",
    "state_getKeysPaged",
    "state_getKeysPagedAt",
    "state_getMetadata",
    "state_getPairs",
    "state_getRuntimeVersion",
    "state_getStorage",
    "state_getStorageAt",
    "state_getStorageHash",
    "state_getStorageHashAt",
    "state_getStorageSize",
    "state_getStorageSizeAt",
    "state_queryStorage",
    "state_queryStorageAt",
    "state_subscribeRuntimeVersion",
    "state_subscribeStorage",
    "state_unsubscribeRuntimeVersion",
    "state_unsubscribeStorage",
    "subscribe_newHead",
    "system_accountNextIndex",
    "system_chain",
    "system_chainType",
    "system_health",
    "system_localListenAddresses",
    "system_localPeerId",
    "system_name",
    "system_nodeRoles",
    "system_peers",
    "system_properties",
    "system_syncState",
    "system_version",
    "unsubscribe_newHead",
];

#[tokio::test]
async fn binds_loopback_port_zero_and_refuses_other_addresses() {
    let (chain, handle) = start().await;
    let addr = handle.local_addr();
    assert!(addr.ip().is_loopback());
    assert_ne!(addr.port(), 0, "port 0 must report the bound port");
    assert_eq!(handle.ws_url(), format!("ws://{addr}"));
    assert_eq!(handle.http_url(), format!("http://{addr}"));
    assert_eq!(ok(addr, "system_chain", json!([])).await, "Bittensor");

    let (bound, second) = serve(chain.clone(), SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("second server");
    assert_eq!(bound, second.local_addr());
    assert_ne!(bound, addr);

    let public = serve(chain, SocketAddr::from(([0, 0, 0, 0], 0))).await;
    let err = public.err().expect("0.0.0.0 must be refused");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("loopback only"), "{err}");
    second.stop().await;
    handle.stop().await;
}

#[tokio::test]
async fn rpc_methods_lists_every_method_sorted_and_no_chain_head_or_archive() {
    let (_chain, handle) = start().await;
    let result = ok(handle.local_addr(), "rpc_methods", json!([])).await;
    assert_eq!(result.as_object().map(|o| o.len()), Some(1), "{result}");
    let methods: Vec<String> = serde_json::from_value(result["methods"].clone()).unwrap();
    assert_eq!(methods, EXPECTED_METHODS);
    assert!(
        !methods
            .iter()
            .any(|m| m.starts_with("chainHead_v1_") || m.starts_with("archive_v1_"))
    );
    handle.stop().await;
}

#[tokio::test]
async fn system_and_chain_spec_methods_answer_like_substrate() {
    let (chain, handle) = start().await;
    let addr = handle.local_addr();
    let properties = json!({"ss58Format": 42, "tokenDecimals": 9, "tokenSymbol": "TAO"});
    assert_eq!(ok(addr, "system_chain", json!([])).await, "Bittensor");
    assert_eq!(ok(addr, "system_name", json!([])).await, "nya-localnet");
    assert_eq!(
        ok(addr, "system_version", json!([])).await,
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(ok(addr, "system_chainType", json!([])).await, "Development");
    assert_eq!(ok(addr, "system_properties", json!([])).await, properties);
    assert_eq!(
        ok(addr, "system_health", json!([])).await,
        json!({"peers": 0, "isSyncing": false, "shouldHavePeers": false})
    );
    let (status, body) = http_exchange(
        addr,
        format!("GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
        b"",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"peers": 0, "isSyncing": false, "shouldHavePeers": false})
    );
    assert_eq!(ok(addr, "system_peers", json!([])).await, json!([]));
    assert_eq!(
        ok(addr, "system_localListenAddresses", json!([])).await,
        json!([])
    );
    assert_eq!(
        ok(addr, "system_nodeRoles", json!([])).await,
        json!(["Authority"])
    );
    let peer_id = ok(addr, "system_localPeerId", json!([])).await;
    assert_eq!(peer_id, server::local_peer_id(&chain.genesis_hash()));
    assert!(
        peer_id.as_str().is_some_and(|p| p.starts_with("12D3KooW")),
        "{peer_id}"
    );

    chain.produce_blocks(2).unwrap();
    assert_eq!(
        ok(addr, "system_syncState", json!([])).await,
        json!({"startingBlock": 0, "currentBlock": 2, "highestBlock": 2})
    );
    assert_eq!(
        ok(addr, "chainSpec_v1_genesisHash", json!([])).await,
        hash_hex(chain.genesis_hash())
    );
    assert_eq!(
        ok(addr, "chainSpec_v1_chainName", json!([])).await,
        "Bittensor"
    );
    assert_eq!(
        ok(addr, "chainSpec_v1_properties", json!([])).await,
        properties
    );

    let alice = Keypair::dev("Alice");
    chain.set_nonce(AccountId32(alice.public_key()), 7);
    assert_eq!(
        ok(addr, "system_accountNextIndex", json!([alice.ss58()])).await,
        7
    );
    assert_eq!(
        ok(addr, "account_nextIndex", json!([alice.ss58()])).await,
        7
    );
    let bob = Keypair::dev("Bob");
    assert_eq!(
        ok(addr, "system_accountNextIndex", json!([bob.ss58()])).await,
        0
    );
    let (code, message, data) = fails(addr, "system_accountNextIndex", json!(["5Gbad"])).await;
    assert_eq!((code, message.as_str()), (-32602, "Invalid params"));
    assert!(
        data_text(&data).starts_with("param #0 `account`: "),
        "{data}"
    );
    handle.stop().await;
}

#[tokio::test]
async fn chain_methods_return_substrate_shapes() {
    let (chain, handle) = start().await;
    let addr = handle.local_addr();
    chain.submit(extrinsic(1), None).unwrap();
    chain.produce_blocks(2).unwrap();
    let [h0, h1, h2] = [0, 1, 2].map(|n| hash_hex(chain.hash_of(n)));

    assert_eq!(ok(addr, "chain_getBlockHash", json!([])).await, h2);
    assert_eq!(ok(addr, "chain_getBlockHash", json!([null])).await, h2);
    assert_eq!(ok(addr, "chain_getHead", json!([])).await, h2);
    assert_eq!(ok(addr, "chain_getBlockHash", json!([0])).await, h0);
    assert_eq!(ok(addr, "chain_getBlockHash", json!(["0x1"])).await, h1);
    assert_eq!(
        ok(addr, "chain_getBlockHash", json!([99])).await,
        Value::Null
    );
    assert_eq!(
        ok(addr, "chain_getBlockHash", json!([[0, "0x2", 99]])).await,
        json!([h0, h2, null])
    );
    assert_eq!(
        fails(addr, "chain_getBlockHash", json!([4_294_967_296u64])).await,
        (
            3001,
            "`Number(4294967296)` > u32::MAX, the max block number is u32.".to_string(),
            Value::Null
        )
    );

    // Header JSON, checked field by field against hand-built values.
    let header = chain.header_of(1);
    let expected = json!({
        "parentHash": h0,
        "number": "0x1",
        "stateRoot": hash_hex(header.state_root),
        "extrinsicsRoot": hash_hex(header.extrinsics_root),
        // PreRuntime (6), "aura", 8 bytes, slot 1001 little endian
        "digest": {"logs": ["0x066175726120e903000000000000"]}
    });
    assert_eq!(ok(addr, "chain_getHeader", json!([h1])).await, expected);
    assert_eq!(
        ok(addr, "chain_getHeader", json!([])).await["number"],
        "0x2"
    );
    let unknown = hash_hex(H256([0x55; 32]));
    assert_eq!(
        ok(addr, "chain_getHeader", json!([unknown])).await,
        Value::Null
    );

    let block = ok(addr, "chain_getBlock", json!([h1])).await;
    assert_eq!(
        block,
        json!({
            "block": {"header": expected, "extrinsics": [hex(&extrinsic(1))]},
            "justifications": null
        })
    );
    assert_eq!(
        ok(addr, "chain_getBlock", json!([])).await["block"]["extrinsics"],
        json!([])
    );
    assert_eq!(
        ok(addr, "chain_getBlock", json!([unknown])).await,
        Value::Null
    );

    assert_eq!(ok(addr, "chain_getFinalizedHead", json!([])).await, h2);
    assert_eq!(ok(addr, "chain_getFinalisedHead", json!([])).await, h2);
    handle.stop().await;
}

#[tokio::test]
async fn state_methods_read_storage_at_any_block() {
    let (chain, handle) = start().await;
    let addr = handle.local_addr();
    chain.produce_blocks(2).unwrap();
    let [h0, h1, h2] = [0, 1, 2].map(|n| hash_hex(chain.hash_of(n)));
    let number_key = hex(&system_number_key());
    let counter = hex(COUNTER_KEY);
    let constant = hex(CONSTANT_KEY);
    let missing = hex(b"test:missing");

    assert_eq!(
        ok(addr, "state_getStorage", json!([number_key])).await,
        "0x02000000"
    );
    assert_eq!(
        ok(addr, "state_getStorage", json!([number_key, h1])).await,
        "0x01000000"
    );
    assert_eq!(
        ok(addr, "state_getStorageAt", json!([number_key, h1])).await,
        "0x01000000"
    );
    assert_eq!(
        ok(addr, "state_getStorage", json!([missing])).await,
        Value::Null
    );
    // Without 0x and with an odd digit count, as impl-serde reads it.
    let bare = number_key.trim_start_matches("0x").to_string();
    assert_eq!(
        ok(addr, "state_getStorage", json!([bare, h0])).await,
        "0x00000000"
    );

    let value_hash = hex(&sp_crypto_hashing::blake2_256(&[0xc0, 0xde]));
    assert_eq!(
        ok(addr, "state_getStorageHash", json!([constant])).await,
        value_hash
    );
    assert_eq!(
        ok(addr, "state_getStorageHashAt", json!([constant, h0])).await,
        value_hash
    );
    assert_eq!(ok(addr, "state_getStorageSize", json!([constant])).await, 2);
    // No value at the key: the summed size of the values under it as a prefix.
    assert_eq!(
        ok(addr, "state_getStorageSize", json!([hex(b"test:keys:")])).await,
        1 + 2 + 3 + 4
    );
    assert_eq!(
        ok(addr, "state_getStorageSizeAt", json!([missing, h2])).await,
        Value::Null
    );

    let k = |name: &str| hex(format!("test:keys:{name}").as_bytes());
    let prefix = hex(b"test:keys:");
    assert_eq!(
        ok(addr, "state_getKeysPaged", json!([prefix, 2])).await,
        json!([k("a"), k("ab")])
    );
    assert_eq!(
        ok(addr, "state_getKeysPaged", json!([prefix, 10, k("ab")])).await,
        json!([k("abc"), k("b")])
    );
    assert_eq!(
        ok(
            addr,
            "state_getKeysPagedAt",
            json!([prefix, 10, k("ab"), h0])
        )
        .await,
        json!([k("abc"), k("b")])
    );
    let all: Vec<String> =
        serde_json::from_value(ok(addr, "state_getKeysPaged", json!([null, 1000])).await).unwrap();
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);
    assert!(all.contains(&number_key) && all.contains(&constant));
    assert_eq!(
        fails(addr, "state_getKeysPaged", json!([prefix, 1001])).await,
        (
            4002,
            "count exceeds maximum value. value: 1001, max: 1000".to_string(),
            Value::Null
        )
    );

    assert_eq!(
        ok(addr, "state_getKeys", json!([prefix])).await,
        json!([k("a"), k("ab"), k("abc"), k("b")])
    );
    assert_eq!(
        ok(addr, "state_getPairs", json!([prefix, h0])).await,
        json!([
            [k("a"), "0x00"],
            [k("ab"), "0x0101"],
            [k("abc"), "0x020202"],
            [k("b"), "0x03030303"]
        ])
    );

    assert_eq!(
        ok(
            addr,
            "state_queryStorageAt",
            json!([[number_key, missing], h1])
        )
        .await,
        json!([{"block": h1, "changes": [[number_key, "0x01000000"], [missing, null]]}])
    );
    assert_eq!(
        ok(addr, "state_queryStorageAt", json!([[counter]])).await,
        json!([{"block": h2, "changes": [[counter, "0x02000000"]]}])
    );
    assert_eq!(
        ok(addr, "state_queryStorageAt", json!([[]])).await,
        json!([])
    );
    assert_eq!(
        ok(
            addr,
            "state_queryStorage",
            json!([[counter, constant], h0, h2])
        )
        .await,
        json!([
            {"block": h0, "changes": [[counter, "0x00000000"], [constant, "0xc0de"]]},
            {"block": h1, "changes": [[counter, "0x01000000"]]},
            {"block": h2, "changes": [[counter, "0x02000000"]]}
        ])
    );
    let (code, message, _) = fails(addr, "state_queryStorage", json!([[counter], h2, h0])).await;
    assert_eq!(code, 4001);
    assert!(message.ends_with("from number > to number"), "{message}");

    let unknown = H256([0x55; 32]);
    let unknown_error = (
        4003,
        format!(
            "Client error: UnknownBlock: Header was not found in the database: {}",
            hash_hex(unknown)
        ),
        Value::Null,
    );
    assert_eq!(
        fails(
            addr,
            "state_getStorage",
            json!([number_key, hash_hex(unknown)])
        )
        .await,
        unknown_error
    );
    assert_eq!(
        fails(
            addr,
            "state_getKeysPaged",
            json!([prefix, 5, null, hash_hex(unknown)])
        )
        .await,
        unknown_error
    );
    let (code, _, data) = fails(addr, "state_getStorage", json!(["0xzz"])).await;
    assert_eq!(code, -32602);
    assert!(
        data_text(&data).starts_with("param #0 `key`: \"0xzz\" is not hex"),
        "{data}"
    );
    handle.stop().await;
}

#[tokio::test]
async fn runtime_calls_metadata_and_version() {
    let (chain, handle) = start().await;
    let addr = handle.local_addr();
    let version_json = |spec: u32| {
        json!({
            "specName": "node-subtensor",
            "implName": "node-subtensor",
            "authoringVersion": 1,
            "specVersion": spec,
            "implVersion": 1,
            "apis": [["0xdf6acb689907609b", 5], ["0x37e397fc7c91f5e4", 2]],
            "transactionVersion": 1,
            "systemVersion": 1
        })
    };
    assert_eq!(
        ok(addr, "state_getRuntimeVersion", json!([])).await,
        version_json(GENESIS_SPEC)
    );
    assert_eq!(
        ok(addr, "chain_getRuntimeVersion", json!([])).await,
        version_json(GENESIS_SPEC)
    );

    let core = ok(addr, "state_call", json!(["Core_version", "0x"])).await;
    let core_bytes = json::from_hex(core.as_str().unwrap()).unwrap();
    assert_eq!(
        json::RuntimeVersion::decode_core_version(&core_bytes)
            .unwrap()
            .spec_version,
        GENESIS_SPEC
    );
    assert_eq!(
        ok(addr, "state_callAt", json!(["Core_version", "0x", null])).await,
        core
    );
    assert_eq!(
        fails(addr, "state_call", json!(["Nope_nope", "0x"])).await,
        (
            4003,
            "Client error: Execution failed: Exported method Nope_nope is not found".to_string(),
            Value::Null
        )
    );

    let metadata = ok(addr, "state_getMetadata", json!([])).await;
    let metadata = metadata.as_str().unwrap();
    assert!(
        metadata.starts_with("0x6d657461"),
        "metadata starts with the `meta` magic"
    );
    assert_eq!(
        json::from_hex(metadata).unwrap(),
        mirror_prefixed().encode()
    );

    let genesis = hash_hex(chain.hash_of(0));
    chain.schedule_upgrade(400);
    chain.produce_blocks(1).unwrap();
    assert_eq!(
        ok(addr, "state_getRuntimeVersion", json!([])).await,
        version_json(400)
    );
    assert_eq!(
        ok(addr, "state_getRuntimeVersion", json!([genesis])).await,
        version_json(GENESIS_SPEC)
    );
    handle.stop().await;
}

#[tokio::test]
async fn author_methods_pass_pool_answers_through() {
    let (chain, handle) = start().await;
    let addr = handle.local_addr();
    let xt = extrinsic(9);
    let expected_hash = hex(&sp_crypto_hashing::blake2_256(&xt));
    assert_eq!(
        ok(addr, "author_submitExtrinsic", json!([hex(&xt)])).await,
        expected_hash
    );
    assert_eq!(
        ok(addr, "author_pendingExtrinsics", json!([])).await,
        json!([hex(&xt)])
    );
    assert_eq!(
        fails(addr, "author_submitExtrinsic", json!([hex(&xt)])).await,
        (
            1013,
            "Transaction Already Imported".to_string(),
            json!(expected_hash)
        )
    );
    assert_eq!(
        fails(addr, "author_submitExtrinsic", json!(["0x00"])).await,
        (
            1001,
            "Extrinsic has invalid format: Could not decode extrinsic".to_string(),
            Value::Null
        )
    );
    assert_eq!(
        ok(addr, "dev_produceBlocks", json!([]))
            .await
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        ok(addr, "author_pendingExtrinsics", json!([])).await,
        json!([])
    );
    let produced = ok(addr, "dev_produceBlocks", json!([3])).await;
    assert_eq!(
        produced,
        json!([2, 3, 4].map(|n| hash_hex(chain.hash_of(n))))
    );
    assert_eq!(
        chain.block(chain.hash_of(1)).unwrap().unwrap().extrinsics,
        vec![xt]
    );
    handle.stop().await;
}

#[tokio::test]
async fn hostile_input_gets_jsonrpc_errors_and_the_server_survives() {
    let (chain, handle) = start().await;
    let addr = handle.local_addr();
    let error_of = |response: &Value| {
        (
            response["error"]["code"].as_i64().unwrap_or(0),
            response["error"]["message"]
                .as_str()
                .unwrap_or("")
                .to_string(),
        )
    };

    let (_, response) = post(addr, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":").await;
    assert_eq!(error_of(&response), (-32700, "Parse error".to_string()));
    assert_eq!(response["id"], Value::Null);

    let (_, response) = post(
        addr,
        r#"{"jsonrpc":"2.0","id":1,"method":"state_getNothing"}"#,
    )
    .await;
    assert_eq!(
        error_of(&response),
        (-32601, "Method not found".to_string())
    );

    let (code, message, data) = fails(addr, "state_getStorage", json!([5])).await;
    assert_eq!((code, message.as_str()), (-32602, "Invalid params"));
    assert_eq!(
        data_text(&data),
        "param #0 `key`: invalid type: integer `5`, expected a string"
    );
    let (code, _, data) = fails(addr, "state_getStorage", json!({"key": "0x00"})).await;
    assert_eq!(code, -32602);
    assert!(data_text(&data).contains("positional JSON array"), "{data}");
    let (code, _, data) = fails(addr, "state_getKeysPaged", json!(["0x", "many"])).await;
    assert_eq!(code, -32602);
    assert!(data_text(&data).starts_with("param #1 `count`: "), "{data}");
    let (code, _, data) = fails(addr, "state_getKeysPaged", json!(["0x"])).await;
    assert_eq!(code, -32602);
    assert_eq!(data_text(&data), "param #1 `count` is required");
    let (code, _, data) = fails(addr, "chain_getBlockHash", json!(["abc"])).await;
    assert_eq!(code, -32602);
    assert!(data_text(&data).starts_with("param #0 `hash`: "), "{data}");
    let (code, _, data) = fails(addr, "chain_getHeader", json!(["0x1234"])).await;
    assert_eq!(code, -32602);
    assert!(
        data_text(&data).contains("is 2 bytes; a hash is 32"),
        "{data}"
    );
    let (code, _, _) = fails(addr, "dev_produceBlocks", json!([MAX_PRODUCE_BLOCKS + 1])).await;
    assert_eq!(code, -32602);
    let (code, _, _) = fails(
        addr,
        "state_getKeysPaged",
        json!(["0x", u64::from(u32::MAX) + 1]),
    )
    .await;
    assert_eq!(code, -32602);
    assert_eq!(
        fails(addr, "author_submitExtrinsic", json!(["0xdeadbeef"]))
            .await
            .0,
        1001
    );

    // A declared body over the limit: 413 and -32007, before any of it is read.
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        server::DEFAULT_MAX_BODY_BYTES + 1
    );
    let (status, body) = http_exchange(addr, head, b"").await;
    assert_eq!(status, 413);
    let response: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        error_of(&response),
        (-32007, "Request is too big".to_string())
    );

    // A Host header other than the loopback address and port (DNS rebinding): 403.
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"system_chain"}"#;
    let head = format!(
        "POST / HTTP/1.1\r\nHost: evil.example:{}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        addr.port(),
        body.len()
    );
    assert_eq!(http_exchange(addr, head, body.as_bytes()).await.0, 403);
    let head = format!(
        "POST / HTTP/1.1\r\nHost: localhost:{}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        addr.port(),
        body.len()
    );
    assert_eq!(http_exchange(addr, head, body.as_bytes()).await.0, 200);

    // A batch: each call answered by id, errors included.
    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "system_chain"},
        {"jsonrpc": "2.0", "id": 2, "method": "no_such_method"},
        {"jsonrpc": "2.0", "id": 3, "method": "chain_getBlockHash", "params": [0]}
    ]);
    let (_, response) = post(addr, &batch.to_string()).await;
    let answers = response.as_array().expect("batch answer is an array");
    let by_id = |id: i64| answers.iter().find(|a| a["id"] == id).cloned().unwrap();
    assert_eq!(answers.len(), 3);
    assert_eq!(by_id(1)["result"], "Bittensor");
    assert_eq!(error_of(&by_id(2)).0, -32601);
    assert_eq!(by_id(3)["result"], hash_hex(chain.hash_of(0)));

    // Still serving, and nothing changed.
    assert_eq!(ok(addr, "system_chain", json!([])).await, "Bittensor");
    assert_eq!(chain.best().unwrap().0, 0);
    assert_eq!(
        ok(addr, "author_pendingExtrinsics", json!([])).await,
        json!([])
    );
    handle.stop().await;
}

#[tokio::test]
async fn websocket_on_the_same_port_with_exact_notification_names() {
    let (chain, handle) = start_with(|config| config.max_request_bytes = 64 * 1024).await;
    let addr = handle.local_addr();
    let mut ws = RawWs::connect(addr).await;
    assert_eq!(
        ws.request(1, "system_chain", json!([])).await["result"],
        "Bittensor"
    );

    let subscriptions = [
        (
            "chain_subscribeNewHeads",
            "chain_newHead",
            "chain_unsubscribeNewHeads",
        ),
        ("subscribe_newHead", "chain_newHead", "unsubscribe_newHead"),
        (
            "chain_subscribeAllHeads",
            "chain_allHead",
            "chain_unsubscribeAllHeads",
        ),
        (
            "chain_subscribeFinalizedHeads",
            "chain_finalizedHead",
            "chain_unsubscribeFinalizedHeads",
        ),
        (
            "chain_subscribeFinalisedHeads",
            "chain_finalizedHead",
            "chain_unsubscribeFinalisedHeads",
        ),
    ];
    for (index, (subscribe, notification, unsubscribe)) in subscriptions.iter().enumerate() {
        let id = 100 + index as u64;
        let reply = ws.request(id, subscribe, json!([])).await;
        let sub_id = reply["result"]
            .as_str()
            .expect("subscription id")
            .to_string();
        assert_eq!(
            sub_id.len(),
            16,
            "Substrate's 16-character subscription ids"
        );
        let first = ws.recv().await;
        assert_eq!(first["method"], *notification, "{first}");
        assert_eq!(first["params"]["subscription"], sub_id);
        let current = chain.best().unwrap().0;
        assert_eq!(first["params"]["result"]["number"], format!("{current:#x}"));

        chain.produce_blocks(1).unwrap();
        let next = ws.recv().await;
        assert_eq!(next["method"], *notification);
        assert_eq!(
            next["params"]["result"]["number"],
            format!("{:#x}", current + 1)
        );
        assert_eq!(
            next["params"]["result"]["parentHash"],
            hash_hex(chain.hash_of(current))
        );
        let reply = ws.request(id + 50, unsubscribe, json!([sub_id])).await;
        assert_eq!(reply["result"], true);
    }

    let reply = ws
        .request(200, "state_subscribeRuntimeVersion", json!([]))
        .await;
    let sub_id = reply["result"].as_str().unwrap().to_string();
    let first = ws.recv().await;
    assert_eq!(first["method"], "state_runtimeVersion");
    assert_eq!(first["params"]["result"]["specVersion"], GENESIS_SPEC);
    chain.produce_blocks(1).unwrap(); // same version: no notification
    chain.schedule_upgrade(401);
    chain.produce_blocks(1).unwrap();
    let upgraded = ws.recv().await;
    assert_eq!(upgraded["params"]["subscription"], sub_id);
    assert_eq!(upgraded["params"]["result"]["specVersion"], 401);
    assert_eq!(
        ws.request(201, "chain_unsubscribeRuntimeVersion", json!([sub_id]))
            .await["result"],
        true
    );

    let counter = hex(COUNTER_KEY);
    let constant = hex(CONSTANT_KEY);
    let reply = ws
        .request(300, "state_subscribeStorage", json!([[counter, constant]]))
        .await;
    let sub_id = reply["result"].as_str().unwrap().to_string();
    let best = chain.best().unwrap();
    let first = ws.recv().await;
    assert_eq!(first["method"], "state_storage");
    assert_eq!(
        first["params"]["result"],
        json!({"block": hash_hex(best.1), "changes": [
            [counter, hex(&best.0.encode())], [constant, "0xc0de"]
        ]})
    );
    chain.produce_blocks(1).unwrap();
    let changed = ws.recv().await;
    let next = chain.best().unwrap();
    assert_eq!(
        changed["params"],
        json!({"subscription": sub_id, "result": {
            "block": hash_hex(next.1), "changes": [[counter, hex(&next.0.encode())]]
        }})
    );
    let refused = ws.request(301, "state_subscribeStorage", json!([])).await;
    assert_eq!(refused["error"]["code"], -32602, "{refused}");

    // A watched transaction: every status under `author_extrinsicUpdate`; after the final one
    // the server has dropped the subscription (Substrate sends no closing message either).
    let xt = hex(&extrinsic(3));
    let reply = ws
        .request(350, "author_submitAndWatchExtrinsic", json!([xt]))
        .await;
    let sub_id = reply["result"]
        .as_str()
        .expect("subscription id")
        .to_string();
    let ready = ws.recv().await;
    assert_eq!(
        ready,
        json!({"jsonrpc": "2.0", "method": "author_extrinsicUpdate",
               "params": {"subscription": sub_id, "result": "ready"}})
    );
    let block = hash_hex(chain.produce_blocks(1).unwrap()[0]);
    // The storage subscription above also hears this block; pick the watch's messages.
    let mut statuses = Vec::new();
    while statuses.len() < 2 {
        let message = ws.recv().await;
        if message["method"] == "author_extrinsicUpdate" {
            assert_eq!(message["params"]["subscription"], sub_id);
            statuses.push(message["params"]["result"].clone());
        }
    }
    assert_eq!(
        statuses,
        vec![json!({"inBlock": block}), json!({"finalized": block})]
    );
    let unwatch = ws
        .request(351, "author_unwatchExtrinsic", json!([sub_id]))
        .await;
    assert_eq!(unwatch["result"], false, "already ended after `finalized`");
    let refused = ws
        .request(352, "author_submitAndWatchExtrinsic", json!(["0x00"]))
        .await;
    assert_eq!(
        refused["error"],
        json!({"code": 1001, "message": "Extrinsic has invalid format: Could not decode extrinsic"})
    );

    // Too big: -32007 with id null, and the connection keeps working.
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":400,"method":"state_getStorage","params":["0x{}"]}}"#,
        "00".repeat(64 * 1024)
    );
    ws.send(big.as_bytes()).await;
    let reply = ws.recv().await;
    assert_eq!(reply["error"]["code"], -32007, "{reply}");
    assert_eq!(reply["error"]["message"], "Request is too big");
    assert_eq!(reply["id"], Value::Null);
    ws.send(b"{\"jsonrpc\":").await;
    assert_eq!(ws.recv().await["error"]["code"], -32700);
    assert_eq!(
        ws.request(401, "system_name", json!([])).await["result"],
        "nya-localnet"
    );
    handle.stop().await;
}

type Legacy = LegacyRpcMethods<RpcConfigFor<SubstrateConfig>>;

#[tokio::test]
async fn subxt_legacy_rpc_methods_decode_every_answer() {
    let (chain, handle) = start().await;
    let client = RpcClient::from_insecure_url(handle.ws_url()).await.unwrap();
    let rpc = Legacy::new(client.clone());
    let alice = Keypair::dev("Alice");
    chain.set_nonce(AccountId32(alice.public_key()), 3);
    chain.submit(extrinsic(5), None).unwrap();
    chain.produce_blocks(1).unwrap();
    let (h0, h1) = (chain.hash_of(0), chain.hash_of(1));
    let sx = |h: H256| subxt::utils::H256(h.0);

    assert_eq!(rpc.genesis_hash().await.unwrap(), sx(h0));
    assert_eq!(
        rpc.chain_get_block_hash(Some(1u32.into())).await.unwrap(),
        Some(sx(h1))
    );
    assert_eq!(rpc.chain_get_block_hash(None).await.unwrap(), Some(sx(h1)));
    assert_eq!(rpc.chain_get_finalized_head().await.unwrap(), sx(h1));
    let header = rpc.chain_get_header(Some(sx(h1))).await.unwrap().unwrap();
    assert_eq!(
        header.encode(),
        chain.header_of(1).encode(),
        "same SCALE, same hash"
    );
    let block = rpc.chain_get_block(Some(sx(h1))).await.unwrap().unwrap();
    assert_eq!(block.block.header.encode(), chain.header_of(1).encode());
    let extrinsics: Vec<Vec<u8>> = block.block.extrinsics.iter().map(|x| x.0.clone()).collect();
    assert_eq!(extrinsics, vec![extrinsic(5)]);
    assert!(block.justifications.is_none());

    let number_key = system_number_key();
    assert_eq!(
        rpc.state_get_storage(&number_key, None).await.unwrap(),
        Some(1u32.encode())
    );
    assert_eq!(
        rpc.state_get_storage(&number_key, Some(sx(h0)))
            .await
            .unwrap(),
        Some(0u32.encode())
    );
    let keys = rpc
        .state_get_keys_paged(b"test:keys:", 3, None, None)
        .await
        .unwrap();
    assert_eq!(
        keys,
        vec![
            b"test:keys:a".to_vec(),
            b"test:keys:ab".to_vec(),
            b"test:keys:abc".to_vec()
        ]
    );
    let sets = rpc
        .state_query_storage_at([COUNTER_KEY, b"test:missing".as_slice()], Some(sx(h1)))
        .await
        .unwrap();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].block, sx(h1));
    assert_eq!(
        sets[0].changes[0].1.as_ref().map(|v| v.0.clone()),
        Some(1u32.encode())
    );
    assert!(sets[0].changes[1].1.is_none());
    let history = rpc
        .state_query_storage([COUNTER_KEY], sx(h0), Some(sx(h1)))
        .await
        .unwrap();
    assert_eq!(history.len(), 2);

    let metadata = rpc.state_get_metadata(None).await.unwrap();
    assert!(metadata.to_frame_metadata().is_ok());
    let version = rpc.state_get_runtime_version(None).await.unwrap();
    assert_eq!(
        (version.spec_version, version.transaction_version),
        (GENESIS_SPEC, 1)
    );
    let core = rpc.state_call("Core_version", None, None).await.unwrap();
    assert_eq!(
        json::RuntimeVersion::decode_core_version(&core)
            .unwrap()
            .spec_version,
        GENESIS_SPEC
    );

    let health = rpc.system_health().await.unwrap();
    assert_eq!(
        (health.peers, health.is_syncing, health.should_have_peers),
        (0, false, false)
    );
    assert_eq!(rpc.system_chain().await.unwrap(), "Bittensor");
    assert_eq!(rpc.system_name().await.unwrap(), "nya-localnet");
    assert_eq!(rpc.system_chain_type().await.unwrap(), "Development");
    assert_eq!(rpc.system_properties().await.unwrap()["tokenSymbol"], "TAO");
    let alice_id = subxt::utils::AccountId32(alice.public_key());
    assert_eq!(rpc.system_account_next_index(&alice_id).await.unwrap(), 3);

    // Subscriptions: the current head first, then each new one.
    let mut new_heads = rpc.chain_subscribe_new_heads().await.unwrap();
    let mut finalized = rpc.chain_subscribe_finalized_heads().await.unwrap();
    let mut all_heads = rpc.chain_subscribe_all_heads().await.unwrap();
    let mut versions = rpc.state_subscribe_runtime_version().await.unwrap();
    for stream in [&mut new_heads, &mut finalized, &mut all_heads] {
        assert_eq!(stream.next().await.unwrap().unwrap().number, 1);
    }
    assert_eq!(
        versions.next().await.unwrap().unwrap().spec_version,
        GENESIS_SPEC
    );
    chain.schedule_upgrade(394);
    chain.produce_blocks(1).unwrap();
    for stream in [&mut new_heads, &mut finalized, &mut all_heads] {
        let header = stream.next().await.unwrap().unwrap();
        assert_eq!(header.number, 2);
        assert_eq!(header.parent_hash, sx(h1));
    }
    assert_eq!(versions.next().await.unwrap().unwrap().spec_version, 394);

    // A watched transaction: ready, then in block and finalized in the block that has it.
    use subxt::rpcs::methods::legacy::TransactionStatus;
    let mut watch = rpc
        .author_submit_and_watch_extrinsic(&extrinsic(6))
        .await
        .unwrap();
    assert!(matches!(
        watch.next().await.unwrap().unwrap(),
        TransactionStatus::Ready
    ));
    let produced = chain.produce_blocks(1).unwrap();
    let included = sx(produced[0]);
    assert!(
        matches!(watch.next().await.unwrap().unwrap(), TransactionStatus::InBlock(h) if h == included)
    );
    assert!(
        matches!(watch.next().await.unwrap().unwrap(), TransactionStatus::Finalized(h) if h == included)
    );
    let refused = rpc.author_submit_and_watch_extrinsic(&[0x00]).await;
    assert!(refused.is_err(), "garbage is refused instead of subscribed");
    let refused = rpc
        .author_submit_extrinsic(&[0x01, 0x02])
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("invalid format"), "{refused}");
    let accepted = rpc.author_submit_extrinsic(&extrinsic(7)).await.unwrap();
    assert_eq!(accepted.0, sp_crypto_hashing::blake2_256(&extrinsic(7)));

    // The generic subscribe path with a raw JSON item, as other clients use it.
    let mut storage = client
        .subscribe::<Value>(
            "state_subscribeStorage",
            rpc_params![[hex(CONSTANT_KEY)]],
            "state_unsubscribeStorage",
        )
        .await
        .unwrap();
    let first = storage.next().await.unwrap().unwrap();
    assert_eq!(first["changes"], json!([[hex(CONSTANT_KEY), "0xc0de"]]));
    handle.stop().await;
}

#[tokio::test]
async fn subxt_online_client_works_with_default_and_legacy_backends() {
    let (chain, handle) = start().await;
    chain.produce_blocks(2).unwrap();

    // Default: CombinedBackend, which finds no chainHead_v1/archive_v1 and uses the legacy one.
    let api = subxt::OnlineClient::<SubstrateConfig>::from_insecure_url(handle.ws_url())
        .await
        .expect("OnlineClient connects");
    assert_eq!(api.genesis_hash(), subxt::utils::H256(chain.hash_of(0).0));
    let at = api.at_current_block().await.expect("current block");
    assert_eq!(at.block_number(), 2);
    assert_eq!(
        at.storage().fetch_raw(system_number_key()).await.unwrap(),
        2u32.encode()
    );
    let older = api.at_block(1u64).await.expect("block 1");
    assert_eq!(
        older
            .storage()
            .fetch_raw(system_number_key())
            .await
            .unwrap(),
        1u32.encode()
    );
    let mut blocks = api.stream_blocks().await.expect("finalized block stream");
    let first = blocks.next().await.unwrap().unwrap();
    assert_eq!(first.number(), 2);
    chain.produce_blocks(1).unwrap();
    let next = blocks.next().await.unwrap().unwrap();
    assert_eq!((next.number(), next.hash().0), (3, chain.hash_of(3).0));

    // Explicitly the LegacyBackend.
    let rpc = RpcClient::from_insecure_url(handle.ws_url()).await.unwrap();
    let backend = subxt::backend::LegacyBackend::<SubstrateConfig>::builder().build(rpc);
    let legacy = subxt::OnlineClient::<SubstrateConfig>::from_backend(Arc::new(backend))
        .await
        .expect("legacy OnlineClient");
    let at = legacy.at_current_block().await.unwrap();
    assert_eq!(at.block_number(), 3);
    assert_eq!(
        at.storage().fetch_raw(system_number_key()).await.unwrap(),
        3u32.encode()
    );
    handle.stop().await;
}

#[tokio::test]
async fn stop_ends_subscriptions_and_closes_the_port() {
    let (_chain, handle) = start().await;
    let addr = handle.local_addr();
    let client = RpcClient::from_insecure_url(handle.ws_url()).await.unwrap();
    let rpc = Legacy::new(client);
    let mut heads = rpc.chain_subscribe_new_heads().await.unwrap();
    assert_eq!(heads.next().await.unwrap().unwrap().number, 0);
    handle.stop().await;
    let after = tokio::time::timeout(IO_GUARD, heads.next())
        .await
        .expect("subscription ends on stop");
    assert!(after.is_none() || after.is_some_and(|r| r.is_err()));
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "nothing listens after stop"
    );
}

#[test]
fn tx_status_serialises_as_substrate_transaction_status() {
    let h = H256([0xab; 32]);
    let hh = hash_hex(h);
    let cases = [
        (TxStatus::Future, json!("future")),
        (TxStatus::Ready, json!("ready")),
        (
            TxStatus::Broadcast(vec!["peer".into()]),
            json!({"broadcast": ["peer"]}),
        ),
        (TxStatus::InBlock(h), json!({"inBlock": hh})),
        (TxStatus::Retracted(h), json!({"retracted": hh})),
        (TxStatus::FinalityTimeout(h), json!({"finalityTimeout": hh})),
        (TxStatus::Finalized(h), json!({"finalized": hh})),
        (TxStatus::Usurped(h), json!({"usurped": hh})),
        (TxStatus::Dropped, json!("dropped")),
        (TxStatus::Invalid, json!("invalid")),
    ];
    for (status, expected) in cases {
        assert_eq!(serde_json::to_value(&status).unwrap(), expected);
        let decoded: subxt::rpcs::methods::legacy::TransactionStatus<subxt::utils::H256> =
            serde_json::from_value(expected).expect("subxt reads it");
        let _ = decoded;
    }
    assert!(TxStatus::Finalized(h).is_final() && TxStatus::Invalid.is_final());
    assert!(!TxStatus::Ready.is_final() && !TxStatus::InBlock(h).is_final());
}

#[test]
fn backend_errors_read_like_substrate_client_errors() {
    let unknown = BackendError::UnknownBlock(H256([1; 32]));
    assert_eq!(
        unknown.to_string(),
        format!(
            "UnknownBlock: Header was not found in the database: 0x{}",
            "01".repeat(32)
        )
    );
    assert_eq!(
        BackendError::Execution("x".into()).to_string(),
        "Execution failed: x"
    );
    let refused = SubmitError {
        code: 1010,
        message: "Invalid Transaction".into(),
        data: Some("Transaction is outdated".into()),
    };
    assert_eq!(
        refused.to_string(),
        "Invalid Transaction (1010): Transaction is outdated"
    );
    // Decoding the SCALE of a header must agree with block.rs (no RPC involved).
    let chain = TestChain::new();
    let header = chain.header_of(0);
    let decoded = crate::localnet::block::Header::decode(&mut header.encode().as_slice()).unwrap();
    assert_eq!(decoded.hash(), chain.hash_of(0));
}
