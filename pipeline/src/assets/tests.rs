//! Cache and download tests against the scripted loopback server; no internet.

use std::io::Write;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::test_server::{Reply, Seen, TestServer};
use super::*;

/// Deterministic pseudo-random bytes (xorshift), so partial transfers are distinguishable.
fn blob(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// A leaked test asset pinned to `data`.
fn asset_for(name: &str, data: &[u8], member: Option<&str>) -> &'static Asset {
    let leak = |text: String| -> &'static str { Box::leak(text.into_boxed_str()) };
    Box::leak(Box::new(Asset {
        name: leak(name.to_owned()),
        group: "test",
        file_name: leak(format!("{name}.bin")),
        url: "http://127.0.0.1:9/unused",
        archive_member: member.map(|m| leak(m.to_owned())),
        sha256: leak(hex::encode(Sha256::digest(data))),
        size: data.len() as u64,
    }))
}

fn fast_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy {
        attempts,
        first_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    cache: AssetCache,
    server: TestServer,
    url: String,
}

fn setup(asset: &Asset, replies: Vec<Reply>, attempts: u32) -> Setup {
    let dir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(error) => panic!("tempdir: {error}"),
    };
    let server = TestServer::start(replies);
    let url = format!("{}/files/{}", server.base, asset.file_name);
    let cache = AssetCache::new(dir.path().join("cache"))
        .with_url(asset.name, &url)
        .with_retry(fast_retries(attempts));
    Setup {
        _dir: dir,
        cache,
        server,
        url,
    }
}

fn read(path: &Path) -> Vec<u8> {
    match fs::read(path) {
        Ok(data) => data,
        Err(error) => panic!("reading {}: {error}", path.display()),
    }
}

fn leftovers(cache: &AssetCache, asset: &Asset) -> Vec<String> {
    match fs::read_dir(cache.dir().join(asset.group)) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[test]
fn downloads_verifies_and_reuses_the_cache() {
    let data = blob(100_000, 1);
    let asset = asset_for("plain", &data, None);
    let s = setup(asset, vec![Reply::Body(data.clone())], 1);
    let path = match s.cache.get(asset) {
        Ok(path) => path,
        Err(error) => panic!("{error}"),
    };
    assert_eq!(path, s.cache.cache_path(asset));
    assert_eq!(read(&path), data);
    assert_eq!(leftovers(&s.cache, asset), ["plain.bin"]);
    // A new cache over the same directory finds the verified file without any request.
    let again = AssetCache::new(s.cache.dir()).offline(true);
    assert!(matches!(again.get(asset), Ok(p) if p == path));
    assert_eq!(
        s.server.seen(),
        [Seen {
            path: "/files/plain.bin".into(),
            range: None
        }]
    );
}

#[test]
fn a_wrong_file_is_deleted_and_reported_with_both_hashes() {
    let data = blob(50_000, 2);
    let wrong = blob(50_000, 3);
    let asset = asset_for("wrong", &data, None);
    let s = setup(asset, vec![Reply::Body(wrong.clone())], 1);
    let error = s.cache.get(asset).err();
    let wrong_sha = hex::encode(Sha256::digest(&wrong));
    match &error {
        Some(AssetError::Mismatch {
            asset: name,
            origin,
            expected_sha256,
            actual_sha256,
            ..
        }) => {
            assert_eq!(*name, "wrong");
            assert_eq!(origin, &s.url);
            assert_eq!(*expected_sha256, asset.sha256);
            assert_eq!(actual_sha256, &wrong_sha);
        }
        other => panic!("expected a mismatch, got {other:?}"),
    }
    let message = error.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        message.contains(asset.sha256) && message.contains(&wrong_sha),
        "{message}"
    );
    assert!(
        leftovers(&s.cache, asset).is_empty(),
        "{:?}",
        leftovers(&s.cache, asset)
    );
}

#[test]
fn server_errors_are_retried() {
    let data = blob(10_000, 4);
    let asset = asset_for("flaky", &data, None);
    let replies = vec![
        Reply::Status(500),
        Reply::Status(503),
        Reply::Body(data.clone()),
    ];
    let s = setup(asset, replies, 4);
    assert!(matches!(s.cache.get(asset), Ok(path) if read(&path) == data));
    assert_eq!(s.server.seen().len(), 3);
}

#[test]
fn retries_run_out() {
    let data = blob(1_000, 5);
    let asset = asset_for("down", &data, None);
    let replies = vec![Reply::Status(500), Reply::Status(502), Reply::Status(500)];
    let s = setup(asset, replies, 3);
    let error = s.cache.get(asset).err();
    assert!(
        matches!(&error, Some(AssetError::Exhausted { attempts: 3, last_error, .. }) if last_error.contains("500")),
        "{error:?}"
    );
}

