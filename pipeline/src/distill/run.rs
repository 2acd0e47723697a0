//! The two entry points the CLI and the miner/validator call: label documents into a dataset
//! folder, and verify a dataset folder against the teacher.

use std::path::{Path, PathBuf};
use std::time::Instant;

use nya_metadata::commitment::RepoRef;
use nya_metadata::task::TaskId;
use serde::Serialize;

use super::labels::{LabelParams, label_documents, read_document_files};
use super::storage::{LabelSetParams, check_target, read_label_set, write_label_set};
use super::teacher::{LoadOptions, Teacher};
use super::verify::{VerifyReport, check_inputs, dtype_name, verify};
use super::{DeviceKind, DistillError};
use crate::hub::{self, FetchLimits, FetchRequest, HubSettings, RepoKind, VerifyMode};

/// Where the teacher comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelSource {
    /// A local folder (config.json, safetensors, tokenizer.json).
    Local(PathBuf),
    /// `owner/name@<40-hex commit>` on the Hub, not fetched yet ([`ModelSource::fetch`]).
    Hub(RepoRef),
    /// A Hub revision fetched into a local folder.
    Fetched { dir: PathBuf, repo: RepoRef },
}

/// Hard limits on a teacher download: Phi-3-medium in bf16 is 28 GB in a handful of shards.
pub const MODEL_FETCH_LIMITS: FetchLimits = FetchLimits {
    max_total_bytes: 200 << 30,
    max_files: 256,
    max_file_bytes: 50 << 30,
};

impl ModelSource {
    /// A path that exists is local; otherwise text with `@` must be `owner/name@<commit sha>`
    /// (never a branch: labels must name the exact weights); anything else is a local path
    /// whose absence loading reports.
    pub fn parse(text: &str) -> Result<Self, DistillError> {
        let path = PathBuf::from(text);
        if path.exists() || !text.contains('@') {
            return Ok(Self::Local(path));
        }
        text.parse::<RepoRef>()
            .map(Self::Hub)
            .map_err(|error| DistillError::HubModel(format!("{text}: {error}")))
    }

    /// Fetches a Hub model into `cache_root` (once per revision; verified against the Hub's
    /// LFS sha256 and git blob ids) and returns it as [`ModelSource::Fetched`]; other sources
    /// come back unchanged. Blocks on its own runtime: call it from synchronous code.
    pub fn fetch(self, settings: &HubSettings, cache_root: &Path) -> Result<Self, DistillError> {
        let Self::Hub(repo) = self else {
            return Ok(self);
        };
        let request = FetchRequest {
            target: hub::fetch::cache_path(cache_root, RepoKind::Model, &repo),
            repo: repo.clone(),
            kind: RepoKind::Model,
            mode: VerifyMode::HubLfs,
            limits: MODEL_FETCH_LIMITS,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| DistillError::HubModel(format!("{repo}: tokio runtime: {error}")))?;
        let snapshot = runtime
            .block_on(hub::fetch(settings, &request))
            .map_err(|error| DistillError::HubModel(format!("{repo}: {error}")))?;
        Ok(Self::Fetched {
            dir: snapshot.dir,
            repo,
        })
    }

    /// The local folder; the Hub form must be fetched first.
    pub fn local(&self) -> Result<&Path, DistillError> {
        match self {
            Self::Local(path) | Self::Fetched { dir: path, .. } => Ok(path),
            Self::Hub(repo) => Err(DistillError::HubModel(format!(
                "{repo}: not fetched (ModelSource::fetch)"
            ))),
        }
    }

    /// What the manifest records as the teacher: (repo, revision); a local folder is its path
    /// and `local`.
    pub fn provenance(&self) -> (String, String) {
        match self {
            Self::Local(path) => (path.display().to_string(), "local".to_owned()),
            Self::Hub(repo) | Self::Fetched { repo, .. } => {
                (repo.repo.to_string(), repo.revision.to_string())
            }
        }
    }
}

/// Everything `nya distill` needs.
#[derive(Debug, Clone)]
pub struct DistillOptions {
    pub model: ModelSource,
    /// Document files (.jsonl or .parquet), read in order.
    pub data: Vec<PathBuf>,
    pub out: PathBuf,
    pub params: LabelParams,
    pub device: DeviceKind,
    pub task_id: TaskId,
    /// Bytes available on the device; measured when `None`.
    pub available_memory: Option<u64>,
}

/// What a run produced.
#[derive(Debug, Clone, Serialize)]
pub struct DistillSummary {
    pub out: PathBuf,
    pub documents: u64,
    pub windows: u64,
    pub tokens: u64,
    pub data_bytes: u64,
    pub bytes_per_token: f64,
    pub seconds: f64,
    pub tokens_per_second: f64,
    pub family: String,
    pub parameters: u64,
    pub device: String,
}

