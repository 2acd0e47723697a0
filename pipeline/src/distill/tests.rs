//! End-to-end tests of the distill module on tiny seeded teachers written to disk and loaded
//! through the real path (config, safetensors, tokenizer).

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Device, Tensor};
use nya_metadata::task::TaskId;

use super::DistillError;
use super::config::Family;
use super::labels::{Document, LabelParams, WindowLabels, label_documents, read_documents};
use super::storage::{LabelSet, LabelSetParams, read_label_set, write_label_set};
use super::teacher::{LoadOptions, Teacher};
use super::test_model::{TinySpec, random_text, write_tiny_model};
use super::verify::{
    BF16_TOLERANCES, F32_TOLERANCES, Tolerances, check_inputs, compare, dtype_name, verify,
};

const FAMILIES: [Family; 4] = [Family::Phi3, Family::Llama, Family::Mistral, Family::Qwen2];

fn load(dir: &Path) -> Result<Teacher, DistillError> {
    let options = LoadOptions {
        batch_tokens: 64,
        seq_len: 32,
        available_memory: None,
        dtype: None,
    };
    Teacher::load(dir, &Device::Cpu, &options)
}

fn tiny(spec: &TinySpec, seed: u64) -> (tempfile::TempDir, Teacher) {
    let dir = tempfile::tempdir().unwrap();
    write_tiny_model(dir.path(), spec, seed);
    let teacher = load(dir.path()).unwrap();
    (dir, teacher)
}

/// Logits `[len, vocab]` of one sequence, as host rows.
fn logits(teacher: &Teacher, ids: &[u32]) -> Vec<Vec<f32>> {
    teacher
        .decoder
        .forward(&[ids.to_vec()])
        .unwrap()
        .squeeze(0)
        .unwrap()
        .to_vec2()
        .unwrap()
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn tokens(count: usize, seed: u64) -> Vec<u32> {
    (0..count as u32)
        .map(|i| 1 + (i * 37 + seed as u32 * 11) % 89)
        .collect()
}

#[test]
fn every_family_is_causal_and_all_positions_equal_their_prefix_runs() {
    for family in FAMILIES {
        let mut spec = TinySpec::new(family);
        spec.sharded = family == Family::Llama;
        spec.tie = family == Family::Qwen2;
        if family == Family::Mistral || family == Family::Phi3 {
            spec.sliding_window = Some(6);
        }
        let (_dir, teacher) = tiny(&spec, 11);
        let ids = tokens(12, 1);
        let full = logits(&teacher, &ids);
        assert_eq!(full.len(), 12);
        assert_eq!(full[0].len(), spec.vocab);
        // Causality: positions up to 5 ignore what follows.
        let mut changed = ids.clone();
        for id in &mut changed[6..] {
            *id = 89 - *id % 80;
        }
        let other = logits(&teacher, &changed);
        for t in 0..=5 {
            assert!(
                max_abs_diff(&full[t], &other[t]) < 1e-5,
                "{family:?} position {t}"
            );
        }
        assert!(
            max_abs_diff(&full[6], &other[6]) > 1e-3,
            "{family:?}: the change shows"
        );
        // Every position's logits equal the last position of its own prefix run.
        for len in [1, 5, 12] {
            let prefix = logits(&teacher, &ids[..len]);
            let diff = max_abs_diff(&full[len - 1], &prefix[len - 1]);
            assert!(diff < 1e-4, "{family:?} prefix {len}: {diff}");
        }
        // Peaked, not near-uniform: the best token takes a real share of the mass.
        let row = &full[3];
        let max = row.iter().copied().fold(f32::MIN, f32::max);
        let total: f32 = row.iter().map(|v| (v - max).exp()).sum();
        assert!(
            1.0 / total > 0.2,
            "{family:?}: top probability {}",
            1.0 / total
        );
    }
}

/// Rewrites a grouped-query checkpoint as plain multi-head attention by repeating each key and
/// value head for the query heads it serves.
fn expand_kv_heads(from: &Path, to: &Path, spec: &TinySpec) {
    std::fs::create_dir_all(to).unwrap();
    let mut tensors: HashMap<String, Tensor> =
        candle_core::safetensors::load(from.join("model.safetensors"), &Device::Cpu).unwrap();
    let head_dim = spec.hidden / spec.heads;
    let group = spec.heads / spec.kv_heads;
    for layer in 0..spec.layers {
        for part in ["k_proj", "v_proj"] {
            let name = format!("model.layers.{layer}.self_attn.{part}.weight");
            let weight = tensors.remove(&name).unwrap();
            let mut heads = Vec::new();
            for head in 0..spec.kv_heads {
                let rows = weight.narrow(0, head * head_dim, head_dim).unwrap();
                heads.extend(std::iter::repeat_n(rows, group));
            }
            tensors.insert(name, Tensor::cat(&heads, 0).unwrap());
        }
    }
    candle_core::safetensors::save(&tensors, to.join("model.safetensors")).unwrap();
    let mut config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(from.join("config.json")).unwrap()).unwrap();
    config["num_key_value_heads"] = serde_json::json!(spec.heads);
    std::fs::write(to.join("config.json"), config.to_string()).unwrap();
    std::fs::copy(from.join("tokenizer.json"), to.join("tokenizer.json")).unwrap();
}

