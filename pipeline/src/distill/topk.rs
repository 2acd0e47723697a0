//! Log-probabilities and top-k selection.
//!
//! Log-probs come from a full log-softmax over the vocabulary in f32 (`x - max -
//! log(sum(exp(x - max)))`), never from the top-k logits alone.
//!
//! candle has no top-k op and its arg-sort fails on CUDA for rows as wide as a vocabulary, so:
//! - on CPU the rows are already in host memory; each is selected with a partial sort
//!   (`select_nth_unstable`, O(vocab)) and only the k winners are sorted;
//! - on other devices, k rounds of argmax on the device, each masking the winner to -inf, so
//!   only `rows × k` numbers cross to the host.
//!
//! Order within a row: log-prob descending, ties by lower token id (CPU; a device argmax picks
//! one of the tied ids).

use std::cmp::Ordering;

use candle_core::{D, DType, Tensor};
use rayon::prelude::*;

use super::DistillError;

/// Top-k of some rows, row-major: `ids[r * k + j]` is row `r`'s `j`-th most likely token.
#[derive(Debug, Clone, PartialEq)]
pub struct TopK {
    pub k: usize,
    pub ids: Vec<u32>,
    pub logprobs: Vec<f32>,
}

/// Log-softmax over the last dimension, in f32.
pub fn log_softmax_f32(logits: &Tensor) -> Result<Tensor, DistillError> {
    let logits = logits.to_dtype(DType::F32)?;
    Ok(candle_nn::ops::log_softmax(&logits, D::Minus1)?)
}

/// Top-k of each row of a `[rows, vocab]` tensor, chosen by device (see the module doc).
pub fn top_k(rows: &Tensor, k: usize) -> Result<TopK, DistillError> {
    let (_, width) = rows.dims2()?;
    check_k(k, width)?;
    if rows.device().is_cpu() {
        let values = rows.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()?;
        top_k_host(&values, width, k)
    } else {
        top_k_device(rows, k)
    }
}

fn check_k(k: usize, width: usize) -> Result<(), DistillError> {
    if k == 0 || k > width {
        return Err(DistillError::Input(format!(
            "top-k of {k} is not possible over a vocabulary of {width}; k must be 1 to {width}"
        )));
    }
    Ok(())
}

fn by_value_then_id(values: &[f32]) -> impl Fn(&u32, &u32) -> Ordering + '_ {
    move |&a, &b| {
        let (va, vb) = (values[a as usize], values[b as usize]);
        vb.total_cmp(&va).then(a.cmp(&b))
    }
}

/// Top-k of each `width`-wide row of row-major `values`, by partial sort.
pub fn top_k_host(values: &[f32], width: usize, k: usize) -> Result<TopK, DistillError> {
    check_k(k, width)?;
    if !values.len().is_multiple_of(width) {
        return Err(DistillError::Input(format!(
            "{} values are not whole rows of {width}",
            values.len()
        )));
    }
    let width_u32 = u32::try_from(width)
        .map_err(|_| DistillError::Input(format!("vocabulary of {width} exceeds u32")))?;
    // Rows are independent: select them in parallel, each into its own k-slot.
    let mut ids = vec![0u32; values.len() / width * k];
    ids.par_chunks_mut(k)
        .zip(values.par_chunks_exact(width))
        .for_each_init(
            || Vec::with_capacity(width),
            |order: &mut Vec<u32>, (out, row)| {
                order.clear();
                order.extend(0..width_u32);
                let compare = by_value_then_id(row);
                if k < width {
                    order.select_nth_unstable_by(k - 1, &compare);
                }
                let winners = &mut order[..k];
                winners.sort_unstable_by(&compare);
                out.copy_from_slice(winners);
            },
        );
    let logprobs = ids
        .chunks(k)
        .zip(values.chunks_exact(width))
        .flat_map(|(row_ids, row)| row_ids.iter().map(|&id| row[id as usize]))
        .collect();
    Ok(TopK { k, ids, logprobs })
}

/// Rows per round of [`top_k_device`]: bounds its temporaries to `ROW_CHUNK × vocab` floats.
pub const ROW_CHUNK: usize = 1024;

