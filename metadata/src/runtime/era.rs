//! `sp_runtime::generic::Era`, the mortality of a signed transaction (`CheckMortality`).
//!
//! Encoding: `Immortal` is the single byte `0x00`. `Mortal { period, phase }` is a
//! little-endian u16: the low 4 bits hold `log2(period) - 1` (period a power of two in
//! 4..=65536), the high 12 bits `phase / q` where `q = max(period >> 12, 1)`. In metadata the
//! type is an enum of 256 variants: `Immortal` at 0 and `MortalN(u8)` at `N`, the first byte
//! being the variant index and the second its field.

use parity_scale_codec::{Decode, Encode, Input, Output};
use scale_info::build::{Fields, Variants};
use scale_info::{Path, Type, TypeInfo};

/// Shortest mortal period.
pub const MIN_PERIOD: u64 = 4;
/// Longest mortal period.
pub const MAX_PERIOD: u64 = 1 << 16;

/// A transaction's validity window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Era {
    /// Valid forever.
    Immortal,
    /// Valid for `period` blocks from the block whose number is `phase` modulo `period`.
    Mortal {
        /// Length of the window, a power of two in 4..=65536.
        period: u64,
        /// Start of the window modulo `period`.
        phase: u64,
    },
}

impl Era {
    /// The era a transaction signed at `current` valid for about `period` blocks gets (period
    /// rounded up to a power of two and clamped to 4..=65536), as Substrate computes it.
    pub fn mortal(period: u64, current: u64) -> Era {
        let period = period
            .checked_next_power_of_two()
            .unwrap_or(MAX_PERIOD)
            .clamp(MIN_PERIOD, MAX_PERIOD);
        let phase = current % period;
        let quantize = (period >> 12).max(1);
        Era::Mortal {
            period,
            phase: phase / quantize * quantize,
        }
    }

    /// First block of the window containing `current` (0 when immortal).
    pub fn birth(&self, current: u64) -> u64 {
        match *self {
            Era::Immortal => 0,
            // `checked_div`: a hand-built `Mortal { period: 0, .. }` must not panic.
            Era::Mortal { period, phase } => (current.max(phase).saturating_sub(phase))
                .checked_div(period)
                .unwrap_or(0)
                .saturating_mul(period)
                .saturating_add(phase),
        }
    }

    /// First block at which the transaction is no longer valid (`u64::MAX` when immortal).
    pub fn death(&self, current: u64) -> u64 {
        match *self {
            Era::Immortal => u64::MAX,
            Era::Mortal { period, .. } => self.birth(current).saturating_add(period),
        }
    }
}

impl Encode for Era {
    fn size_hint(&self) -> usize {
        match self {
            Era::Immortal => 1,
            Era::Mortal { .. } => 2,
        }
    }

    fn encode_to<T: Output + ?Sized>(&self, dest: &mut T) {
        match *self {
            Era::Immortal => dest.push_byte(0),
            Era::Mortal { period, phase } => {
                let quantize = (period >> 12).max(1);
                let low = u64::from(period.trailing_zeros())
                    .saturating_sub(1)
                    .clamp(1, 15);
                let encoded = low | ((phase / quantize) << 4);
                // Values built by `Era::mortal` or decoded fit in 16 bits.
                dest.write(&(encoded as u16).to_le_bytes());
            }
        }
    }
}

impl Decode for Era {
    fn decode<I: Input>(input: &mut I) -> Result<Self, parity_scale_codec::Error> {
        let first = input.read_byte()?;
        if first == 0 {
            return Ok(Era::Immortal);
        }
        let encoded = u64::from(first) | (u64::from(input.read_byte()?) << 8);
        let period = 2u64 << (encoded % (1 << 4));
        let quantize = (period >> 12).max(1);
        let phase = (encoded >> 4) * quantize;
        if period >= MIN_PERIOD && phase < period {
            Ok(Era::Mortal { period, phase })
        } else {
            Err("Era: phase not below period".into())
        }
    }
}

/// Adds `MortalN(u8)` at index `N` for each listed `N`.
macro_rules! mortal_variants {
    ($variants:expr; $($n:literal)*) => {{
        let mut variants = $variants;
        $(
            variants = variants.variant(concat!("Mortal", $n), |v| {
                v.index($n).fields(Fields::unnamed().field(|f| f.ty::<u8>()))
            });
        )*
        variants
    }};
}

impl TypeInfo for Era {
    type Identity = Self;

    // Hand-written: the metadata describes the two encoded bytes as 256 variants.
    fn type_info() -> Type {
        let variants = Variants::new().variant("Immortal", |v| v.index(0));
        let variants = mortal_variants!(variants; 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 119 120 121 122 123 124 125 126 127 128 129 130 131 132 133 134 135 136 137 138 139 140 141 142 143 144 145 146 147 148 149 150 151 152 153 154 155 156 157 158 159 160 161 162 163 164 165 166 167 168 169 170 171 172 173 174 175 176 177 178 179 180 181 182 183 184 185 186 187 188 189 190 191 192 193 194 195 196 197 198 199 200 201 202 203 204 205 206 207 208 209 210 211 212 213 214 215 216 217 218 219 220 221 222 223 224 225 226 227 228 229 230 231 232 233 234 235 236 237 238 239 240 241 242 243 244 245 246 247 248 249 250 251 252 253 254 255);
        Type::builder()
            .path(Path::new("Era", module_path!()))
            .variant(variants)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_era_round_trips_and_matches_substrate_bytes() {
        assert_eq!(Era::Immortal.encode(), vec![0]);
        // period 64, phase 42: low = log2(64) - 1 = 5, high = 42 -> 42 << 4 | 5 = 0x02a5.
        let era = Era::mortal(64, 42);
        assert_eq!(
            era,
            Era::Mortal {
                period: 64,
                phase: 42
            }
        );
        assert_eq!(era.encode(), vec![0xa5, 0x02]);
        assert_eq!(Era::decode(&mut &era.encode()[..]).ok(), Some(era));
        assert_eq!(era.birth(100), 42);
        assert_eq!(era.death(100), 42 + 64);
        assert_eq!(era.birth(200), 42 + 128);
        for (period, current) in [(4, 0), (5, 7), (4096, 123_456), (65_536, 9_999_999), (1, 3)] {
            let era = Era::mortal(period, current);
            assert_eq!(
                Era::decode(&mut &era.encode()[..]).ok(),
                Some(era),
                "{period} {current}"
            );
        }
    }

    #[test]
    fn runtime_era_rejects_phase_past_period() {
        // low nibble 1 -> period 4; phase 15 >= 4.
        assert!(Era::decode(&mut &[0xf1, 0x00][..]).is_err());
        assert!(Era::decode(&mut &[0x05][..]).is_err(), "truncated");
        let zero = Era::Mortal {
            period: 0,
            phase: 0,
        };
        assert_eq!(zero.birth(10), 0, "a zero period is answered, not a panic");
    }
}