#[test]
fn grouped_query_attention_equals_repeated_heads() {
    let spec = TinySpec::new(Family::Llama);
    assert!(spec.kv_heads < spec.heads);
    let (dir, gqa) = tiny(&spec, 5);
    let mha_dir = tempfile::tempdir().unwrap();
    expand_kv_heads(dir.path(), mha_dir.path(), &spec);
    let mha = load(mha_dir.path()).unwrap();
    assert_eq!(mha.config.num_kv_heads, spec.heads);
    let ids = tokens(10, 2);
    for (a, b) in logits(&gqa, &ids).iter().zip(logits(&mha, &ids)) {
        assert!(max_abs_diff(a, &b) < 1e-4);
    }
}

#[test]
fn sliding_window_hides_exactly_the_keys_outside_it() {
    let window = 4;
    let mut spec = TinySpec::new(Family::Mistral);
    // One layer, so a position's receptive field is exactly its window.
    spec.layers = 1;
    spec.sliding_window = Some(window);
    let (_dir, teacher) = tiny(&spec, 9);
    let ids = tokens(10, 3);
    let base = logits(&teacher, &ids);
    let query = 8;
    let outside = query - window; // the newest key the query must not see
    let mut changed = ids.clone();
    changed[outside] = ids[outside] % 80 + 5;
    assert!(max_abs_diff(&base[query], &logits(&teacher, &changed)[query]) < 1e-5);
    let mut changed = ids.clone();
    changed[outside + 1] = ids[outside + 1] % 80 + 5; // the oldest key it does see
    assert!(max_abs_diff(&base[query], &logits(&teacher, &changed)[query]) > 1e-3);
    // Without a window the same key matters.
    spec.sliding_window = None;
    let (_dir2, full) = tiny(&spec, 9);
    let mut changed = ids.clone();
    changed[outside] = ids[outside] % 80 + 5;
    let diff = max_abs_diff(&logits(&full, &ids)[query], &logits(&full, &changed)[query]);
    assert!(diff > 1e-3);
}

fn documents(count: usize, words: usize) -> Vec<Document> {
    (0..count)
        .map(|i| Document {
            id: format!("doc-{i:03}"),
            text: random_text(words, 5 + 9 * i, i as u64),
        })
        .collect()
}

fn params(k: usize, seq_len: usize, batch_tokens: usize) -> LabelParams {
    LabelParams {
        k,
        seq_len,
        batch_tokens,
    }
}

fn label(teacher: &Teacher, docs: &[Document], p: &LabelParams) -> Vec<WindowLabels> {
    label_documents(teacher, docs, p, &mut |_, _| {}).unwrap()
}