#[test]
fn a_dropped_connection_resumes_with_range() {
    let data = blob(200_000, 6);
    let asset = asset_for("resume", &data, None);
    let replies = vec![
        Reply::Cut {
            body: data.clone(),
            after: 70_000,
        },
        Reply::Body(data.clone()),
    ];
    let s = setup(asset, replies, 3);
    assert!(matches!(s.cache.get(asset), Ok(path) if read(&path) == data));
    let seen = s.server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].range, None);
    assert_eq!(seen[1].range.as_deref(), Some("bytes=70000-"));
}

#[test]
fn a_server_ignoring_range_restarts_cleanly() {
    let data = blob(120_000, 7);
    let asset = asset_for("norange", &data, None);
    let replies = vec![
        Reply::Cut {
            body: data.clone(),
            after: 40_000,
        },
        Reply::IgnoreRange(data.clone()),
    ];
    let s = setup(asset, replies, 3);
    assert!(matches!(s.cache.get(asset), Ok(path) if read(&path) == data));
    assert_eq!(s.server.seen()[1].range.as_deref(), Some("bytes=40000-"));
}

#[test]
fn a_partial_file_from_an_earlier_run_is_resumed() {
    let data = blob(30_000, 8);
    let asset = asset_for("earlier", &data, None);
    let s = setup(asset, vec![Reply::Body(data.clone())], 1);
    let group = s.cache.dir().join(asset.group);
    let written = fs::create_dir_all(&group)
        .and_then(|()| fs::write(group.join("earlier.bin.part"), &data[..12_345]));
    assert!(written.is_ok());
    assert!(matches!(s.cache.get(asset), Ok(path) if read(&path) == data));
    assert_eq!(s.server.seen()[0].range.as_deref(), Some("bytes=12345-"));
}

#[test]
fn not_found_names_the_asset_and_url_without_retrying() {
    let data = blob(100, 9);
    let asset = asset_for("missing", &data, None);
    let s = setup(asset, vec![Reply::Status(404), Reply::Status(404)], 5);
    let error = s.cache.get(asset).err();
    assert!(
        matches!(error, Some(AssetError::HttpStatus { status: 404, .. })),
        "{error:?}"
    );
    let message = error.map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(
        message,
        format!("asset missing: {} answered HTTP 404", s.url)
    );
    assert_eq!(s.server.seen().len(), 1);
}

#[test]
fn oversized_bodies_are_cut_off() {
    let data = blob(1_000, 10);
    let asset = asset_for("big", &data, None);
    let s = setup(asset, vec![Reply::Body(blob(5_000, 11))], 3);
    let error = s.cache.get(asset).err();
    assert!(
        matches!(error, Some(AssetError::TooLarge { limit: 1_000, .. })),
        "{error:?}"
    );
    assert!(leftovers(&s.cache, asset).is_empty());
}

#[test]
fn a_corrupt_cached_file_is_fetched_again() {
    let data = blob(8_000, 12);
    let asset = asset_for("stale", &data, None);
    let s = setup(asset, vec![Reply::Body(data.clone())], 1);
    let dest = s.cache.cache_path(asset);
    let planted = dest
        .parent()
        .map_or(Ok(()), fs::create_dir_all)
        .and_then(|()| fs::write(&dest, blob(8_000, 13)));
    assert!(planted.is_ok());
    assert!(matches!(s.cache.get(asset), Ok(path) if read(&path) == data));
    assert_eq!(s.server.seen().len(), 1);
}

#[test]
fn source_directories_are_used_in_place_and_verified() {
    let data = blob(4_000, 14);
    let asset = asset_for("local", &data, None);
    let Ok(dir) = tempfile::tempdir() else {
        panic!("tempdir")
    };
    let source = dir.path().join("fixtures");
    let in_group = source.join(asset.group).join(asset.file_name);
    let written =
        fs::create_dir_all(source.join(asset.group)).and_then(|()| fs::write(&in_group, &data));
    assert!(written.is_ok());
    let cache = AssetCache::new(dir.path().join("cache"))
        .with_source_dir(dir.path().join("empty"))
        .with_source_dir(&source)
        .offline(true);
    assert!(matches!(cache.get(asset), Ok(path) if path == in_group));
    // A file beside (not under) the group directory counts too; a wrong one is an error.
    let flat = dir.path().join("flat");
    let written =
        fs::create_dir_all(&flat).and_then(|()| fs::write(flat.join(asset.file_name), b"tampered"));
    assert!(written.is_ok());
    let tampered = AssetCache::new(dir.path().join("cache"))
        .with_source_dir(&flat)
        .offline(true);
    let error = tampered.get(asset).err();
    assert!(
        matches!(&error, Some(AssetError::Mismatch { origin, actual_size: 8, .. }) if origin.ends_with("local.bin")),
        "{error:?}"
    );
}

