//! Reading files: tree listings, paths-info, resolve (with the Hub's headers and redirects)
//! and byte serving with single ranges.

use super::*;

/// A tree entry as the Hub lists it.
pub(super) fn file_entry(path: &str, file: &crate::hub::server::store::FileRecord) -> Value {
    let mut entry = json!({ "type": "file", "oid": file.git_oid, "size": file.size, "path": path });
    if file.lfs {
        entry["lfs"] = json!({
            "oid": file.sha256,
            "size": file.size,
            "pointerSize": crate::hub::server::store::lfs_pointer(&file.sha256, file.size).len(),
        });
    }
    entry
}

pub(super) fn dir_entry(commit: &Commit, path: &str) -> Value {
    // Not a git tree id (the store keeps no trees): a stable id for this folder at this commit.
    let oid = hex::encode(Sha1::digest(format!("tree {}:{path}", commit.id)));
    json!({ "type": "directory", "oid": oid, "size": 0, "path": path })
}

pub(super) fn tree(
    state: &HubState,
    req: &Req,
    target: &Target,
    rev: &str,
    prefix: &str,
) -> ApiResult {
    readable(state, &req.headers, target)?;
    let commit = resolve_commit(state, target, rev)?;
    let recursive = req.query_flag("recursive");
    let mut dirs = BTreeSet::new();
    for path in commit.files.keys() {
        let mut end = 0;
        while let Some(slash) = path.get(end..).and_then(|rest| rest.find('/')) {
            end += slash;
            dirs.insert(path.get(..end).unwrap_or_default().to_string());
            end += 1;
        }
    }
    if !prefix.is_empty() && !dirs.contains(prefix) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "Entry not found: {prefix} in {} at {}",
                target.repo, commit.id
            ),
        )
        .code("EntryNotFound"));
    }
    let under = |path: &str| -> bool {
        let rest = if prefix.is_empty() {
            Some(path)
        } else {
            path.strip_prefix(prefix).and_then(|r| r.strip_prefix('/'))
        };
        rest.is_some_and(|r| recursive || !r.contains('/'))
    };
    let mut entries: Vec<(String, Value)> = dirs
        .iter()
        .filter(|d| under(d))
        .map(|d| (d.clone(), dir_entry(&commit, d)))
        .collect();
    entries.extend(
        commit
            .files
            .iter()
            .filter(|(p, _)| under(p))
            .map(|(p, f)| (p.clone(), file_entry(p, f))),
    );
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let page = state.limits.tree_page_size.max(1);
    let start: usize = match req.query.get("cursor") {
        Some(cursor) => cursor
            .parse()
            .map_err(|_| ApiError::bad("cursor must be a number"))?,
        None => 0,
    };
    let end = start.saturating_add(page).min(entries.len());
    let slice: Vec<Value> = entries
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .map(|(_, v)| v.clone())
        .collect();
    let mut response = axum::Json(Value::Array(slice)).into_response();
    if end < entries.len() {
        let mut next = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in req.query.iter().filter(|(k, _)| k.as_str() != "cursor") {
            next.append_pair(key, value);
        }
        next.append_pair("cursor", &end.to_string());
        let encoded_rev: String =
            percent_encoding::utf8_percent_encode(rev, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let mut link_path = format!(
            "{}/api/{}/{}/tree/{encoded_rev}",
            base_url(state, &req.headers),
            target.kind.plural(),
            target.repo
        );
        if !prefix.is_empty() {
            link_path.push('/');
            link_path.push_str(prefix);
        }
        let link = format!("<{link_path}?{}>; rel=\"next\"", next.finish());
        if let Ok(value) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    Ok(response)
}

pub(super) async fn paths_info(
    state: &Arc<HubState>,
    req: &Req,
    body: Body,
    target: Target,
    rev: &str,
) -> ApiResult {
    readable(state, &req.headers, &target)?;
    let commit = resolve_commit(state, &target, rev)?;
    let form = req
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let paths: Vec<String> = if form {
        let bytes = axum::body::to_bytes(body, state.limits.max_json_bytes)
            .await
            .map_err(|e| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, e.to_string()))?;
        url::form_urlencoded::parse(&bytes)
            .filter(|(k, _)| k == "paths")
            .map(|(_, v)| v.into_owned())
            .collect()
    } else {
        let body = read_json(body, state.limits.max_json_bytes).await?;
        body.get("paths")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::bad("paths must be a list"))?
            .iter()
            .filter_map(|p| p.as_str().map(str::to_string))
            .collect()
    };
    let mut out = Vec::new();
    for path in paths {
        if let Some(file) = commit.files.get(&path) {
            out.push(file_entry(&path, file));
        } else if commit
            .files
            .keys()
            .any(|p| p.starts_with(&format!("{path}/")))
        {
            out.push(dir_entry(&commit, &path));
        }
    }
    json_response(Value::Array(out))
}