#[test]
fn windows_split_documents_and_logprobs_equal_a_naive_softmax() {
    let spec = TinySpec::new(Family::Phi3);
    let (_dir, teacher) = tiny(&spec, 3);
    let docs = documents(4, spec.words);
    let windows = label(&teacher, &docs, &params(8, 16, 64));
    // doc-003 has 32 words: two full windows of 16.
    let doc3: Vec<&WindowLabels> = windows.iter().filter(|w| w.id == "doc-003").collect();
    assert_eq!(doc3.len(), 2);
    assert_eq!((doc3[0].start, doc3[1].start), (0, 16));
    let joined: Vec<u32> = doc3.iter().flat_map(|w| w.input_ids.clone()).collect();
    assert_eq!(joined, teacher.tokenize(&docs[3].text).unwrap());
    // Each position's stored top-k equals a naive f64 softmax over the window's logits.
    for window in &windows {
        let rows = logits(&teacher, &window.input_ids);
        for (t, row) in rows.iter().enumerate() {
            let max = row.iter().map(|&v| v as f64).fold(f64::MIN, f64::max);
            let norm = max
                + row
                    .iter()
                    .map(|&v| (v as f64 - max).exp())
                    .sum::<f64>()
                    .ln();
            let mut order: Vec<usize> = (0..row.len()).collect();
            order.sort_by(|&a, &b| row[b].total_cmp(&row[a]));
            for j in 0..8 {
                assert_eq!(window.top_ids[t * 8 + j] as usize, order[j]);
                let naive = row[order[j]] as f64 - norm;
                assert!((window.top_logprobs[t * 8 + j] as f64 - naive).abs() < 1e-4);
            }
        }
    }
}

#[test]
fn batched_windows_equal_one_at_a_time() {
    let spec = TinySpec::new(Family::Qwen2);
    let (_dir, teacher) = tiny(&spec, 4);
    let docs = documents(6, spec.words);
    let one = label(&teacher, &docs, &params(4, 8, 1));
    let packed = label(&teacher, &docs, &params(4, 8, 64));
    assert_eq!(one.len(), packed.len());
    for (a, b) in one.iter().zip(&packed) {
        assert_eq!(
            (&a.id, a.window, &a.input_ids),
            (&b.id, b.window, &b.input_ids)
        );
        assert_eq!(a.top_ids, b.top_ids);
        assert!(max_abs_diff(&a.top_logprobs, &b.top_logprobs) < 1e-4);
    }
}

fn set_params(teacher: &Teacher, k: usize, seq_len: usize, docs: usize) -> LabelSetParams {
    LabelSetParams {
        model_repo: "local/tiny".into(),
        model_revision: "local".into(),
        family: teacher.config.family.model_type().into(),
        tokenizer_sha256: teacher.tokenizer_sha256,
        vocab_size: teacher.config.vocab_size,
        k,
        seq_len,
        dtype: dtype_name(teacher.decoder.dtype()),
        documents: docs as u64,
    }
}

fn write_and_read(
    out: &Path,
    teacher: &Teacher,
    windows: &[WindowLabels],
    docs: &[Document],
    p: &LabelParams,
) -> LabelSet {
    write_label_set(
        out,
        windows,
        docs,
        TaskId::new("distill-test").unwrap(),
        vec!["docs.jsonl".into()],
        &set_params(teacher, p.k, p.seq_len, docs.len()),
    )
    .unwrap();
    read_label_set(out).unwrap()
}

