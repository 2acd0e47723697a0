//! `POST /api/<t>/<repo>/commit/main`: spool the NDJSON body, store inline files, commit.

use super::*;

pub(super) async fn commit(
    state: &Arc<HubState>,
    req: &Req,
    body: Body,
    target: Target,
    rev: &str,
) -> ApiResult {
    let allowed = (|| {
        require_write(state, &req.headers, target.repo.owner())?;
        readable(state, &req.headers, &target)?;
        if req.query_flag("create_pr") {
            return Err(ApiError::bad(
                "pull requests are not supported by the offline hub",
            ));
        }
        if rev != MAIN {
            return Err(ApiError::bad(format!(
                "only the main branch can be committed to, not {rev:?}"
            )));
        }
        Ok(())
    })();
    if let Err(error) = allowed {
        return refuse_after_draining(body, error).await;
    }
    let spooled = state.store.temp_path("commit-body");
    spool(body, &spooled, state.limits.max_commit_bytes).await?;
    let worker = Arc::clone(state);
    let base = base_url(state, &req.headers);
    let web_path = target.web_path();
    let outcome = tokio::task::spawn_blocking(move || {
        let result = apply_commit(&worker, &target, &spooled);
        let _ = std::fs::remove_file(&spooled);
        result
    })
    .await
    .map_err(ApiError::internal)??;
    json_response(json!({
        "commitUrl": format!("{base}/{web_path}/commit/{}", outcome.id),
        "commitOid": outcome.id,
        "commitMessage": outcome.summary,
        "commitDescription": outcome.description,
        "pullRequestUrl": null,
        "pullRequestNum": null,
        "success": true,
    }))
}

/// Parses a spooled commit body, stores inline files and records the commit (blocking).
pub(super) fn apply_commit(
    state: &HubState,
    target: &Target,
    spooled: &PathBuf,
) -> Result<Commit, ApiError> {
    let spill_dir = state.store.temp_path("spill");
    std::fs::create_dir_all(&spill_dir).map_err(ApiError::internal)?;
    let result = (|| {
        let file = std::fs::File::open(spooled).map_err(ApiError::internal)?;
        let body = ndjson::parse(
            std::io::BufReader::new(file),
            &spill_dir,
            state.limits.max_repo_files,
        )
        .map_err(|e| ApiError::bad(e.to_string()))?;
        let mut changes = Vec::with_capacity(body.operations.len());
        for operation in body.operations {
            changes.push(match operation {
                Operation::File { path, content } => {
                    let object = store_inline(state, &path, content)?;
                    let lfs = state.store.is_lfs(&path, object.size);
                    Change::Add { path, object, lfs }
                }
                Operation::LfsFile { path, oid, size } => {
                    match state.store.object_size(&oid) {
                        None => return Err(StoreError::MissingObject { sha256: oid }.into()),
                        Some(actual) if actual != size => {
                            return Err(StoreError::ObjectSize {
                                sha256: oid,
                                declared: size,
                                actual,
                            }
                            .into());
                        }
                        Some(_) => {}
                    }
                    Change::Add {
                        path,
                        object: ObjectInfo {
                            sha256: oid,
                            size,
                            git_oid: String::new(),
                        },
                        lfs: true,
                    }
                }
                Operation::DeletedFile { path } => Change::Delete { path },
                Operation::DeletedFolder { path } => Change::DeleteFolder { path },
            });
        }
        let new = NewCommit {
            parent: body.header.parent_commit,
            summary: body.header.summary,
            description: body.header.description,
            changes,
        };
        Ok(state
            .store
            .commit(target.kind, &target.repo, new, state.limits.max_repo_files)?)
    })();
    let _ = std::fs::remove_dir_all(&spill_dir);
    result
}

/// Decodes base64 content into a stored object, never holding a large file in memory.
pub(super) fn store_inline(
    state: &HubState,
    path: &str,
    content: Content,
) -> Result<ObjectInfo, ApiError> {
    let limit = state.limits.max_file_bytes;
    let temp = state.store.temp_path("inline");
    let written = match content {
        Content::Inline(text) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text.as_bytes())
                .map_err(|e| ApiError::bad(format!("{path}: content is not base64: {e}")))?;
            std::fs::write(&temp, &bytes).map_err(ApiError::internal)?;
            bytes.len() as u64
        }
        Content::Spilled(spill) => {
            let file = std::fs::File::open(&spill).map_err(ApiError::internal)?;
            let mut decoder = base64::read::DecoderReader::new(
                std::io::BufReader::new(file),
                &base64::engine::general_purpose::STANDARD,
            );
            let mut out = std::fs::File::create(&temp).map_err(ApiError::internal)?;
            let copied = std::io::copy(&mut (&mut decoder).take(limit + 1), &mut out);
            drop(out);
            let _ = std::fs::remove_file(&spill);
            match copied {
                Ok(n) => n,
                Err(e) => {
                    let _ = std::fs::remove_file(&temp);
                    return Err(ApiError::bad(format!("{path}: content is not base64: {e}")));
                }
            }
        }
    };
    if written > limit {
        let _ = std::fs::remove_file(&temp);
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("{path}: over the per-file limit of {limit} bytes"),
        ));
    }
    Ok(state.store.ingest(&temp, None)?)
}