#[test]
fn offline_without_the_file_says_where_it_looked() {
    let data = blob(10, 15);
    let asset = asset_for("absent", &data, None);
    let Ok(dir) = tempfile::tempdir() else {
        panic!("tempdir")
    };
    let cache = AssetCache::new(dir.path().join("cache"))
        .with_source_dir(dir.path().join("src"))
        .offline(true);
    let error = cache.get(asset).err();
    let message = error.as_ref().map(ToString::to_string).unwrap_or_default();
    assert!(
        matches!(error, Some(AssetError::Offline { .. })),
        "{message}"
    );
    assert!(
        message.contains("absent.bin") && message.contains("src") && message.contains("cache"),
        "{message}"
    );
}

#[test]
fn archive_members_are_extracted_and_verified() {
    let data = blob(20_000, 16);
    let mut zipped = std::io::Cursor::new(Vec::new());
    {
        let mut writer = zip::ZipWriter::new(&mut zipped);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let built = writer
            .start_file("pkg/english/member.bin", options)
            .map_err(|e| e.to_string())
            .and_then(|()| writer.write_all(&data).map_err(|e| e.to_string()))
            .and_then(|()| writer.finish().map(drop).map_err(|e| e.to_string()));
        assert_eq!(built, Ok(()));
    }
    let archive = zipped.into_inner();
    let asset = asset_for("member", &data, Some("pkg/english/member.bin"));
    let s = setup(asset, vec![Reply::Body(archive.clone())], 1);
    assert!(matches!(s.cache.get(asset), Ok(path) if read(&path) == data));
    assert_eq!(
        leftovers(&s.cache, asset),
        ["member.bin"],
        "the archive is not kept"
    );
    // A member that is not there.
    let lost = asset_for("lost", &data, Some("pkg/english/other.bin"));
    let s = setup(lost, vec![Reply::Body(archive)], 1);
    let error = s.cache.get(lost).err();
    assert!(
        matches!(&error, Some(AssetError::Archive { reason, .. }) if reason.contains("pkg/english/other.bin")),
        "{error:?}"
    );
    // Not a zip at all.
    let s = setup(
        lost,
        vec![Reply::Body(b"<html>not a zip</html>".to_vec())],
        1,
    );
    assert!(matches!(s.cache.get(lost), Err(AssetError::Archive { .. })));
}

#[test]
fn url_overrides_and_env_names() {
    assert_eq!(url_env_var(&LID_176), "NYA_ASSET_URL_LID_176");
    assert_eq!(
        url_env_var(&PUNKT_ENGLISH_ORTHO_CONTEXT),
        "NYA_ASSET_URL_PUNKT_ENGLISH_ORTHO_CONTEXT"
    );
    let cache =
        AssetCache::new("/nonexistent").with_url("banned-words", "http://mirror.test/bw.txt");
    assert_eq!(cache.url_for(&BANNED_WORDS), "http://mirror.test/bw.txt");
    assert_eq!(by_name("ut1-adult-blacklist"), Some(&UT1_ADULT_BLACKLIST));
    assert_eq!(by_name("nope"), None);
    // Registry sanity: unique names and cache paths, well-formed pins.
    let mut names: Vec<&str> = ALL.iter().map(|a| a.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), ALL.len());
    let mut paths: Vec<PathBuf> = ALL.iter().map(|a| cache.cache_path(a)).collect();
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), ALL.len());
    for asset in ALL {
        assert!(
            asset.sha256.len() == 64 && asset.sha256.bytes().all(|b| b.is_ascii_hexdigit()),
            "{}",
            asset.name
        );
        assert!(asset.url.starts_with("https://"), "{}", asset.name);
    }
}

#[test]
fn pins_match_the_shared_fixtures() {
    let Some(refine) = nya_metadata::fixtures::path("refine") else {
        return;
    };
    let Ok(dir) = tempfile::tempdir() else {
        panic!("tempdir")
    };
    let cache = AssetCache::new(dir.path())
        .with_source_dir(&refine)
        .offline(true);
    for asset in ALL {
        match cache.get(asset) {
            Ok(path) => assert!(path.starts_with(&refine), "{}", path.display()),
            Err(error) => panic!("{error}"),
        }
    }
    let punkt = cache.get_all(&PUNKT_ENGLISH);
    assert!(
        matches!(punkt, Ok(paths) if paths.iter().all(|p| p.parent() == Some(&refine.join("punkt_tab_english"))))
    );
}