#[test]
fn label_sets_round_trip_and_verify_honest_but_not_tampered_output() {
    let spec = TinySpec::new(Family::Phi3);
    let (_dir, teacher) = tiny(&spec, 21);
    let docs = documents(5, spec.words);
    let p = params(6, 12, 48);
    let windows = label(&teacher, &docs, &p);
    let root = tempfile::tempdir().unwrap();
    let set = write_and_read(&root.path().join("labels"), &teacher, &windows, &docs, &p);
    // Round trip: everything exact except the fixed-point log-probs (≤ half a step).
    assert_eq!(set.windows.len(), windows.len());
    for (a, b) in windows.iter().zip(&set.windows) {
        assert_eq!((&a.id, a.window, a.start), (&b.id, b.window, b.start));
        assert_eq!((&a.input_ids, &a.top_ids), (&b.input_ids, &b.top_ids));
        assert!(max_abs_diff(&a.top_logprobs, &b.top_logprobs) <= 0.5 / 1024.0 + 1e-6);
    }
    let tokens: usize = windows.iter().map(|w| w.input_ids.len()).sum();
    assert_eq!(set.manifest.token_count, tokens as u64);
    assert_eq!(set.params.k, 6);
    // No hidden temp folder left beside the output.
    let names: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
    assert_eq!(names.len(), 1);
    // A second write into the non-empty folder is refused.
    let again = write_label_set(
        &root.path().join("labels"),
        &windows,
        &docs,
        TaskId::new("distill-test").unwrap(),
        vec!["docs.jsonl".into()],
        &set_params(&teacher, 6, 12, docs.len()),
    );
    assert!(again.unwrap_err().to_string().contains("not empty"));

    // A manifest claiming k = 0 is refused on reading (it would make every row empty).
    let manifest_path = root.path().join("labels").join("nya-manifest.json");
    let original = std::fs::read_to_string(&manifest_path).unwrap();
    std::fs::write(&manifest_path, original.replace("\"k\": 6", "\"k\": 0")).unwrap();
    let err = read_label_set(&root.path().join("labels"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("`k` is 0"), "{err}");
    std::fs::write(&manifest_path, original).unwrap();

    let honest = verify(&teacher, &set, 40, 7).unwrap();
    assert!(honest.passed(), "{:?}", honest);
    assert_eq!(honest.agreement.positions, 40);
    assert_eq!(honest.agreement.top1_match_rate, 1.0);
    assert!(honest.agreement.mean_abs_logprob_diff < 1e-3);

    // The labels cover exactly the documents, tokenized honestly…
    assert!(check_inputs(&teacher, &set, &docs).unwrap().is_empty());
    // …and a window whose inputs were swapped for other tokens is caught.
    let mut swapped = set.clone();
    if let Some(id) = swapped.windows[0].input_ids.first_mut() {
        *id = *id % 80 + 3;
    }
    let failures = check_inputs(&teacher, &swapped, &docs).unwrap();
    assert!(
        failures.iter().any(|f| f.contains("not its tokens")),
        "{failures:?}"
    );

    // Shuffled ids within each position (log-probs left in place).
    let mut shuffled = set.clone();
    for w in &mut shuffled.windows {
        for row in w.top_ids.chunks_mut(6) {
            row.rotate_left(1);
        }
    }
    let report = verify(&teacher, &shuffled, 40, 7).unwrap();
    assert!(!report.passed());
    assert!(
        report.failures.iter().any(|f| f.contains("top-1")),
        "{report:?}"
    );

    // Log-probs shifted by a constant (ids intact, so top-1 and overlap still agree).
    let mut shifted = set.clone();
    for w in &mut shifted.windows {
        for lp in &mut w.top_logprobs {
            *lp -= 0.3;
        }
    }
    let report = verify(&teacher, &shifted, 40, 7).unwrap();
    assert!(
        report.failures.iter().any(|f| f.contains("log-prob")),
        "{report:?}"
    );

    // Another model's labels for the same documents.
    let (_other_dir, other) = tiny(&spec, 22);
    let foreign = label(&other, &docs, &p);
    let foreign_set = write_and_read(&root.path().join("foreign"), &other, &foreign, &docs, &p);
    let report = verify(&teacher, &foreign_set, 40, 7).unwrap();
    assert!(!report.passed(), "{report:?}");

    // Two miners: the same teacher agrees, another model does not.
    let batched = label(&teacher, &docs, &params(6, 12, 1));
    let twin = write_and_read(&root.path().join("twin"), &teacher, &batched, &docs, &p);
    assert!(
        compare(&set, &twin)
            .unwrap()
            .failures(&F32_TOLERANCES)
            .is_empty()
    );
    let foreign_agreement = compare(&set, &foreign_set).unwrap();
    assert!(!foreign_agreement.failures(&BF16_TOLERANCES).is_empty());
}

#[test]
fn a_teacher_that_does_not_fit_is_refused_before_loading() {
    let spec = TinySpec::new(Family::Phi3);
    let dir = tempfile::tempdir().unwrap();
    write_tiny_model(dir.path(), &spec, 1);
    let options = LoadOptions {
        batch_tokens: 64,
        seq_len: 32,
        available_memory: Some(10_000),
        dtype: None,
    };
    let err = Teacher::load(dir.path(), &Device::Cpu, &options).unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, DistillError::TooLarge { .. }), "{message}");
    assert!(
        message.contains("does not fit") && message.contains("parameters"),
        "{message}"
    );
}

