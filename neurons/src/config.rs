//! Resolved settings: flag > environment > `--config` TOML file > default.
//!
//! clap already resolves flag > environment (each global option names its variable); this module
//! fills what is still unset from the config file, then from the defaults.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use nya_chain::network::Network;
use serde::Deserialize;

use crate::cli::{GlobalArgs, LogFormat};

/// The TOML config file. Unknown keys are refused, so a typo is not silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub wallet: WalletSection,
    #[serde(default)]
    pub subtensor: SubtensorSection,
    #[serde(default)]
    pub log: LogSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalletSection {
    pub name: Option<String>,
    pub hotkey: Option<String>,
    pub path: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubtensorSection {
    pub network: Option<String>,
    pub chain_endpoint: Option<String>,
    pub netuid: Option<u16>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSection {
    pub format: Option<LogFormat>,
    pub level: Option<String>,
}

impl ConfigFile {
    /// Reads and parses a config file; errors name the file and the problem.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("config file {}: {}", path.display(), e.message()))
    }
}

/// Every global setting, resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    pub wallet_name: String,
    pub wallet_hotkey: String,
    pub wallet_path: PathBuf,
    pub network: Network,
    /// The endpoint to connect to: `chain_endpoint` if set, else the network's.
    pub endpoint: String,
    pub netuid: Option<u16>,
    pub log_format: LogFormat,
    pub log_level: Option<String>,
}

impl Settings {
    /// Applies config and defaults under what clap resolved from flags and environment.
    pub fn resolve(args: &GlobalArgs) -> Result<Self> {
        let file = match &args.config {
            Some(path) => ConfigFile::load(path)?,
            None => ConfigFile::default(),
        };
        Self::merge(args, file)
    }

    fn merge(args: &GlobalArgs, file: ConfigFile) -> Result<Self> {
        let network_name = args
            .network
            .clone()
            .or(file.subtensor.network)
            .unwrap_or_else(|| "finney".to_owned());
        let network: Network = network_name.parse()?;
        let endpoint = match args
            .chain_endpoint
            .clone()
            .or(file.subtensor.chain_endpoint)
        {
            Some(url) => {
                anyhow::ensure!(
                    nya_chain::network::is_ws_url(&url),
                    "chain endpoint {url:?} is not a ws:// or wss:// URL"
                );
                url
            }
            None => network.endpoint().to_owned(),
        };
        Ok(Settings {
            wallet_name: args
                .wallet_name
                .clone()
                .or(file.wallet.name)
                .unwrap_or_else(|| "default".to_owned()),
            wallet_hotkey: args
                .wallet_hotkey
                .clone()
                .or(file.wallet.hotkey)
                .unwrap_or_else(|| "default".to_owned()),
            wallet_path: expand_home(
                &args
                    .wallet_path
                    .clone()
                    .or(file.wallet.path)
                    .unwrap_or_else(|| PathBuf::from("~/.bittensor/wallets")),
            ),
            network,
            endpoint,
            netuid: args.netuid.or(file.subtensor.netuid),
            log_format: args
                .log_format
                .or(file.log.format)
                .unwrap_or(LogFormat::Human),
            log_level: args.log_level.clone().or(file.log.level),
        })
    }
}

/// `~` and `~/x` become the home directory, as bittensor expands wallet paths.
pub fn expand_home(path: &Path) -> PathBuf {
    let Ok(rest) = path.strip_prefix("~") else {
        return path.to_path_buf();
    };
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(rest),
        None => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> ConfigFile {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn defaults_apply_when_nothing_is_given() {
        let s = Settings::merge(&GlobalArgs::default(), ConfigFile::default()).unwrap();
        assert_eq!(s.wallet_name, "default");
        assert_eq!(s.wallet_hotkey, "default");
        assert!(s.wallet_path.ends_with(".bittensor/wallets"));
        assert_eq!(s.network, Network::Finney);
        assert_eq!(s.endpoint, "wss://entrypoint-finney.opentensor.ai:443");
        assert_eq!(s.log_format, LogFormat::Human);
    }

    #[test]
    fn config_fills_what_flags_and_env_left_unset() {
        let cfg = file(
            "[wallet]\nname = \"miner\"\nhotkey = \"hk\"\n[subtensor]\nnetwork = \"local\"\nnetuid = 7\n[log]\nformat = \"json\"\n",
        );
        let args = GlobalArgs {
            wallet_hotkey: Some("flag-hk".into()),
            ..Default::default()
        };
        let s = Settings::merge(&args, cfg).unwrap();
        assert_eq!(s.wallet_name, "miner");
        assert_eq!(s.wallet_hotkey, "flag-hk", "a flag beats the config file");
        assert_eq!(s.network, Network::Local);
        assert_eq!(s.endpoint, "ws://127.0.0.1:9944");
        assert_eq!(s.netuid, Some(7));
        assert_eq!(s.log_format, LogFormat::Json);
    }

    #[test]
    fn chain_endpoint_overrides_the_network_endpoint() {
        let args = GlobalArgs {
            network: Some("test".into()),
            chain_endpoint: Some("ws://127.0.0.1:9000".into()),
            ..Default::default()
        };
        let s = Settings::merge(&args, ConfigFile::default()).unwrap();
        assert_eq!(s.network, Network::Test);
        assert_eq!(s.endpoint, "ws://127.0.0.1:9000");
    }

    #[test]
    fn bad_config_values_are_refused_clearly() {
        let err = toml::from_str::<ConfigFile>("[wallet]\nnmae = \"x\"\n").unwrap_err();
        assert!(err.message().contains("unknown field `nmae`"), "{err}");
        let args = GlobalArgs {
            network: Some("mainnet".into()),
            ..Default::default()
        };
        let err = Settings::merge(&args, ConfigFile::default()).unwrap_err();
        assert!(
            err.to_string().contains("unknown network \"mainnet\""),
            "{err}"
        );
        let args = GlobalArgs {
            chain_endpoint: Some("http://x".into()),
            ..Default::default()
        };
        let err = Settings::merge(&args, ConfigFile::default()).unwrap_err();
        assert!(
            err.to_string().contains("not a ws:// or wss:// URL"),
            "{err}"
        );
    }
}
