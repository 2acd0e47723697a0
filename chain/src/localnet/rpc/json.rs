//! JSON shapes of Substrate's RPC: `0x` hex bytes and hashes, block numbers as numbers or hex,
//! one-or-many parameters, storage change sets, runtime versions; and positional parameter
//! reading that names the offending parameter in `-32602` errors.
//!
//! Input hex follows Substrate's `impl-serde`: the `0x` prefix is optional and an odd number of
//! digits is read as if it had a leading zero. Output hex is always `0x` + lowercase digits.

use std::fmt;

use jsonrpsee::types::{ErrorObjectOwned, Params};
use nya_metadata::runtime::types::H256;
use parity_scale_codec::Decode;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::errors;

/// `0x` + lowercase hex.
pub fn to_hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// Serialises a hash as `0x` hex (for `#[serde(serialize_with)]`).
pub fn serialize_hash<S: Serializer>(hash: &H256, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&to_hex(&hash.0))
}

/// Decodes hex with an optional `0x` prefix; an odd digit count gets a leading zero.
pub fn from_hex(text: &str) -> Result<Vec<u8>, String> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    let decoded = if digits.len() % 2 == 1 {
        hex::decode(format!("0{digits}"))
    } else {
        hex::decode(digits)
    };
    decoded.map_err(|e| format!("{text:?} is not hex: {e}"))
}

/// Bytes as `0x` hex (`sp_core::Bytes`): storage keys, values, extrinsics, call data.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct HexBytes(pub Vec<u8>);

impl Serialize for HexBytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&to_hex(&self.0))
    }
}

impl<'de> Deserialize<'de> for HexBytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<HexBytes, D::Error> {
        let text = String::deserialize(deserializer)?;
        from_hex(&text).map(HexBytes).map_err(D::Error::custom)
    }
}

/// A 32-byte hash as `0x` hex.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HexHash(pub H256);

impl Serialize for HexHash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_hash(&self.0, serializer)
    }
}

impl<'de> Deserialize<'de> for HexHash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<HexHash, D::Error> {
        let text = String::deserialize(deserializer)?;
        let bytes = from_hex(&text).map_err(D::Error::custom)?;
        let array: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
            D::Error::custom(format!("{text:?} is {} bytes; a hash is 32", b.len()))
        })?;
        Ok(HexHash(H256(array)))
    }
}

/// A block number as given to `chain_getBlockHash`: a JSON number or a `0x` hex string
/// (Substrate's `NumberOrHex`, whose hex side is a U256).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NumberOrHex {
    /// A JSON number.
    Number(u64),
    /// A `0x` hex string, kept as given when it does not fit 128 bits.
    Hex(HexNumber),
}

/// The value of a hex block number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HexNumber {
    /// Fits 128 bits.
    Small(u128),
    /// Larger (up to Substrate's 256 bits); kept as the digits given.
    Large(String),
}

impl NumberOrHex {
    /// The number as a block number, or Substrate's chain error text when it exceeds u32
    /// (`` `Number(4294967296)` > u32::MAX, the max block number is u32. ``).
    pub fn to_block_number(&self) -> Result<u32, String> {
        let fits = match self {
            NumberOrHex::Number(n) => u32::try_from(*n).ok(),
            NumberOrHex::Hex(HexNumber::Small(n)) => u32::try_from(*n).ok(),
            NumberOrHex::Hex(HexNumber::Large(_)) => None,
        };
        fits.ok_or_else(|| format!("`{self}` > u32::MAX, the max block number is u32."))
    }
}

impl fmt::Display for NumberOrHex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumberOrHex::Number(n) => write!(f, "Number({n})"),
            NumberOrHex::Hex(HexNumber::Small(n)) => write!(f, "Hex({n})"),
            NumberOrHex::Hex(HexNumber::Large(digits)) => write!(f, "Hex(0x{digits})"),
        }
    }
}