#[test]
fn broken_teacher_folders_name_what_is_wrong() {
    let spec = TinySpec::new(Family::Llama);
    let fresh = || {
        let dir = tempfile::tempdir().unwrap();
        write_tiny_model(dir.path(), &spec, 1);
        dir
    };
    let expect = |dir: &Path, needle: &str| {
        let err = load(dir).unwrap_err().to_string();
        assert!(err.contains(needle), "expected {needle:?} in: {err}");
    };
    let dir = fresh();
    std::fs::remove_file(dir.path().join("config.json")).unwrap();
    expect(dir.path(), "missing config.json");
    let dir = fresh();
    std::fs::remove_file(dir.path().join("tokenizer.json")).unwrap();
    expect(dir.path(), "missing tokenizer.json");
    let dir = fresh();
    std::fs::remove_file(dir.path().join("model.safetensors")).unwrap();
    expect(dir.path(), "*.safetensors");
    let dir = fresh();
    std::fs::write(dir.path().join("model.safetensors"), b"not safetensors").unwrap();
    expect(dir.path(), "not a readable safetensors file");
    let dir = fresh();
    std::fs::write(dir.path().join("config.json"), b"{ not json").unwrap();
    expect(dir.path(), "config.json");
    // A tokenizer with more tokens than the model's vocabulary.
    let dir = fresh();
    super::test_model::write_tokenizer(&dir.path().join("tokenizer.json"), spec.vocab + 5);
    expect(dir.path(), "more than the model's vocab_size");
    // A config whose shapes disagree with the weights.
    let dir = fresh();
    let path = dir.path().join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    config["intermediate_size"] = serde_json::json!(48);
    std::fs::write(&path, config.to_string()).unwrap();
    expect(dir.path(), "llama checkpoint");
    // An index naming a shard that is not there.
    let dir = fresh();
    std::fs::write(
        dir.path().join("model.safetensors.index.json"),
        r#"{"weight_map": {"a": "gone.safetensors"}}"#,
    )
    .unwrap();
    expect(dir.path(), "gone.safetensors");
}

#[test]
fn hostile_documents_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let expect = |path: &Path, needle: &str| {
        let err = read_documents(path).unwrap_err().to_string();
        assert!(err.contains(needle), "expected {needle:?} in: {err}");
    };
    let good = write("good.jsonl", b"{\"id\": \"a\", \"text\": \"w1 w2\"}\n\n");
    assert_eq!(read_documents(&good).unwrap().len(), 1);
    expect(
        &write("utf8.jsonl", b"{\"id\": \"a\", \"text\": \"\xff\"}\n"),
        "line 1: not valid UTF-8",
    );
    expect(
        &write("noid.jsonl", b"{\"text\": \"w1\"}\n"),
        "line 1: no `id` field",
    );
    expect(
        &write("num.jsonl", b"{\"id\": 3, \"text\": \"w1\"}\n"),
        "`id` is not a string",
    );
    expect(
        &write("empty.jsonl", b"{\"id\": \"a\", \"text\": \"\"}\n"),
        "empty text",
    );
    let dup = b"{\"id\": \"a\", \"text\": \"w1\"}\n{\"id\": \"a\", \"text\": \"w2\"}\n";
    expect(&write("dup.jsonl", dup), "more than once");
    expect(&write("docs.txt", b"w1"), ".jsonl or .parquet");
    expect(&write("bad.parquet", b"PAR1 nope"), "not readable Parquet");

    // Parquet input with id and text columns.
    let mut frame = polars::prelude::df!("id" => ["x", "y"], "text" => ["w1 w2", "w3"]).unwrap();
    let path = dir.path().join("docs.parquet");
    let file = std::fs::File::create(&path).unwrap();
    polars::prelude::ParquetWriter::new(file)
        .finish(&mut frame)
        .unwrap();
    let docs = read_documents(&path).unwrap();
    assert_eq!(
        docs[1],
        Document {
            id: "y".into(),
            text: "w3".into()
        }
    );

    // Text that tokenizes to nothing is refused at labelling time.
    let spec = TinySpec::new(Family::Phi3);
    let (_model, teacher) = tiny(&spec, 1);
    let blank = [Document {
        id: "blank".into(),
        text: "   ".into(),
    }];
    let err = label_documents(&teacher, &blank, &params(4, 8, 8), &mut |_, _| {}).unwrap_err();
    assert!(err.to_string().contains("no tokens"), "{err}");
    let err = label_documents(
        &teacher,
        &documents(1, 90),
        &params(500, 8, 8),
        &mut |_, _| {},
    );
    assert!(err.unwrap_err().to_string().contains("top-k 500"));
}

