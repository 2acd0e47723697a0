//! JSON-RPC error objects with Substrate's codes and messages.
//!
//! Substrate numbers its API errors from a base per API (author 1000, system 2000, chain 3000,
//! state 4000, dev 6000) and uses the JSON-RPC standard codes for envelope problems:
//! - chain: `3001` other (e.g. a block number over u32), `3002` `Client error: …`;
//! - state: `4001` invalid block range, `4002` `count exceeds maximum value. value: V, max: M`,
//!   `4003` `Client error: …` (unknown block, failed runtime call);
//! - author: the pool's own codes (passed through from [`SubmitError`]), `1040` for client errors;
//! - `system_accountNextIndex`: `1` `Unable to query nonce.` with the cause as data;
//! - `dev_produceBlocks` (the localnet's): `6001` `Block production failed: …`;
//! - `-32602` `Invalid params` (the data says which parameter and why).

use jsonrpsee::types::error::{INVALID_PARAMS_CODE, INVALID_PARAMS_MSG};
use jsonrpsee::types::{ErrorObject, ErrorObjectOwned};

use super::{BackendError, SubmitError};

const AUTHOR_BASE: i32 = 1000;
const CHAIN_BASE: i32 = 3000;
const STATE_BASE: i32 = 4000;
const DEV_BASE: i32 = 6000;

/// `-32602 Invalid params` with `data` saying what was wrong.
pub fn invalid_params_data(data: String) -> ErrorObjectOwned {
    ErrorObject::owned(INVALID_PARAMS_CODE, INVALID_PARAMS_MSG, Some(data))
}

/// `-32602 Invalid params` for parameter number `index` called `name`.
pub fn invalid_param(index: usize, name: &str, problem: &str) -> ErrorObjectOwned {
    let sep = if problem.starts_with("is ") {
        " "
    } else {
        ": "
    };
    invalid_params_data(format!("param #{index} `{name}`{sep}{problem}"))
}

/// Chain API `3001`: a message of its own (Substrate's `chain::Error::Other`).
pub fn chain_other(message: String) -> ErrorObjectOwned {
    ErrorObject::owned(CHAIN_BASE + 1, message, None::<()>)
}

/// Chain API `3002`: `Client error: …`.
pub fn chain_client(error: &BackendError) -> ErrorObjectOwned {
    ErrorObject::owned(CHAIN_BASE + 2, format!("Client error: {error}"), None::<()>)
}

/// State API `4001`: a block range that does not resolve.
pub fn state_invalid_block_range(from: &str, to: &str, details: &str) -> ErrorObjectOwned {
    ErrorObject::owned(
        STATE_BASE + 1,
        format!("Cannot resolve a block range ['{from:?}' ... '{to:?}]. {details}"),
        None::<()>,
    )
}

/// State API `4002`: a page size over the maximum.
pub fn state_invalid_count(value: u32, max: u32) -> ErrorObjectOwned {
    ErrorObject::owned(
        STATE_BASE + 2,
        format!("count exceeds maximum value. value: {value}, max: {max}"),
        None::<()>,
    )
}

/// State API `4003`: `Client error: …`.
pub fn state_client(error: &BackendError) -> ErrorObjectOwned {
    ErrorObject::owned(STATE_BASE + 3, format!("Client error: {error}"), None::<()>)
}

/// Author API `1040`: `Client error: …`.
pub fn author_client(error: &BackendError) -> ErrorObjectOwned {
    ErrorObject::owned(
        AUTHOR_BASE + 40,
        format!("Client error: {error}"),
        None::<()>,
    )
}

/// A refused transaction, exactly as the backend reports it.
pub fn submit(error: SubmitError) -> ErrorObjectOwned {
    ErrorObject::owned(error.code, error.message, error.data)
}

/// `system_accountNextIndex`'s runtime error (`1`, `Unable to query nonce.`).
pub fn nonce_query(error: &BackendError) -> ErrorObjectOwned {
    ErrorObject::owned(1, "Unable to query nonce.", Some(error.to_string()))
}

/// `dev_produceBlocks` failure (`6001`).
pub fn block_production(error: &BackendError) -> ErrorObjectOwned {
    ErrorObject::owned(
        DEV_BASE + 1,
        format!("Block production failed: {error}"),
        None::<()>,
    )
}

/// A blocking task that panicked or was cancelled (JSON-RPC internal error).
pub fn internal(message: String) -> ErrorObjectOwned {
    ErrorObject::owned(
        jsonrpsee::types::error::INTERNAL_ERROR_CODE,
        jsonrpsee::types::error::INTERNAL_ERROR_MSG,
        Some(message),
    )
}
