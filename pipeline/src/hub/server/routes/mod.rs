//! Request handling of the offline hub (endpoint list in the parent module's doc).
//!
//! Routing is by hand over percent-decoded path segments: the Hub's URL space mixes fixed
//! prefixes (`api`, `datasets`) with `<owner>/<name>` at the root and `<name>.git` segments,
//! which a pattern router cannot express without ambiguity.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use futures::StreamExt;
use nya_metadata::commitment::RepoId;
use nya_metadata::manifest::validate_repo_path;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use super::ServerLimits;
use super::auth::{Access, Signer, TokenGrant, Tokens};
use super::ndjson::{self, Content, Operation};
use super::store::{
    Change, Commit, MAIN, NewCommit, ObjectInfo, RepoMeta, Store, StoreError, iso8601,
};
use crate::hub::RepoKind;

mod commit;
mod files;
mod lfs;
mod repos;

use commit::commit;
use files::{paths_info, resolve, serve_object, tree};
use lfs::{lfs_batch, lfs_object, lfs_upload, lfs_verify};
use repos::{create_repo, preupload, repo_info, validate_yaml, whoami};

/// Shared server state.
pub(super) struct HubState {
    pub store: Store,
    pub tokens: Tokens,
    pub signer: Signer,
    pub limits: ServerLimits,
    pub public_url: Option<String>,
}

pub(super) fn router(state: Arc<HubState>) -> Router {
    Router::new().fallback(dispatch).with_state(state)
}

/// An error answer: JSON `{"error": …}` plus the Hub's `X-Error-Code` / `X-Error-Message`.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    code: Option<&'static str>,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: None,
            message: message.into(),
        }
    }

    fn bad(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    fn code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "offline hub: internal error");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response =
            (self.status, axum::Json(json!({ "error": self.message }))).into_response();
        let printable: String = self
            .message
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() || c == ' ' {
                    c
                } else {
                    '?'
                }
            })
            .take(512)
            .collect();
        if let Ok(value) = HeaderValue::from_str(&printable) {
            response.headers_mut().insert("x-error-message", value);
        }
        if let Some(code) = self.code {
            response
                .headers_mut()
                .insert("x-error-code", HeaderValue::from_static(code));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match &error {
            StoreError::Io { .. } | StoreError::Corrupt { .. } => ApiError::internal(error),
            StoreError::StaleParent { .. } => {
                ApiError::new(StatusCode::PRECONDITION_FAILED, error.to_string())
            }
            StoreError::TooManyFiles { .. } => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, error.to_string())
            }
            _ => ApiError::bad(error.to_string()),
        }
    }
}

type ApiResult = Result<Response, ApiError>;

/// One parsed request.
struct Req {
    method: Method,
    segments: Vec<String>,
    query: BTreeMap<String, String>,
    headers: HeaderMap,
}

impl Req {
    fn query_flag(&self, name: &str) -> bool {
        self.query
            .get(name)
            .is_some_and(|v| matches!(v.as_str(), "1" | "true" | "True"))
    }
}