#[test]
fn bf16_weights_on_disk_load_as_f32_on_cpu() {
    // Real checkpoints ship bf16; the CPU run converts them.
    let spec = TinySpec::new(Family::Mistral);
    let dir = tempfile::tempdir().unwrap();
    write_tiny_model(dir.path(), &spec, 8);
    let path = dir.path().join("model.safetensors");
    let tensors = candle_core::safetensors::load(&path, &Device::Cpu).unwrap();
    let bf16: HashMap<String, Tensor> = tensors
        .into_iter()
        .map(|(k, v)| (k, v.to_dtype(DType::BF16).unwrap()))
        .collect();
    candle_core::safetensors::save(&bf16, &path).unwrap();
    let teacher = load(dir.path()).unwrap();
    assert_eq!(teacher.decoder.dtype(), DType::F32);
    let rows = logits(&teacher, &tokens(6, 4));
    assert!(rows.iter().flatten().all(|v| v.is_finite()));
}

#[test]
fn bf16_labels_agree_with_f32_labels_within_the_tolerances() {
    // The measurement behind the provisional tolerances: the same tiny teacher run in bf16 and
    // in f32 (CPU), compared position by position as two miners would be.
    let spec = TinySpec::new(Family::Phi3);
    let dir = tempfile::tempdir().unwrap();
    write_tiny_model(dir.path(), &spec, 31);
    let options = |dtype| LoadOptions {
        batch_tokens: 64,
        seq_len: 32,
        available_memory: None,
        dtype: Some(dtype),
    };
    let f32_teacher = Teacher::load(dir.path(), &Device::Cpu, &options(DType::F32)).unwrap();
    let bf16_teacher = Teacher::load(dir.path(), &Device::Cpu, &options(DType::BF16)).unwrap();
    assert_eq!(bf16_teacher.decoder.dtype(), DType::BF16);
    let docs = documents(8, spec.words);
    let p = params(16, 32, 64);
    let root = tempfile::tempdir().unwrap();
    let exact = label(&f32_teacher, &docs, &p);
    let exact = write_and_read(&root.path().join("f32"), &f32_teacher, &exact, &docs, &p);
    let rounded = label(&bf16_teacher, &docs, &p);
    let rounded = write_and_read(
        &root.path().join("bf16"),
        &bf16_teacher,
        &rounded,
        &docs,
        &p,
    );
    let agreement = compare(&exact, &rounded).unwrap();
    eprintln!("bf16 vs f32: {agreement:?}");
    let tolerances = Tolerances::for_dtypes(&exact.params.dtype, &rounded.params.dtype);
    assert_eq!(tolerances, BF16_TOLERANCES);
    assert!(agreement.failures(&tolerances).is_empty(), "{agreement:?}");
    // …but not the f32 ones: the looser set is needed.
    assert!(!agreement.failures(&F32_TOLERANCES).is_empty());
    // bf16 really differs (so the comparison measured something).
    assert!(agreement.mean_abs_logprob_diff > 1e-3, "{agreement:?}");
    // A bf16 label set also passes verification by the f32 teacher.
    let report = verify(&f32_teacher, &rounded, 64, 3).unwrap();
    assert!(report.passed(), "{report:?}");
}