impl<'de> Deserialize<'de> for NumberOrHex {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<NumberOrHex, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Number(number) => number
                .as_u64()
                .map(NumberOrHex::Number)
                .ok_or_else(|| D::Error::custom(format!("{number} is not a block number (u64)"))),
            Value::String(text) => parse_hex_number(&text)
                .map(NumberOrHex::Hex)
                .map_err(D::Error::custom),
            other => Err(D::Error::custom(format!(
                "expected a block number or a 0x-prefixed hex string, got {other}"
            ))),
        }
    }
}

/// Parses `0x`-prefixed hex of at most 256 bits (Substrate's U256 rule: the prefix is required).
fn parse_hex_number(text: &str) -> Result<HexNumber, String> {
    let digits = text
        .strip_prefix("0x")
        .ok_or_else(|| format!("{text:?} is not a number: hex numbers need the 0x prefix"))?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("{text:?} is not a hex number"));
    }
    let significant = digits.trim_start_matches('0');
    if significant.len() > 64 {
        return Err(format!("{text:?} is larger than 256 bits"));
    }
    Ok(
        match u128::from_str_radix(
            if significant.is_empty() {
                "0"
            } else {
                significant
            },
            16,
        ) {
            Ok(n) => HexNumber::Small(n),
            Err(_) => HexNumber::Large(significant.to_string()),
        },
    )
}

/// One value or a list of them (Substrate's `ListOrValue`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum ListOrValue<T> {
    /// A list.
    List(Vec<T>),
    /// One value.
    Value(T),
}

/// A storage change set: `{"block":"0x…","changes":[["0xkey","0xvalue"|null]]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StorageChangeSet {
    /// The block the values are read at.
    pub block: HexHash,
    /// Keys and their values (`None` = empty).
    pub changes: Vec<(HexBytes, Option<HexBytes>)>,
}

/// `sp_version::RuntimeVersion` as `state_getRuntimeVersion` writes it, decoded from the
/// runtime's `Core_version` SCALE result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeVersion {
    /// `spec_name`, e.g. `node-subtensor`.
    pub spec_name: String,
    /// `impl_name`.
    pub impl_name: String,
    /// `authoring_version`.
    pub authoring_version: u32,
    /// `spec_version`.
    pub spec_version: u32,
    /// `impl_version`.
    pub impl_version: u32,
    /// Runtime APIs as `["0x<8-byte id>", version]` pairs.
    pub apis: Vec<(String, u32)>,
    /// `transaction_version` (absent in very old runtimes: 1).
    pub transaction_version: u32,
    /// `system_version` (formerly `state_version`; absent in old runtimes: 0).
    pub system_version: u8,
}

impl RuntimeVersion {
    /// Decodes `Core_version`'s result. Older runtimes end after `apis` or after
    /// `transaction_version`; the missing fields take the defaults Substrate's own decoding
    /// gives them.
    pub fn decode_core_version(bytes: &[u8]) -> Result<RuntimeVersion, String> {
        let input = &mut &bytes[..];
        let field = |name: &str, e: parity_scale_codec::Error| {
            format!("Core_version result: field `{name}` does not decode: {e}")
        };
        let spec_name = String::decode(input).map_err(|e| field("spec_name", e))?;
        let impl_name = String::decode(input).map_err(|e| field("impl_name", e))?;
        let authoring_version = u32::decode(input).map_err(|e| field("authoring_version", e))?;
        let spec_version = u32::decode(input).map_err(|e| field("spec_version", e))?;
        let impl_version = u32::decode(input).map_err(|e| field("impl_version", e))?;
        let apis = Vec::<([u8; 8], u32)>::decode(input).map_err(|e| field("apis", e))?;
        let transaction_version = if input.is_empty() {
            1
        } else {
            u32::decode(input).map_err(|e| field("transaction_version", e))?
        };
        let system_version = if input.is_empty() {
            0
        } else {
            u8::decode(input).map_err(|e| field("system_version", e))?
        };
        if !input.is_empty() {
            return Err(format!(
                "Core_version result: {} bytes left over after `system_version`",
                input.len()
            ));
        }
        Ok(RuntimeVersion {
            spec_name,
            impl_name,
            authoring_version,
            spec_version,
            impl_version,
            apis: apis
                .into_iter()
                .map(|(id, version)| (to_hex(&id), version))
                .collect(),
            transaction_version,
            system_version,
        })
    }
}

