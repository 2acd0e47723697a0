//! Log set-up: `tracing` to stderr, human or JSON, so stdout stays clean for command output.

use tracing_subscriber::EnvFilter;

use crate::cli::LogFormat;

/// Info for nya; the trafilatura crate reports routine recoveries (unparseable JSON-LD metadata,
/// which nya never uses) at info and warn, so only its errors; hf-hub logs every uploaded file
/// at info, so only its warnings.
const DEFAULT_FILTER: &str = "info,trafilatura=error,hf_hub=warn";

/// Installs the global subscriber. `level` (from `--log-level` or config) wins over RUST_LOG.
pub fn init(format: LogFormat, level: Option<&str>) -> anyhow::Result<()> {
    let filter = match level {
        Some(directives) => EnvFilter::try_new(directives)
            .map_err(|e| anyhow::anyhow!("invalid --log-level {directives:?}: {e}"))?,
        None => {
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER))
        }
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    result.map_err(|e| anyhow::anyhow!("cannot install the logger: {e}"))
}
