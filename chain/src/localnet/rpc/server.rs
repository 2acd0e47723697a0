//! Starting and stopping the server: one loopback port for WebSocket and HTTP, Substrate's
//! default limits (15 MiB requests and responses, 100 connections, 1024 subscriptions per
//! connection, unlimited batches), 16-character random subscription ids as Substrate uses.
//!
//! As Substrate's server it also answers `GET /health` with `system_health`'s result, and
//! refuses requests whose `Host` header is not the loopback address and port (DNS rebinding).
//!
//! Oversized requests are answered by jsonrpsee itself: HTTP `413` with a `-32007 Request is
//! too big` body; on WebSocket the same error object as a message, and the connection stays
//! open. Oversized responses become `-32008 Response is too big`.

use std::net::SocketAddr;
use std::sync::Arc;

use jsonrpsee::server::middleware::http::{HostFilterLayer, ProxyGetRequestLayer};
use jsonrpsee::server::{BatchRequestConfig, RandomStringIdProvider, Server, ServerConfig};
use nya_metadata::runtime::types::H256;
use serde_json::{Map, Value, json};

use super::ChainBackend;
use super::methods::{self, RpcContext};

/// Substrate's default request and response size limit (`--rpc-max-request-size 15`, MiB).
pub const DEFAULT_MAX_BODY_BYTES: u32 = 15 * 1024 * 1024;
/// Substrate's default connection limit (`--rpc-max-connections`).
pub const DEFAULT_MAX_CONNECTIONS: u32 = 100;
/// Substrate's default subscriptions per connection (`--rpc-max-subscriptions-per-connection`).
pub const DEFAULT_MAX_SUBSCRIPTIONS: u32 = 1024;

/// What the `system_*` and `chainSpec_v1_*` methods report.
#[derive(Clone, Debug, PartialEq)]
pub struct SystemInfo {
    /// `system_chain` / `chainSpec_v1_chainName` (finney's chain spec name).
    pub chain_name: String,
    /// `system_name`: the node implementation.
    pub node_name: String,
    /// `system_version`.
    pub node_version: String,
    /// `system_chainType`: `Development`, `Local` or `Live`.
    pub chain_type: String,
    /// `system_properties` / `chainSpec_v1_properties`.
    pub properties: Map<String, Value>,
}