/// Reads positional JSON-RPC parameters one by one, as Substrate's generated servers do:
/// missing trailing optional parameters and `null` mean "not given"; extra parameters are
/// ignored. Errors are `-32602 Invalid params` with data naming the parameter.
pub struct ParamReader {
    values: Vec<Value>,
    index: usize,
}

impl ParamReader {
    /// Splits the request's params (absent, or a JSON array).
    pub fn new(params: &Params<'_>) -> Result<ParamReader, ErrorObjectOwned> {
        let values = match params.as_str() {
            None => Vec::new(),
            Some(raw) => match serde_json::from_str::<Value>(raw) {
                Ok(Value::Array(values)) => values,
                Ok(Value::Null) => Vec::new(),
                Ok(other) => {
                    return Err(errors::invalid_params_data(format!(
                        "params must be a positional JSON array, got {}",
                        json_kind(&other)
                    )));
                }
                Err(e) => return Err(errors::invalid_params_data(e.to_string())),
            },
        };
        Ok(ParamReader { values, index: 0 })
    }

    /// The next parameter, which must be present and not `null`.
    pub fn required<T: DeserializeOwned>(&mut self, name: &str) -> Result<T, ErrorObjectOwned> {
        let index = self.index;
        match self.optional(name)? {
            Some(value) => Ok(value),
            None => Err(errors::invalid_param(index, name, "is required")),
        }
    }

    /// The next parameter; `None` when absent or `null`.
    pub fn optional<T: DeserializeOwned>(
        &mut self,
        name: &str,
    ) -> Result<Option<T>, ErrorObjectOwned> {
        let index = self.index;
        self.index += 1;
        match self.values.get(index) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => T::deserialize(value)
                .map(Some)
                .map_err(|e| errors::invalid_param(index, name, &e.to_string())),
        }
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parity_scale_codec::Encode;
    use serde_json::json;

    #[test]
    fn hex_bytes_accept_substrate_forms_and_reject_garbage() {
        let parse = |v: Value| serde_json::from_value::<HexBytes>(v).map(|b| b.0);
        assert_eq!(parse(json!("0x0102")).unwrap(), vec![1, 2]);
        assert_eq!(parse(json!("0102")).unwrap(), vec![1, 2]);
        assert_eq!(parse(json!("0x102")).unwrap(), vec![1, 2]);
        assert_eq!(parse(json!("0x")).unwrap(), Vec::<u8>::new());
        let err = parse(json!("0xzz")).unwrap_err().to_string();
        assert!(err.contains("\"0xzz\" is not hex"), "{err}");
        assert!(parse(json!(12)).is_err());
        assert_eq!(
            serde_json::to_value(HexBytes(vec![0xab, 0x01])).unwrap(),
            json!("0xab01")
        );
    }