/// Loads the teacher, labels the documents of `options.data` and writes the dataset folder.
/// `progress` gets (tokens done, tokens in all) after each batch.
pub fn distill(
    options: &DistillOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<DistillSummary, DistillError> {
    let model_dir = options.model.local()?;
    // Refuse a used output folder before hours of work, not after.
    check_target(&options.out)?;
    let documents = read_document_files(&options.data)?;
    let device = options.device.open()?;
    let load = LoadOptions {
        batch_tokens: options.params.batch_tokens.max(options.params.seq_len),
        seq_len: options.params.seq_len,
        available_memory: options.available_memory,
        dtype: None,
    };
    let teacher = Teacher::load(model_dir, &device, &load)?;
    let started = Instant::now();
    let windows = label_documents(&teacher, &documents, &options.params, progress)?;
    let seconds = started.elapsed().as_secs_f64();
    let (model_repo, model_revision) = options.model.provenance();
    let params = LabelSetParams {
        model_repo,
        model_revision,
        family: teacher.config.family.model_type().into(),
        tokenizer_sha256: teacher.tokenizer_sha256,
        vocab_size: teacher.config.vocab_size,
        k: options.params.k,
        seq_len: options.params.seq_len,
        dtype: dtype_name(teacher.decoder.dtype()),
        documents: documents.len() as u64,
    };
    let sources: Vec<String> = options
        .data
        .iter()
        .map(|path| {
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string())
        })
        .collect();
    let summary = write_label_set(
        &options.out,
        &windows,
        &documents,
        options.task_id.clone(),
        sources,
        &params,
    )?;
    Ok(DistillSummary {
        out: options.out.clone(),
        documents: documents.len() as u64,
        windows: windows.len() as u64,
        tokens: summary.tokens,
        data_bytes: summary.data_bytes,
        bytes_per_token: summary.bytes_per_token(),
        seconds,
        tokens_per_second: summary.tokens as f64 / seconds.max(1e-9),
        family: params.family,
        parameters: teacher.config.parameter_count(),
        device: options.device.to_string(),
    })
}

/// Verifies the label set folder `labels` against the teacher: `samples` positions, seeded;
/// with `documents` (the task's input file), also that the labels cover exactly those
/// documents, tokenized by the teacher's tokenizer.
pub fn verify_folder(
    model: &ModelSource,
    labels: &Path,
    documents: &[PathBuf],
    samples: usize,
    seed: u64,
    device: DeviceKind,
) -> Result<VerifyReport, DistillError> {
    let set = read_label_set(labels)?;
    let documents = if documents.is_empty() {
        None
    } else {
        Some(read_document_files(documents)?)
    };
    let device = device.open()?;
    let longest = set
        .windows
        .iter()
        .map(|w| w.input_ids.len())
        .max()
        .unwrap_or(1);
    let load = LoadOptions {
        batch_tokens: longest,
        seq_len: longest,
        available_memory: None,
        dtype: None,
    };
    let teacher = Teacher::load(model.local()?, &device, &load)?;
    let mut report = verify(&teacher, &set, samples, seed)?;
    if let Some(documents) = documents {
        report
            .failures
            .extend(check_inputs(&teacher, &set, &documents)?);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::distill::config::Family;
    use crate::distill::test_model::{TinySpec, random_text, write_tiny_model};

    #[test]
    fn model_sources_parse_and_the_hub_form_needs_a_commit_sha() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        let hub = ModelSource::parse(&format!("microsoft/Phi-3-mini@{sha}")).unwrap();
        assert!(matches!(&hub, ModelSource::Hub(repo) if repo.revision.to_string() == sha));
        assert_eq!(
            hub.provenance(),
            ("microsoft/Phi-3-mini".to_owned(), sha.to_owned())
        );
        let err = hub.local().unwrap_err().to_string();
        assert!(err.contains("not fetched"), "{err}");
        assert!(matches!(
            ModelSource::parse("no-such-dir").unwrap(),
            ModelSource::Local(_)
        ));
        let branch = ModelSource::parse("a/b@main").unwrap_err().to_string();
        assert!(branch.contains("a/b@main"), "{branch}");
    }

    #[test]
    fn distill_then_verify_a_jsonl_file_end_to_end() {
        let root = tempfile::tempdir().unwrap();
        let model = root.path().join("model");
        let spec = TinySpec::new(Family::Phi3);
        write_tiny_model(&model, &spec, 2);
        let data = root.path().join("docs.jsonl");
        let lines: Vec<String> = (0..3)
            .map(|i| {
                serde_json::json!({"id": format!("d{i}"), "text": random_text(90, 20, i)})
                    .to_string()
            })
            .collect();
        std::fs::write(&data, lines.join("\n")).unwrap();
        let options = DistillOptions {
            model: ModelSource::Local(model.clone()),
            data: vec![data],
            out: root.path().join("out"),
            params: LabelParams {
                k: 4,
                seq_len: 8,
                batch_tokens: 32,
            },
            device: DeviceKind::Cpu,
            task_id: TaskId::new("distill-e2e").unwrap(),
            available_memory: None,
        };
        let mut last = (0, 0);
        let summary = distill(&options, &mut |done, total| last = (done, total)).unwrap();
        assert_eq!(summary.tokens, 60);
        assert_eq!(summary.windows, 9);
        assert_eq!(last, (60, 60));
        let report = verify_folder(
            &ModelSource::Local(model.clone()),
            &options.out,
            &options.data,
            20,
            1,
            DeviceKind::Cpu,
        )
        .unwrap();
        assert!(report.passed(), "{report:?}");
        // Labels checked against documents they were not made from.
        let other = root.path().join("other.jsonl");
        std::fs::write(&other, lines[..2].join("\n")).unwrap();
        let report = verify_folder(
            &ModelSource::Local(model),
            &options.out,
            &[other],
            5,
            1,
            DeviceKind::Cpu,
        )
        .unwrap();
        let failures = report.failures.join("; ");
        assert!(
            failures.contains("content_digest") || failures.contains("content digest"),
            "{failures}"
        );
        assert!(
            failures.contains("\"d2\", which is not among the documents"),
            "{failures}"
        );
    }
}

