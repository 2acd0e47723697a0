//! The git-lfs batch API and the signed upload, verify and download URLs it hands out.

use super::*;

pub(super) async fn lfs_batch(
    state: &Arc<HubState>,
    req: &Req,
    body: Body,
    target: Target,
) -> ApiResult {
    let body = read_json(body, state.limits.max_json_bytes).await?;
    let operation = body
        .get("operation")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if operation != "upload" {
        return Err(ApiError::bad(format!(
            "LFS batch operation {operation:?} is not supported (upload only; download through resolve)"
        )));
    }
    require_write(state, &req.headers, target.repo.owner())?;
    readable(state, &req.headers, &target)?;
    let objects = body
        .get("objects")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad("objects must be a list"))?;
    if objects.len() > state.limits.max_repo_files {
        return Err(ApiError::bad(format!(
            "more than {} objects",
            state.limits.max_repo_files
        )));
    }
    let base = base_url(state, &req.headers);
    let mut answers = Vec::with_capacity(objects.len());
    for object in objects {
        let oid = object
            .get("oid")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let size = object.get("size").and_then(Value::as_u64);
        let valid_oid =
            oid.len() == 64 && oid.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        let Some(size) = size.filter(|_| valid_oid) else {
            answers.push(json!({
                "oid": oid, "size": 0,
                "error": { "code": 422, "message": "oid must be 64 lowercase hex and size a whole number" }
            }));
            continue;
        };
        if size > state.limits.max_file_bytes {
            answers.push(json!({
                "oid": oid, "size": size,
                "error": { "code": 422, "message": format!("over the per-file limit of {} bytes", state.limits.max_file_bytes) }
            }));
            continue;
        }
        if state.store.object_size(oid) == Some(size) {
            answers.push(json!({ "oid": oid, "size": size, "authenticated": true }));
            continue;
        }
        let sign = |purpose: &str| -> Result<String, ApiError> {
            let (expires, signature) = state
                .signer
                .sign(&format!("{purpose}|{}|{oid}|{size}", target.sign_scope()))
                .ok_or_else(|| ApiError::internal("cannot sign an upload URL"))?;
            Ok(format!(
                "{base}/api/lfs-{purpose}/{}/{}/{oid}?size={size}&expires={expires}&signature={signature}",
                target.kind.plural(),
                target.repo
            ))
        };
        answers.push(json!({
            "oid": oid,
            "size": size,
            "authenticated": true,
            "actions": {
                "upload": { "href": sign("upload")? },
                "verify": { "href": sign("verify")? }
            }
        }));
    }
    let mut response = axum::Json(json!({
        "transfer": "basic",
        "objects": answers,
        "hash_algo": "sha256"
    }))
    .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.git-lfs+json"),
    );
    Ok(response)
}

/// Checks the `size`, `expires` and `signature` of a signed LFS URL; returns the size.
pub(super) fn check_signed(
    state: &HubState,
    req: &Req,
    target: &Target,
    purpose: &str,
    oid: &str,
) -> Result<u64, ApiError> {
    let forbidden = || {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "missing, wrong or expired URL signature",
        )
    };
    let size: u64 = req
        .query
        .get("size")
        .and_then(|s| s.parse().ok())
        .ok_or_else(forbidden)?;
    let expires: u64 = req
        .query
        .get("expires")
        .and_then(|s| s.parse().ok())
        .ok_or_else(forbidden)?;
    let signature = req.query.get("signature").ok_or_else(forbidden)?;
    let message = format!("{purpose}|{}|{oid}|{size}", target.sign_scope());
    if !state.signer.verify(&message, expires, signature) {
        return Err(forbidden());
    }
    Ok(size)
}

pub(super) async fn lfs_upload(
    state: &Arc<HubState>,
    req: &Req,
    body: Body,
    target: Target,
    oid: &str,
) -> ApiResult {
    let size = match check_signed(state, req, &target, "upload", oid) {
        Ok(size) => size,
        Err(error) => return refuse_after_draining(body, error).await,
    };
    let temp = state.store.temp_path("lfs-upload");
    let written = spool(body, &temp, size).await?;
    if written != size {
        let _ = tokio::fs::remove_file(&temp).await;
        return Err(ApiError::bad(format!(
            "upload of {oid}: got {written} bytes, expected {size}"
        )));
    }
    let worker = Arc::clone(state);
    let expected = oid.to_string();
    tokio::task::spawn_blocking(move || worker.store.ingest(&temp, Some(&expected)))
        .await
        .map_err(ApiError::internal)??;
    Ok(StatusCode::OK.into_response())
}

pub(super) fn lfs_verify(state: &HubState, req: &Req, target: &Target, oid: &str) -> ApiResult {
    let size = check_signed(state, req, target, "verify", oid)?;
    match state.store.object_size(oid) {
        Some(actual) if actual == size => json_response(json!({ "message": "ok" })),
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("object {oid} of {size} bytes is not stored"),
        )),
    }
}

pub(super) async fn lfs_object(
    state: &HubState,
    req: &Req,
    target: &Target,
    commit: &str,
    oid: &str,
) -> ApiResult {
    let forbidden = || {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "missing, wrong or expired URL signature",
        )
    };
    let expires: u64 = req
        .query
        .get("expires")
        .and_then(|s| s.parse().ok())
        .ok_or_else(forbidden)?;
    let signature = req.query.get("signature").ok_or_else(forbidden)?;
    if !state.signer.verify(
        &format!("object|{}|{commit}|{oid}", target.sign_scope()),
        expires,
        signature,
    ) {
        return Err(forbidden());
    }
    let mut headers = HeaderMap::new();
    insert(&mut headers, "x-repo-commit", commit);
    insert(&mut headers, "etag", &format!("\"{oid}\""));
    insert(&mut headers, "x-linked-etag", &format!("\"{oid}\""));
    serve_object(state, req, oid, headers).await
}