    #[test]
    fn hashes_must_be_32_bytes() {
        let good = format!("0x{}", "ab".repeat(32));
        let hash: HexHash = serde_json::from_value(json!(good)).unwrap();
        assert_eq!(hash.0, H256([0xab; 32]));
        assert_eq!(serde_json::to_value(hash).unwrap(), json!(good));
        let err = serde_json::from_value::<HexHash>(json!("0x1234"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("is 2 bytes; a hash is 32"), "{err}");
    }

    #[test]
    fn block_numbers_follow_number_or_hex() {
        let parse = |v: Value| serde_json::from_value::<NumberOrHex>(v);
        assert_eq!(parse(json!(7)).unwrap().to_block_number(), Ok(7));
        assert_eq!(parse(json!("0x1f")).unwrap().to_block_number(), Ok(31));
        assert_eq!(parse(json!("0x0")).unwrap().to_block_number(), Ok(0));
        assert_eq!(
            parse(json!(4_294_967_296u64)).unwrap().to_block_number(),
            Err("`Number(4294967296)` > u32::MAX, the max block number is u32.".to_string())
        );
        assert_eq!(
            parse(json!("0x100000000")).unwrap().to_block_number(),
            Err("`Hex(4294967296)` > u32::MAX, the max block number is u32.".to_string())
        );
        let huge = format!("0x1{}", "0".repeat(40));
        assert!(parse(json!(huge)).unwrap().to_block_number().is_err());
        assert!(parse(json!("12")).is_err(), "hex needs the 0x prefix");
        assert!(parse(json!(-1)).is_err());
        assert!(parse(json!(1.5)).is_err());
        assert!(parse(json!(format!("0x1{}", "0".repeat(64)))).is_err());
    }

    #[test]
    fn list_or_value_takes_both() {
        let one: ListOrValue<NumberOrHex> = serde_json::from_value(json!(3)).unwrap();
        assert_eq!(one, ListOrValue::Value(NumberOrHex::Number(3)));
        let many: ListOrValue<NumberOrHex> = serde_json::from_value(json!([1, "0x2"])).unwrap();
        assert_eq!(
            many,
            ListOrValue::List(vec![
                NumberOrHex::Number(1),
                NumberOrHex::Hex(HexNumber::Small(2))
            ])
        );
    }

    #[test]
    fn runtime_version_decodes_current_and_older_layouts() {
        let apis: Vec<([u8; 8], u32)> = vec![([0xdf, 0x6a, 0xcb, 0x68, 0x99, 0x07, 0x60, 0x9b], 5)];
        let base = (
            "node-subtensor".to_string(),
            "node-subtensor".to_string(),
            1u32,
            393u32,
            1u32,
            apis,
        );
        let mut current = base.encode();
        current.extend(1u32.encode());
        current.push(1);
        let version = RuntimeVersion::decode_core_version(&current).unwrap();
        assert_eq!(
            serde_json::to_value(&version).unwrap(),
            json!({
                "specName": "node-subtensor",
                "implName": "node-subtensor",
                "authoringVersion": 1,
                "specVersion": 393,
                "implVersion": 1,
                "apis": [["0xdf6acb689907609b", 5]],
                "transactionVersion": 1,
                "systemVersion": 1
            })
        );
        let old = RuntimeVersion::decode_core_version(&base.encode()).unwrap();
        assert_eq!((old.transaction_version, old.system_version), (1, 0));
        let mut trailing = current.clone();
        trailing.push(9);
        assert!(RuntimeVersion::decode_core_version(&trailing).is_err());
        let err = RuntimeVersion::decode_core_version(&current[..20]).unwrap_err();
        assert!(err.contains("does not decode"), "{err}");
    }

    #[test]
    fn param_reader_names_the_bad_param() {
        let raw = r#"["0x01", 5, null]"#;
        let params = Params::new(Some(raw));
        let mut reader = ParamReader::new(&params).unwrap();
        let key: HexBytes = reader.required("key").unwrap();
        assert_eq!(key.0, vec![1]);
        let err = reader.required::<HexHash>("hash").unwrap_err();
        assert_eq!(err.code(), -32602);
        assert_eq!(err.message(), "Invalid params");
        let data = err.data().map(|d| d.get().to_string()).unwrap_or_default();
        assert!(data.contains("param #1 `hash`"), "{data}");
        assert_eq!(reader.optional::<HexHash>("at").unwrap(), None);
        assert_eq!(reader.optional::<HexHash>("beyond").unwrap(), None);
        let err = reader.required::<u32>("count").unwrap_err();
        let data = err.data().map(|d| d.get().to_string()).unwrap_or_default();
        assert!(data.contains("param #4 `count` is required"), "{data}");

        let object = Params::new(Some(r#"{"key":"0x01"}"#));
        let err = ParamReader::new(&object).err().unwrap();
        assert_eq!(err.code(), -32602);
    }
}
