//! The chain's `I32F32` fixed-point arithmetic (substrate-fixed, 32 integer and 32 fractional
//! bits), limited to what the weights checks and the epoch use, with the chain's rounding:
//!
//! - multiplication keeps the floor of the exact product (an arithmetic shift), saturating;
//! - division truncates toward zero, and `safe_div` gives zero for a zero divisor or an
//!   overflow (subtensor's `SafeDiv`);
//! - `round` rounds half away from zero; conversion to an integer takes the floor, saturating.
//!
//! Hand-written: no fixed-point crate is in the lockfile, and these few operations must match
//! the chain bit for bit (a normalised weight that is one ulp off changes a stored `u16`).

/// `I32F32`: a signed 64-bit value with 32 fractional bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct I32F32(i64);

const FRAC_BITS: u32 = 32;
const ONE_BITS: i64 = 1 << FRAC_BITS;

/// Clamps a wide intermediate into the 64-bit representation.
fn saturate(wide: i128) -> i64 {
    i64::try_from(wide).unwrap_or(if wide < 0 { i64::MIN } else { i64::MAX })
}

impl I32F32 {
    /// Zero.
    pub const ZERO: I32F32 = I32F32(0);
    /// One.
    pub const ONE: I32F32 = I32F32(ONE_BITS);

    /// The value with these raw bits.
    pub const fn from_bits(bits: i64) -> I32F32 {
        I32F32(bits)
    }

    /// The raw bits.
    pub const fn to_bits(self) -> i64 {
        self.0
    }

    /// An integer, saturating at the type's range (`saturating_from_num`).
    pub fn from_u64(value: u64) -> I32F32 {
        I32F32(saturate(i128::from(value) << FRAC_BITS))
    }

    /// `a + b`, saturating.
    pub fn saturating_add(self, rhs: I32F32) -> I32F32 {
        I32F32(self.0.saturating_add(rhs.0))
    }

    /// `a * b`: the floor of the exact product, saturating.
    pub fn saturating_mul(self, rhs: I32F32) -> I32F32 {
        I32F32(saturate(
            (i128::from(self.0) * i128::from(rhs.0)) >> FRAC_BITS,
        ))
    }

    /// `a / b` truncated toward zero; zero when `b` is zero or the quotient overflows.
    pub fn safe_div(self, rhs: I32F32) -> I32F32 {
        if rhs.0 == 0 {
            return I32F32::ZERO;
        }
        let quotient = (i128::from(self.0) << FRAC_BITS) / i128::from(rhs.0);
        i64::try_from(quotient).map_or(I32F32::ZERO, I32F32)
    }

    /// The smaller of two values.
    pub fn min(self, rhs: I32F32) -> I32F32 {
        if rhs < self { rhs } else { self }
    }

    /// Rounded to the nearest integer, halves away from zero (saturating at the range).
    pub fn round(self) -> I32F32 {
        let half = ONE_BITS / 2;
        let magnitude = i128::from(self.0).abs() + i128::from(half);
        let rounded = magnitude & !i128::from(ONE_BITS - 1);
        I32F32(saturate(if self.0 < 0 { -rounded } else { rounded }))
    }

    /// The floor as a `u64`, clamped at zero.
    pub fn to_u64(self) -> u64 {
        u64::try_from(self.0 >> FRAC_BITS).unwrap_or(0)
    }

    /// The floor as a `u16`, clamped to `0..=u16::MAX`.
    pub fn to_u16(self) -> u16 {
        let floor = self.0 >> FRAC_BITS;
        u16::try_from(floor.max(0)).unwrap_or(u16::MAX)
    }

    /// `floor(self * amount)` for a proportion in `[0, 1]` and an amount in rao: the chain's
    /// `I96F32::from_num(x) * I96F32::from_num(amount)` then `to_num::<u64>()`.
    pub fn share_of(self, amount: u64) -> u64 {
        let product = i128::from(self.0.max(0)) * i128::from(amount);
        u64::try_from(product >> FRAC_BITS).unwrap_or(u64::MAX)
    }
}

/// The sum of a slice (saturating).
pub fn sum(values: &[I32F32]) -> I32F32 {
    values
        .iter()
        .fold(I32F32::ZERO, |acc, v| acc.saturating_add(*v))
}

/// Divides every element by the sum, unless the sum is zero (`inplace_normalize`).
pub fn normalize(values: &mut [I32F32]) {
    let total = sum(values);
    if total == I32F32::ZERO {
        return;
    }
    for value in values.iter_mut() {
        *value = value.safe_div(total);
    }
}

/// Amounts in rao normalised to proportions the way the chain does stake: divided by their sum
/// in `I64F64` (64 fractional bits), then narrowed to `I32F32` by dropping 32 fractional bits.
pub fn normalize_amounts(amounts: &[u64]) -> Vec<I32F32> {
    let total: u128 = amounts.iter().map(|a| u128::from(*a)).sum();
    amounts
        .iter()
        .map(|amount| {
            if total == 0 {
                return I32F32::ZERO;
            }
            let proportion_i64f64 = (u128::from(*amount) << 64) / total;
            I32F32(saturate(
                i128::try_from(proportion_i64f64 >> FRAC_BITS).unwrap_or(i128::MAX),
            ))
        })
        .collect()
}

