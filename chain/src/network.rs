//! Which subtensor to talk to: the network names the bittensor SDK knows, or any URL.

use std::fmt;
use std::str::FromStr;

/// A subtensor network, as `--subtensor.network` / `BT_SUBTENSOR_NETWORK` name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Network {
    /// Main net.
    Finney,
    /// Test net.
    Test,
    /// Main net's archive nodes (every block's state).
    Archive,
    /// A node on this machine: `nya localnet` or a subtensor dev node, `ws://127.0.0.1:9944`.
    Local,
    /// Any `ws://` or `wss://` endpoint.
    Url(String),
}

impl Network {
    /// The WebSocket endpoint, the same ones the bittensor SDK uses for each name.
    pub fn endpoint(&self) -> &str {
        match self {
            Network::Finney => "wss://entrypoint-finney.opentensor.ai:443",
            Network::Test => "wss://test.finney.opentensor.ai:443",
            Network::Archive => "wss://archive.chain.opentensor.ai:443",
            Network::Local => "ws://127.0.0.1:9944",
            Network::Url(url) => url,
        }
    }

    /// The network name (or URL) as a user would type it.
    pub fn name(&self) -> &str {
        match self {
            Network::Finney => "finney",
            Network::Test => "test",
            Network::Archive => "archive",
            Network::Local => "local",
            Network::Url(url) => url,
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a network name was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown network {0:?}: expected finney, test, archive, local, or a ws:// or wss:// URL")]
pub struct UnknownNetwork(pub String);

impl FromStr for Network {
    type Err = UnknownNetwork;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "finney" => Ok(Network::Finney),
            "test" => Ok(Network::Test),
            "archive" => Ok(Network::Archive),
            "local" => Ok(Network::Local),
            url if is_ws_url(url) => Ok(Network::Url(url.to_owned())),
            other => Err(UnknownNetwork(other.to_owned())),
        }
    }
}

/// `ws://host…` or `wss://host…` with a non-empty host part.
pub fn is_ws_url(s: &str) -> bool {
    let rest = s.strip_prefix("ws://").or_else(|| s.strip_prefix("wss://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_urls_parse() {
        assert_eq!("finney".parse(), Ok(Network::Finney));
        assert_eq!(
            "local".parse::<Network>().unwrap().endpoint(),
            "ws://127.0.0.1:9944"
        );
        assert_eq!(
            "ws://10.0.0.1:9944".parse(),
            Ok(Network::Url("ws://10.0.0.1:9944".into()))
        );
        assert_eq!(
            "wss://example.org/rpc"
                .parse::<Network>()
                .unwrap()
                .endpoint(),
            "wss://example.org/rpc"
        );
    }

    #[test]
    fn bad_names_are_refused_with_the_choices() {
        for bad in [
            "mainnet",
            "http://x:9944",
            "ws://",
            "ws:///path",
            "",
            "ws://a b",
        ] {
            let err = bad.parse::<Network>().unwrap_err();
            assert!(
                err.to_string().contains("expected finney, test"),
                "{bad}: {err}"
            );
        }
    }
}