/// Top-k of each row of a `[rows, vocab]` tensor by k rounds of argmax on its device, a chunk of
/// [`ROW_CHUNK`] rows at a time.
pub fn top_k_device(rows: &Tensor, k: usize) -> Result<TopK, DistillError> {
    let (count, width) = rows.dims2()?;
    check_k(k, width)?;
    let device = rows.device();
    let width_u32 = u32::try_from(width)
        .map_err(|_| DistillError::Input(format!("vocabulary of {width} exceeds u32")))?;
    let columns = Tensor::arange(0u32, width_u32, device)?.unsqueeze(0)?;
    let mut ids = Vec::with_capacity(count * k);
    let mut logprobs = Vec::with_capacity(count * k);
    let mut start = 0;
    while start < count {
        let len = ROW_CHUNK.min(count - start);
        let removed = Tensor::new(f32::NEG_INFINITY, device)?.broadcast_as((len, width))?;
        let mut remaining = rows.narrow(0, start, len)?.to_dtype(DType::F32)?;
        let mut picked_ids = Vec::with_capacity(k);
        let mut picked_values = Vec::with_capacity(k);
        for _ in 0..k {
            let best = remaining.argmax_keepdim(D::Minus1)?;
            picked_values.push(remaining.gather(&best, D::Minus1)?);
            let hit = columns.broadcast_eq(&best)?;
            remaining = hit.where_cond(&removed, &remaining)?;
            picked_ids.push(best);
        }
        ids.extend(
            Tensor::cat(&picked_ids, 1)?
                .flatten_all()?
                .to_vec1::<u32>()?,
        );
        logprobs.extend(
            Tensor::cat(&picked_values, 1)?
                .flatten_all()?
                .to_vec1::<f32>()?,
        );
        start += len;
    }
    Ok(TopK { k, ids, logprobs })
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn random_rows(rows: usize, width: usize, seed: u64) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..rows * width)
            .map(|_| rng.random_range(-8.0f32..8.0))
            .collect()
    }

    fn full_sort(row: &[f32], k: usize) -> Vec<u32> {
        let mut order: Vec<u32> = (0..row.len() as u32).collect();
        order.sort_by(|&a, &b| row[b as usize].total_cmp(&row[a as usize]).then(a.cmp(&b)));
        order.truncate(k);
        order
    }

    #[test]
    fn host_and_device_top_k_equal_a_full_sort() {
        let (rows, width, k) = (9, 301, 16);
        let values = random_rows(rows, width, 7);
        let host = top_k_host(&values, width, k).unwrap();
        let tensor = Tensor::from_vec(values.clone(), (rows, width), &Device::Cpu).unwrap();
        let device = top_k_device(&tensor, k).unwrap();
        for (r, row) in values.chunks_exact(width).enumerate() {
            let expected = full_sort(row, k);
            assert_eq!(
                &host.ids[r * k..(r + 1) * k],
                expected.as_slice(),
                "host row {r}"
            );
            assert_eq!(
                &device.ids[r * k..(r + 1) * k],
                expected.as_slice(),
                "device row {r}"
            );
            for (j, &id) in expected.iter().enumerate() {
                assert_eq!(host.logprobs[r * k + j], row[id as usize]);
                assert_eq!(device.logprobs[r * k + j], row[id as usize]);
            }
        }
        // More rows than one device chunk.
        let many = random_rows(ROW_CHUNK + 3, 40, 9);
        let tensor = Tensor::from_vec(many.clone(), (ROW_CHUNK + 3, 40), &Device::Cpu).unwrap();
        assert_eq!(
            top_k_device(&tensor, 5).unwrap(),
            top_k_host(&many, 40, 5).unwrap()
        );
        // k equal to the width sorts the whole row.
        let all = top_k_host(&values[..width], width, width).unwrap();
        assert_eq!(all.ids, full_sort(&values[..width], width));
    }

    #[test]
    fn log_softmax_rows_normalise() {
        let (rows, width) = (4, 1000);
        let mut values = random_rows(rows, width, 3);
        values[5] = 80.0; // one large logit: the max subtraction must keep this finite
        let logits = Tensor::from_vec(values, (rows, width), &Device::Cpu).unwrap();
        let logprobs = log_softmax_f32(&logits).unwrap().to_vec2::<f32>().unwrap();
        for row in logprobs {
            let total: f64 = row.iter().map(|&v| (v as f64).exp()).sum();
            assert!((total.ln()).abs() < 1e-5, "logsumexp {}", total.ln());
        }
    }

    #[test]
    fn impossible_k_is_an_error() {
        let err = top_k_host(&[0.0; 10], 10, 11).unwrap_err().to_string();
        assert!(err.contains("k must be 1 to 10"), "{err}");
        assert!(top_k_host(&[0.0; 10], 10, 0).is_err());
        assert!(top_k_host(&[0.0; 11], 10, 1).is_err());
    }
}
