//! Where the Hub token comes from, in the order `huggingface_hub` and hf-hub read it:
//!
//! 1. `HF_TOKEN` (non-empty);
//! 2. the file named by `HF_TOKEN_PATH`;
//! 3. `$HF_HOME/token`, where `HF_HOME` defaults to `$XDG_CACHE_HOME/huggingface`, then
//!    `~/.cache/huggingface` (the file `huggingface-cli login` / `hf auth login` writes).
//!
//! The value is trimmed; an empty value counts as absent. [`HubToken`]'s `Debug` never prints it.

use std::fmt;
use std::path::PathBuf;

/// Where a token was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// The `HF_TOKEN` environment variable.
    Env,
    /// A token file.
    File(PathBuf),
    /// Given directly by the caller (flag, test, in-process hub).
    Explicit,
}

impl fmt::Display for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::Env => f.write_str("HF_TOKEN"),
            TokenSource::File(path) => write!(f, "{}", path.display()),
            TokenSource::Explicit => f.write_str("explicit"),
        }
    }
}

/// A Hub access token and where it came from.
#[derive(Clone, PartialEq, Eq)]
pub struct HubToken {
    value: String,
    source: TokenSource,
}

impl HubToken {
    /// A token given directly.
    pub fn explicit(value: impl Into<String>) -> Self {
        HubToken {
            value: value.into().trim().to_string(),
            source: TokenSource::Explicit,
        }
    }

    /// The secret itself (send it only to the Hub).
    pub fn secret(&self) -> &str {
        &self.value
    }

    /// Where it was found.
    pub fn source(&self) -> &TokenSource {
        &self.source
    }
}

impl fmt::Debug for HubToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HubToken")
            .field("value", &"<redacted>")
            .field("source", &self.source)
            .finish()
    }
}

/// Why a token file that exists could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the Hub token file {path}: {error}")]
pub struct TokenError {
    /// The file.
    pub path: PathBuf,
    /// The I/O error.
    pub error: std::io::Error,
}

/// Resolves the token from the process environment and token files.
pub fn resolve_token() -> Result<Option<HubToken>, TokenError> {
    resolve_token_with(&|name| std::env::var(name).ok())
}

/// Resolves the token with `env` standing in for the environment (tests pass a map).
pub fn resolve_token_with(
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<HubToken>, TokenError> {
    let non_empty = |name: &str| env(name).filter(|value| !value.trim().is_empty());
    if let Some(value) = non_empty("HF_TOKEN") {
        return Ok(Some(HubToken {
            value: value.trim().to_string(),
            source: TokenSource::Env,
        }));
    }
    let mut candidates = Vec::new();
    if let Some(path) = non_empty("HF_TOKEN_PATH") {
        candidates.push(PathBuf::from(path));
    }
    if let Some(home) = hf_home(env) {
        candidates.push(home.join("token"));
    }
    for path in candidates {
        match std::fs::read_to_string(&path) {
            Ok(text) if !text.trim().is_empty() => {
                return Ok(Some(HubToken {
                    value: text.trim().to_string(),
                    source: TokenSource::File(path),
                }));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(TokenError { path, error }),
        }
    }
    Ok(None)
}

/// `HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else `$HOME/.cache/huggingface`.
fn hf_home(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let set = |name: &str| env(name).filter(|value| !value.is_empty());
    if let Some(home) = set("HF_HOME") {
        return Some(PathBuf::from(home));
    }
    if let Some(xdg) = set("XDG_CACHE_HOME") {
        return Some(PathBuf::from(xdg).join("huggingface"));
    }
    set("HOME").map(|home| PathBuf::from(home).join(".cache").join("huggingface"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn env_of(pairs: &[(&str, String)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn env_wins_over_files_and_is_trimmed() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("token"), "file-token\n").unwrap();
        let home = tmp.path().display().to_string();
        let env = env_of(&[("HF_TOKEN", " env-token \n".into()), ("HF_HOME", home)]);
        let token = resolve_token_with(&env).unwrap().unwrap();
        assert_eq!(token.secret(), "env-token");
        assert_eq!(token.source(), &TokenSource::Env);
        assert!(!format!("{token:?}").contains("env-token"));
    }

    #[test]
    fn token_path_then_hf_home_then_home_cache() {
        let tmp = tempfile::tempdir().unwrap();
        let explicit = tmp.path().join("explicit");
        std::fs::write(&explicit, "path-token").unwrap();
        let hf_home = tmp.path().join("hf");
        std::fs::create_dir_all(&hf_home).unwrap();
        std::fs::write(hf_home.join("token"), "home-token\n").unwrap();
        let user_home = tmp.path().join("user");
        std::fs::create_dir_all(user_home.join(".cache/huggingface")).unwrap();
        std::fs::write(user_home.join(".cache/huggingface/token"), "cache-token").unwrap();

        let env = env_of(&[
            ("HF_TOKEN", "".into()),
            ("HF_TOKEN_PATH", explicit.display().to_string()),
            ("HF_HOME", hf_home.display().to_string()),
        ]);
        assert_eq!(
            resolve_token_with(&env).unwrap().unwrap().secret(),
            "path-token"
        );

        let env = env_of(&[("HF_HOME", hf_home.display().to_string())]);
        let token = resolve_token_with(&env).unwrap().unwrap();
        assert_eq!(token.secret(), "home-token");
        assert_eq!(token.source(), &TokenSource::File(hf_home.join("token")));

        let env = env_of(&[("HOME", user_home.display().to_string())]);
        assert_eq!(
            resolve_token_with(&env).unwrap().unwrap().secret(),
            "cache-token"
        );

        let env = env_of(&[("HOME", tmp.path().join("nobody").display().to_string())]);
        assert!(resolve_token_with(&env).unwrap().is_none());
    }
}