async fn dispatch(State(state): State<Arc<HubState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let mut segments = Vec::new();
    for raw in parts.uri.path().split('/').filter(|s| !s.is_empty()) {
        match percent_encoding::percent_decode_str(raw).decode_utf8() {
            Ok(segment) => segments.push(segment.into_owned()),
            Err(_) => return ApiError::bad("path is not UTF-8").into_response(),
        }
    }
    let query = parts
        .uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let req = Req {
        method: parts.method,
        segments,
        query,
        headers: parts.headers,
    };
    route(&state, &req, body)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn route(state: &Arc<HubState>, req: &Req, body: Body) -> ApiResult {
    let segments: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    let is_get = req.method == Method::GET || req.method == Method::HEAD;
    match (req.method.clone(), segments.as_slice()) {
        (Method::GET, ["api", "whoami-v2"]) => whoami(state, req),
        (Method::POST, ["api", "repos", "create"]) => create_repo(state, req, body).await,
        (Method::POST, ["api", "validate-yaml"]) => validate_yaml(state, body).await,
        (Method::GET, ["api", plural, owner, name]) => {
            let target = Target::api(plural, owner, name)?;
            repo_info(state, req, &target, MAIN)
        }
        (Method::GET, ["api", plural, owner, name, "revision", rev]) => {
            let target = Target::api(plural, owner, name)?;
            repo_info(state, req, &target, rev)
        }
        (Method::POST, ["api", plural, owner, name, "preupload", _rev]) => {
            let target = Target::api(plural, owner, name)?;
            preupload(state, req, body, target).await
        }
        (Method::POST, ["api", plural, owner, name, "commit", rev]) => {
            let target = Target::api(plural, owner, name)?;
            commit(state, req, body, target, rev).await
        }
        (Method::GET, ["api", plural, owner, name, "tree", rev, rest @ ..]) => {
            let target = Target::api(plural, owner, name)?;
            tree(state, req, &target, rev, &rest.join("/"))
        }
        (Method::POST, ["api", plural, owner, name, "paths-info", rev]) => {
            let target = Target::api(plural, owner, name)?;
            paths_info(state, req, body, target, rev).await
        }
        (Method::PUT, ["api", "lfs-upload", plural, owner, name, oid]) => {
            let target = Target::api(plural, owner, name)?;
            lfs_upload(state, req, body, target, oid).await
        }
        (Method::POST, ["api", "lfs-verify", plural, owner, name, oid]) => {
            let target = Target::api(plural, owner, name)?;
            lfs_verify(state, req, &target, oid)
        }
        (_, ["api", "lfs-object", plural, owner, name, commit, oid]) if is_get => {
            let target = Target::api(plural, owner, name)?;
            lfs_object(state, req, &target, commit, oid).await
        }
        (
            Method::POST,
            [
                "datasets",
                owner,
                repo_git,
                "info",
                "lfs",
                "objects",
                "batch",
            ],
        ) => {
            let target = Target::git(RepoKind::Dataset, owner, repo_git)?;
            lfs_batch(state, req, body, target).await
        }
        (Method::POST, [owner, repo_git, "info", "lfs", "objects", "batch"]) => {
            let target = Target::git(RepoKind::Model, owner, repo_git)?;
            lfs_batch(state, req, body, target).await
        }
        (_, ["datasets", owner, name, "resolve", rev, path @ ..]) if is_get && !path.is_empty() => {
            let target = Target::new(RepoKind::Dataset, owner, name)?;
            resolve(state, req, &target, rev, &path.join("/")).await
        }
        (_, [owner, name, "resolve", rev, path @ ..])
            if is_get && !path.is_empty() && *owner != "api" =>
        {
            let target = Target::new(RepoKind::Model, owner, name)?;
            resolve(state, req, &target, rev, &path.join("/")).await
        }
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "the offline hub has no {} /{}",
                req.method,
                req.segments.join("/")
            ),
        )),
    }
}

/// The repo a request is about.
struct Target {
    kind: RepoKind,
    repo: RepoId,
}

impl Target {
    fn new(kind: RepoKind, owner: &str, name: &str) -> Result<Target, ApiError> {
        let repo = RepoId::from_parts(owner, name)
            .map_err(|e| ApiError::bad(e.to_string()).code("RepoNotFound"))?;
        Ok(Target { kind, repo })
    }

    fn api(plural: &str, owner: &str, name: &str) -> Result<Target, ApiError> {
        let kind = match plural {
            "datasets" => RepoKind::Dataset,
            "models" => RepoKind::Model,
            other => {
                return Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    format!("repo type {other:?} is not served (datasets, models)"),
                ));
            }
        };
        Target::new(kind, owner, name)
    }

    fn git(kind: RepoKind, owner: &str, repo_git: &str) -> Result<Target, ApiError> {
        let name = repo_git
            .strip_suffix(".git")
            .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "expected <name>.git"))?;
        Target::new(kind, owner, name)
    }

    fn web_path(&self) -> String {
        format!("{}{}", self.kind.url_prefix(), self.repo)
    }

    /// What signed URLs for this repo start with.
    fn sign_scope(&self) -> String {
        format!("{}|{}", self.kind.plural(), self.repo)
    }
}

