//! Accounts and repos: whoami, create, card check, info, preupload.

use super::*;

pub(super) fn whoami(state: &HubState, req: &Req) -> ApiResult {
    let grant = caller(state, &req.headers)?.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "Invalid credentials in Authorization header",
        )
    })?;
    let role = match grant.access {
        Access::Read => "read",
        Access::Write => "write",
    };
    json_response(json!({
        "type": "user",
        "id": grant.user,
        "name": grant.user,
        "fullname": grant.user,
        "isPro": false,
        "orgs": [],
        "auth": {
            "type": "access_token",
            "accessToken": { "displayName": "nya offline hub", "role": role }
        }
    }))
}

pub(super) async fn create_repo(state: &Arc<HubState>, req: &Req, body: Body) -> ApiResult {
    let grant = caller(state, &req.headers)?
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "a write token is required"))?
        .clone();
    let body = read_json(body, state.limits.max_json_bytes).await?;
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad("name is missing"))?;
    let owner = body
        .get("organization")
        .and_then(Value::as_str)
        .unwrap_or(&grant.user)
        .to_string();
    require_write(state, &req.headers, &owner)?;
    let kind = match body.get("type").and_then(Value::as_str) {
        None | Some("model") => RepoKind::Model,
        Some("dataset") => RepoKind::Dataset,
        Some(other) => return Err(ApiError::bad(format!("repo type {other:?} is not served"))),
    };
    let private = body
        .get("private")
        .and_then(Value::as_bool)
        .unwrap_or(false)
        || body.get("visibility").and_then(Value::as_str) == Some("private");
    let target = Target::new(kind, &owner, name)?;
    let url = format!("{}/{}", base_url(state, &req.headers), target.web_path());
    if !state.store.create_repo(kind, &target.repo, private)? {
        // Like the Hub, the conflict still carries the repo URL (clients with `exist_ok` use it).
        let message = format!("You already created this {kind} repo: {}", target.repo);
        let mut response = ApiError::new(StatusCode::CONFLICT, message.clone()).into_response();
        *response.body_mut() = Body::from(json!({ "error": message, "url": url }).to_string());
        return Ok(response);
    }
    json_response(json!({ "url": url, "name": target.repo.as_str(), "id": target.repo.as_str() }))
}

/// The Python client checks a card's front matter before uploading `README.md`. The offline
/// hub has no YAML parser: it checks only that a front matter block is closed.
pub(super) async fn validate_yaml(state: &HubState, body: Body) -> ApiResult {
    let body = read_json(body, state.limits.max_json_bytes).await?;
    let content = body
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let unclosed = content
        .strip_prefix("---\n")
        .is_some_and(|rest| !rest.starts_with("---") && !rest.contains("\n---"));
    if unclosed {
        let message = "README.md front matter starts with --- but is never closed";
        let mut response = ApiError::bad(message).into_response();
        *response.body_mut() =
            Body::from(json!({ "error": message, "errors": [{ "message": message }] }).to_string());
        return Ok(response);
    }
    json_response(json!({ "errors": [], "warnings": [] }))
}

pub(super) fn repo_info(state: &HubState, req: &Req, target: &Target, rev: &str) -> ApiResult {
    let meta = readable(state, &req.headers, target)?;
    let commit = resolve_commit(state, target, rev)?;
    let with_blobs = req.query_flag("blobs");
    let siblings: Vec<Value> = commit
        .files
        .iter()
        .map(|(path, file)| {
            let mut entry = json!({ "rfilename": path });
            if with_blobs {
                entry["size"] = json!(file.size);
                entry["blobId"] = json!(file.git_oid);
                if file.lfs {
                    entry["lfs"] = json!({
                        "size": file.size,
                        "sha256": file.sha256,
                        "pointerSize": crate::hub::server::store::lfs_pointer(&file.sha256, file.size).len(),
                    });
                }
            }
            entry
        })
        .collect();
    let used: u64 = commit.files.values().map(|f| f.size).sum();
    json_response(json!({
        "_id": hex::encode(Sha1::digest(format!("{}/{}", target.kind.plural(), target.repo)))
            .get(..24).unwrap_or_default(),
        "id": target.repo.as_str(),
        "author": target.repo.owner(),
        "sha": commit.id,
        "lastModified": iso8601(commit.timestamp),
        "createdAt": iso8601(meta.created_at),
        "private": meta.private,
        "gated": false,
        "disabled": false,
        "downloads": 0,
        "likes": 0,
        "tags": [],
        "siblings": siblings,
        "usedStorage": used,
    }))
}

pub(super) async fn preupload(
    state: &Arc<HubState>,
    req: &Req,
    body: Body,
    target: Target,
) -> ApiResult {
    require_write(state, &req.headers, target.repo.owner())?;
    readable(state, &req.headers, &target)?;
    let body = read_json(body, state.limits.max_json_bytes).await?;
    let files = body
        .get("files")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad("files must be a list"))?;
    let mut answers = Vec::with_capacity(files.len());
    for file in files {
        let path = file
            .get("path")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::bad("each file needs a path"))?;
        validate_repo_path(path).map_err(|e| ApiError::bad(e.to_string()))?;
        let size = file.get("size").and_then(Value::as_u64).unwrap_or(0);
        let mode = if state.store.is_lfs(path, size) {
            "lfs"
        } else {
            "regular"
        };
        answers.push(json!({ "path": path, "uploadMode": mode, "shouldIgnore": false }));
    }
    let head = state.store.resolve(target.kind, &target.repo, MAIN)?;
    json_response(json!({ "files": answers, "commitOid": head.map(|c| c.id) }))
}