#[cfg(test)]
mod hub_tests {
    use super::*;
    use crate::distill::config::Family;
    use crate::distill::storage::read_label_set;
    use crate::distill::test_model::{TinySpec, random_text, write_tiny_model};
    use crate::hub::server::{OfflineHub, OfflineHubConfig};
    use crate::hub::{HubToken, PublishOptions, publish};
    use nya_metadata::commitment::RepoId;

    /// A teacher published to the offline hub is fetched by commit sha (once), and the labels'
    /// manifest names that repo and revision.
    #[test]
    fn a_hub_teacher_is_fetched_by_sha_and_named_in_the_labels() {
        let root = tempfile::tempdir().unwrap();
        let model = root.path().join("model");
        write_tiny_model(&model, &TinySpec::new(Family::Llama), 3);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let hub = runtime
            .block_on(OfflineHub::start(OfflineHubConfig::new(
                root.path().join("hub"),
            )))
            .unwrap();
        let grant = hub.created_token().unwrap().clone();
        let settings = HubSettings::new(hub.url(), Some(HubToken::explicit(&grant.token)));
        let options = PublishOptions {
            kind: RepoKind::Model,
            require_manifest: false,
            ..PublishOptions::default()
        };
        let repo = RepoId::new(format!("{}/tiny-teacher", grant.user)).unwrap();
        let published = runtime
            .block_on(publish(&settings, &model, &repo, &options))
            .unwrap();

        let text = published.repo_ref.to_string();
        let cache = root.path().join("cache");
        let source = ModelSource::parse(&text).unwrap();
        let fetched = source.clone().fetch(&settings, &cache).unwrap();
        let ModelSource::Fetched { dir, .. } = &fetched else {
            panic!("{fetched:?}");
        };
        assert!(dir.starts_with(&cache));
        // A second fetch of the same revision reuses the snapshot.
        assert_eq!(source.fetch(&settings, &cache).unwrap(), fetched);

        let data = root.path().join("docs.jsonl");
        let line = serde_json::json!({"id": "d0", "text": random_text(40, 20, 1)});
        std::fs::write(&data, line.to_string()).unwrap();
        let options = DistillOptions {
            model: fetched,
            data: vec![data],
            out: root.path().join("labels"),
            params: LabelParams {
                k: 4,
                seq_len: 16,
                batch_tokens: 32,
            },
            device: DeviceKind::Cpu,
            task_id: TaskId::new("distill-hub").unwrap(),
            available_memory: None,
        };
        distill(&options, &mut |_, _| {}).unwrap();
        let set = read_label_set(&options.out).unwrap();
        assert_eq!(set.params.model_repo, repo.to_string());
        assert_eq!(
            set.params.model_revision,
            published.repo_ref.revision.to_string()
        );
        runtime.block_on(hub.shutdown()).unwrap();
    }
}