impl Default for SystemInfo {
    fn default() -> Self {
        let properties = match json!({"ss58Format": 42, "tokenDecimals": 9, "tokenSymbol": "TAO"}) {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        SystemInfo {
            chain_name: "Bittensor".to_string(),
            node_name: "nya-localnet".to_string(),
            node_version: env!("CARGO_PKG_VERSION").to_string(),
            chain_type: "Development".to_string(),
            properties,
        }
    }
}

/// Server settings. [`RpcConfig::new`] gives Substrate's defaults.
#[derive(Clone, Debug)]
pub struct RpcConfig {
    /// Where to listen; must be a loopback address (port 0 picks a free port).
    pub addr: SocketAddr,
    /// Largest request body (HTTP) or message (WebSocket), bytes.
    pub max_request_bytes: u32,
    /// Largest response, bytes.
    pub max_response_bytes: u32,
    /// Most simultaneous connections.
    pub max_connections: u32,
    /// Most subscriptions on one WebSocket connection.
    pub max_subscriptions_per_connection: u32,
    /// Most calls in one batch; `None` = unlimited (Substrate's default).
    pub max_batch_len: Option<u32>,
    /// What `system_*` reports.
    pub system: SystemInfo,
}

impl RpcConfig {
    /// Substrate's defaults on `addr`.
    pub fn new(addr: SocketAddr) -> RpcConfig {
        RpcConfig {
            addr,
            max_request_bytes: DEFAULT_MAX_BODY_BYTES,
            max_response_bytes: DEFAULT_MAX_BODY_BYTES,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_subscriptions_per_connection: DEFAULT_MAX_SUBSCRIPTIONS,
            max_batch_len: None,
            system: SystemInfo::default(),
        }
    }
}

/// A running server.
pub struct ServerHandle {
    addr: SocketAddr,
    inner: jsonrpsee::server::ServerHandle,
}

impl ServerHandle {
    /// The bound address (the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `ws://ADDR`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// `http://ADDR` (the same port).
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, closes every connection (ending their subscriptions) and waits until
    /// the server has stopped.
    pub async fn stop(self) {
        // Err means it was already stopping; waiting below is right either way.
        let _ = self.inner.stop();
        self.inner.stopped().await;
    }
}

/// Serves `backend` on `addr` with Substrate's defaults; returns the bound address.
pub async fn serve<B: ChainBackend>(
    backend: Arc<B>,
    addr: SocketAddr,
) -> std::io::Result<(SocketAddr, ServerHandle)> {
    let handle = serve_with_config(backend, RpcConfig::new(addr)).await?;
    Ok((handle.local_addr(), handle))
}

/// Serves `backend` with `config`.
pub async fn serve_with_config<B: ChainBackend>(
    backend: Arc<B>,
    config: RpcConfig,
) -> std::io::Result<ServerHandle> {
    if !config.addr.ip().is_loopback() {
        // dev_produceBlocks and the unbounded state methods are for local use only.
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "the localnet serves JSON-RPC on loopback only; {} is not a loopback address",
                config.addr.ip()
            ),
        ));
    }
    let peer_id = local_peer_id(&backend.genesis_hash());
    let context = RpcContext {
        backend,
        system: config.system.clone(),
        peer_id,
    };
    let module = methods::build_module(context)
        .map_err(|e| std::io::Error::other(format!("cannot register RPC methods: {e}")))?;

    let batch = match config.max_batch_len {
        Some(len) => BatchRequestConfig::Limit(len),
        None => BatchRequestConfig::Unlimited,
    };
    let server_config = ServerConfig::builder()
        .max_request_body_size(config.max_request_bytes)
        .max_response_body_size(config.max_response_bytes)
        .max_connections(config.max_connections)
        .max_subscriptions_per_connection(config.max_subscriptions_per_connection)
        .set_batch_request_config(batch)
        .set_id_provider(RandomStringIdProvider::new(16))
        .build();
    // Bind first: the host filter needs the real port when port 0 was asked for.
    let listener = std::net::TcpListener::bind(config.addr)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let http_layers = tower::ServiceBuilder::new()
        .layer(host_filter(addr.port())?)
        .layer(
            ProxyGetRequestLayer::new([("/health", "system_health")])
                .map_err(|e| std::io::Error::other(format!("health endpoint: {e}")))?,
        );
    let server = Server::builder()
        .set_config(server_config)
        .set_http_middleware(http_layers)
        .build_from_tcp(listener)?;
    let inner = server.start(module);
    tracing::debug!(%addr, "localnet JSON-RPC listening (WebSocket and HTTP)");
    Ok(ServerHandle { addr, inner })
}

/// Substrate's DNS-rebinding guard: only `Host: localhost|127.0.0.1|[::1]:PORT` is served
/// (anything else gets HTTP 403), so a web page cannot reach the loopback server through a
/// name it controls.
fn host_filter(port: u16) -> std::io::Result<HostFilterLayer> {
    let hosts = [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ];
    HostFilterLayer::new(hosts)
        .map_err(|e| std::io::Error::other(format!("host filter for port {port}: {e}")))
}

/// A libp2p peer id for `system_localPeerId`: the base58 identity multihash of an Ed25519
/// public key (`0x00 0x24` + protobuf `{type: Ed25519, data: key}`), so it reads `12D3KooW…`
/// like any Substrate node's. The localnet has no network key; the 32 bytes are derived from
/// the genesis hash, so a chain keeps its id across restarts.
pub fn local_peer_id(genesis: &H256) -> String {
    use base58::ToBase58;
    let mut seed = b"nya-localnet peer id".to_vec();
    seed.extend_from_slice(&genesis.0);
    let key = sp_crypto_hashing::blake2_256(&seed);
    let mut multihash = vec![0x00, 0x24, 0x08, 0x01, 0x12, 0x20];
    multihash.extend_from_slice(&key);
    multihash.to_base58()
}
