//! `TransactionPaymentApi.query_info`: the weight, class and fee (without tip) of an extrinsic,
//! for the `len` the caller passes. The extrinsic is decoded by [`super::super::extrinsic`]
//! (the same decoder the pool uses; its signature is not checked, as the chain does not check it
//! here either: clients query fees with a dummy signature). Bare (unsigned) extrinsics pay
//! nothing; signed and general ones pay [`fees::fee_for`] unless the call is `Pays::No`.

use nya_metadata::runtime::apis::RuntimeDispatchInfo;
use nya_metadata::runtime::dispatch::Pays;

use crate::localnet::extrinsic::{Preamble, UncheckedExtrinsic};
use crate::localnet::runtime::fees;

/// `query_info(uxt, len)`.
pub fn query_info(uxt: &UncheckedExtrinsic, len: u32) -> RuntimeDispatchInfo {
    let (fee, info) = fees::fee_for(&uxt.call, len);
    let partial_fee = match (&uxt.preamble, info.pays_fee) {
        (Preamble::Bare { .. }, _) | (_, Pays::No) => 0,
        _ => fee,
    };
    RuntimeDispatchInfo {
        weight: info.weight,
        class: info.class,
        partial_fee,
    }
}