/// A proportion in `[0, 1]` as a `u16` fraction of `u16::MAX`, floored
/// (`fixed_proportion_to_u16`).
pub fn proportion_to_u16(value: I32F32) -> u16 {
    value
        .saturating_mul(I32F32::from_u64(u64::from(u16::MAX)))
        .to_u16()
}

/// Scales so that the largest element becomes `u16::MAX`, rounding (`vec_max_upscale_to_u16`).
/// Above 32768 the ratio is taken first so that the intermediate product cannot saturate.
pub fn max_upscale_to_u16(values: &[I32F32]) -> Vec<u16> {
    let u16_max = I32F32::from_u64(u64::from(u16::MAX));
    let threshold = I32F32::from_u64(32768);
    let Some(max) = values.iter().copied().max() else {
        return Vec::new();
    };
    if max == I32F32::ZERO {
        return values
            .iter()
            .map(|v| v.saturating_mul(u16_max).to_u16())
            .collect();
    }
    if max > threshold {
        let ratio = u16_max.safe_div(max);
        return values
            .iter()
            .map(|v| v.saturating_mul(ratio).round().to_u16())
            .collect();
    }
    values
        .iter()
        .map(|v| v.saturating_mul(u16_max).safe_div(max).round().to_u16())
        .collect()
}

/// [`max_upscale_to_u16`] of `u16` inputs (`vec_u16_max_upscale_to_u16`).
pub fn max_upscale_u16(values: &[u16]) -> Vec<u16> {
    let fixed: Vec<I32F32> = values
        .iter()
        .map(|v| I32F32::from_u64(u64::from(*v)))
        .collect();
    max_upscale_to_u16(&fixed)
}

/// Whether, once normalised to sum 1, no element exceeds `limit / u16::MAX`
/// (`check_vec_max_limited`).
pub fn is_max_limited(values: &[u16], limit: u16) -> bool {
    let limit = I32F32::from_u64(u64::from(limit)).safe_div(I32F32::from_u64(u64::from(u16::MAX)));
    let mut fixed: Vec<I32F32> = values
        .iter()
        .map(|v| I32F32::from_u64(u64::from(*v)))
        .collect();
    normalize(&mut fixed);
    fixed.iter().max().is_none_or(|max| *max <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(num: i64, den: i64) -> I32F32 {
        I32F32::from_bits((num << 32) / den)
    }

    #[test]
    fn multiplication_floors_and_division_truncates() {
        let third = I32F32::ONE.safe_div(I32F32::from_u64(3));
        assert_eq!(third.to_bits(), 1_431_655_765); // floor(2^32 / 3)
        // 3 * floor(2^32/3) = 2^32 - 1: one ulp under one.
        assert_eq!(
            third.saturating_mul(I32F32::from_u64(3)).to_bits(),
            ONE_BITS - 1
        );
        assert_eq!(I32F32::ONE.safe_div(I32F32::ZERO), I32F32::ZERO);
        assert_eq!(I32F32::from_u64(u64::MAX), I32F32::from_bits(i64::MAX));
    }

    #[test]
    fn round_goes_half_away_from_zero() {
        assert_eq!(f(5, 2).round(), I32F32::from_u64(3));
        assert_eq!(f(3, 2).round(), I32F32::from_u64(2));
        assert_eq!(f(7, 5).round(), I32F32::from_u64(1));
        assert_eq!(f(-5, 2).round().to_bits(), -3 * ONE_BITS);
    }

    #[test]
    fn max_upscale_matches_the_chain_on_known_vectors() {
        // [1, 2, 3] -> 65535 * [1/3, 2/3, 1] rounded.
        assert_eq!(max_upscale_u16(&[1, 2, 3]), vec![21845, 43690, 65535]);
        // Above the 32768 threshold the ratio path is used.
        // (65535/40000 is floored to 32 bits, so 20000 lands just under 32767.5.)
        assert_eq!(max_upscale_u16(&[40000, 20000]), vec![65535, 32767]);
        assert_eq!(max_upscale_u16(&[0, 0]), vec![0, 0]);
        assert_eq!(max_upscale_u16(&[]), Vec::<u16>::new());
        assert_eq!(max_upscale_u16(&[7]), vec![65535]);
    }

    #[test]
    fn max_limit_compares_normalised_weights() {
        // Two equal weights are 0.5 each: a limit of half of u16::MAX (32767/65535 < 0.5) fails.
        assert!(!is_max_limited(&[1, 1], 32767));
        assert!(is_max_limited(&[1, 1], 32768));
        assert!(is_max_limited(&[], 0));
    }

    #[test]
    fn amounts_normalise_through_64_fractional_bits() {
        let p = normalize_amounts(&[1, 3]);
        assert_eq!(p, vec![f(1, 4), f(3, 4)]);
        assert_eq!(normalize_amounts(&[0, 0]), vec![I32F32::ZERO, I32F32::ZERO]);
        assert_eq!(proportion_to_u16(f(1, 4)), 16383);
        assert_eq!(proportion_to_u16(I32F32::ONE), 65535);
        assert_eq!(f(1, 4).share_of(1_000), 250);
    }
}