/// The caller: `None` when anonymous; an unknown token is refused outright.
fn caller<'a>(
    state: &'a HubState,
    headers: &HeaderMap,
) -> Result<Option<&'a TokenGrant>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "Authorization must be `Bearer <token>`",
            )
        })?;
    state.tokens.find(token).map(Some).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "Invalid credentials in Authorization header",
        )
    })
}

fn require_write<'a>(
    state: &'a HubState,
    headers: &HeaderMap,
    owner: &str,
) -> Result<&'a TokenGrant, ApiError> {
    let grant = caller(state, headers)?
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "a write token is required"))?;
    if grant.access != Access::Write {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!("the token of {} is read-only", grant.user),
        ));
    }
    if grant.user != owner {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!("{} cannot write to the namespace {owner}", grant.user),
        ));
    }
    Ok(grant)
}

/// The repo, if the caller may read it; private repos of others look absent, as on the Hub.
fn readable(state: &HubState, headers: &HeaderMap, target: &Target) -> Result<RepoMeta, ApiError> {
    let who = caller(state, headers)?;
    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("Repository not found: {}", target.repo),
        )
        .code("RepoNotFound")
    };
    let meta = state
        .store
        .repo_meta(target.kind, &target.repo)?
        .ok_or_else(not_found)?;
    if meta.private && who.map(|g| g.user.as_str()) != Some(target.repo.owner()) {
        return Err(match who {
            None => ApiError::new(
                StatusCode::UNAUTHORIZED,
                format!("{} is private", target.repo),
            )
            .code("RepoNotFound"),
            Some(_) => not_found(),
        });
    }
    Ok(meta)
}

fn resolve_commit(state: &HubState, target: &Target, rev: &str) -> Result<Commit, ApiError> {
    state
        .store
        .resolve(target.kind, &target.repo, rev)?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                format!("Revision not found: {rev} in {}", target.repo),
            )
            .code("RevisionNotFound")
        })
}

fn base_url(state: &HubState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

fn json_response(value: Value) -> ApiResult {
    Ok(axum::Json(value).into_response())
}

async fn read_json(body: Body, limit: usize) -> Result<Value, ApiError> {
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|e| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, format!("request body: {e}")))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad(format!("request body is not JSON: {e}")))
}

/// Most bytes of a refused upload read (and dropped) before answering.
const DRAIN_LIMIT: u64 = 16 << 20;

/// Refuses a request whose body the client is still sending: reading it first (up to
/// [`DRAIN_LIMIT`]) lets the client see the answer instead of a reset connection.
async fn refuse_after_draining(body: Body, error: ApiError) -> ApiResult {
    let mut stream = body.into_data_stream();
    let mut read = 0u64;
    while read <= DRAIN_LIMIT {
        match stream.next().await {
            Some(Ok(chunk)) => read += chunk.len() as u64,
            _ => break,
        }
    }
    Err(error)
}

/// Streams a request body into `path`, refusing more than `limit` bytes; returns its size.
async fn spool(body: Body, path: &PathBuf, limit: u64) -> Result<u64, ApiError> {
    let mut out = tokio::fs::File::create(path)
        .await
        .map_err(ApiError::internal)?;
    let mut stream = body.into_data_stream();
    let mut written = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad(format!("request body broke off: {e}")))?;
        written += chunk.len() as u64;
        if written > limit {
            drop(out);
            let _ = tokio::fs::remove_file(path).await;
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("request body over the limit of {limit} bytes"),
            ));
        }
        out.write_all(&chunk).await.map_err(ApiError::internal)?;
    }
    out.flush().await.map_err(ApiError::internal)?;
    Ok(written)
}

fn insert(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}
