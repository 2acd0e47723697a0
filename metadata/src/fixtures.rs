//! Where tests find the shared real-data fixtures (`../shared/fixtures` beside the clone).
//!
//! A user's clone has no `../shared`, so a test that needs a fixture skips with a message; CI sets
//! `NYA_REQUIRE_FIXTURES=1` so the same test fails there instead of passing silently.
//! `NYA_FIXTURES` overrides the location.

use std::path::PathBuf;

/// The fixtures root: `$NYA_FIXTURES`, else `<workspace>/../shared/fixtures`.
pub fn root() -> PathBuf {
    if let Some(dir) = std::env::var_os("NYA_FIXTURES") {
        return PathBuf::from(dir);
    }
    // This crate sits at <workspace>/metadata, so the workspace is its parent.
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures")
}

/// True when CI demands fixtures (`NYA_REQUIRE_FIXTURES=1`).
pub fn required() -> bool {
    std::env::var("NYA_REQUIRE_FIXTURES").is_ok_and(|v| v == "1")
}

/// The path of fixture `relative` if it exists. When it does not: `None` after printing why the
/// test is skipped, or a panic when [`required`] (so CI cannot skip it).
pub fn path(relative: &str) -> Option<PathBuf> {
    let path = root().join(relative);
    if path.exists() {
        return Some(path);
    }
    let message = format!(
        "fixture {} not found (../shared/fixtures is absent in a plain clone)",
        path.display()
    );
    if required() {
        panic!("{message}; NYA_REQUIRE_FIXTURES=1 forbids skipping");
    }
    eprintln!("skipping: {message}");
    None
}

/// `let Some(p) = fixture!("chain/finney-spec393.scale") else { return };`, in one line.
#[macro_export]
macro_rules! fixture {
    ($relative:expr) => {
        $crate::fixtures::path($relative)
    };
}