pub(super) async fn resolve(
    state: &HubState,
    req: &Req,
    target: &Target,
    rev: &str,
    path: &str,
) -> ApiResult {
    readable(state, &req.headers, target)?;
    let commit = resolve_commit(state, target, rev)?;
    let file = commit.files.get(path).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "Entry not found: {path} in {} at {}",
                target.repo, commit.id
            ),
        )
        .code("EntryNotFound")
    })?;
    let mut headers = HeaderMap::new();
    insert(&mut headers, "x-repo-commit", &commit.id);
    if file.lfs {
        let (expires, signature) = state
            .signer
            .sign(&format!(
                "object|{}|{}|{}",
                target.sign_scope(),
                commit.id,
                file.sha256
            ))
            .ok_or_else(|| ApiError::internal("cannot sign a download URL"))?;
        let location = format!(
            "{}/api/lfs-object/{}/{}/{}/{}?expires={expires}&signature={signature}",
            base_url(state, &req.headers),
            target.kind.plural(),
            target.repo,
            commit.id,
            file.sha256
        );
        insert(&mut headers, "location", &location);
        insert(
            &mut headers,
            "x-linked-etag",
            &format!("\"{}\"", file.sha256),
        );
        insert(&mut headers, "x-linked-size", &file.size.to_string());
        insert(&mut headers, "etag", &format!("\"{}\"", file.sha256));
        let mut response = (StatusCode::FOUND, Body::empty()).into_response();
        response.headers_mut().extend(headers);
        return Ok(response);
    }
    insert(&mut headers, "etag", &format!("\"{}\"", file.git_oid));
    serve_object(state, req, &file.sha256, headers).await
}

/// `Some((start, end_inclusive))` for a satisfiable single `bytes=` range.
pub(super) fn parse_range(headers: &HeaderMap, size: u64) -> Option<(u64, u64)> {
    let text = headers
        .get(header::RANGE)?
        .to_str()
        .ok()?
        .strip_prefix("bytes=")?;
    if text.contains(',') || size == 0 {
        return None;
    }
    let (start, end) = text.split_once('-')?;
    let (start, end) = if start.is_empty() {
        let suffix: u64 = end.parse().ok()?;
        (size.saturating_sub(suffix), size - 1)
    } else {
        let start: u64 = start.parse().ok()?;
        let end = if end.is_empty() {
            size - 1
        } else {
            end.parse::<u64>().ok()?.min(size - 1)
        };
        (start, end)
    };
    (start <= end).then_some((start, end))
}

/// Answers with an object's bytes (or just its headers for `HEAD`).
pub(super) async fn serve_object(
    state: &HubState,
    req: &Req,
    sha256: &str,
    mut headers: HeaderMap,
) -> ApiResult {
    let path = state.store.object_path(sha256);
    let mut file = tokio::fs::File::open(&path).await.map_err(|e| {
        ApiError::internal(format!("object {sha256} is missing from the store: {e}"))
    })?;
    let size = file.metadata().await.map_err(ApiError::internal)?.len();
    insert(&mut headers, "accept-ranges", "bytes");
    insert(&mut headers, "content-type", "application/octet-stream");
    let (status, start, len) = match parse_range(&req.headers, size) {
        Some((start, end)) => {
            insert(
                &mut headers,
                "content-range",
                &format!("bytes {start}-{end}/{size}"),
            );
            (StatusCode::PARTIAL_CONTENT, start, end - start + 1)
        }
        None => (StatusCode::OK, 0, size),
    };
    insert(&mut headers, "content-length", &len.to_string());
    let body = if req.method == Method::HEAD {
        Body::empty()
    } else {
        if start > 0 {
            file.seek(SeekFrom::Start(start))
                .await
                .map_err(ApiError::internal)?;
        }
        Body::from_stream(tokio_util::io::ReaderStream::new(file.take(len)))
    };
    let mut response = (status, body).into_response();
    response.headers_mut().extend(headers);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_single_and_clamped() {
        let mut headers = HeaderMap::new();
        let mut range = |value: &str| {
            headers.insert(header::RANGE, HeaderValue::from_str(value).unwrap());
            parse_range(&headers, 10)
        };
        assert_eq!(range("bytes=2-4"), Some((2, 4)));
        assert_eq!(range("bytes=7-"), Some((7, 9)));
        assert_eq!(range("bytes=-3"), Some((7, 9)));
        assert_eq!(range("bytes=5-100"), Some((5, 9)));
        assert_eq!(range("bytes=6-2"), None);
        assert_eq!(range("bytes=0-1,3-4"), None);
        assert_eq!(range("items=0-1"), None);
    }
}
