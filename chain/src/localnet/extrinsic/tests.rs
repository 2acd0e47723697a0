//! Extrinsic decoding and checking: real extrinsics built by subxt (over the mirror metadata)
//! and by hand, and every refusal with the exact error and RPC object Substrate gives.

use nya_metadata::runtime::admin::SudoCall;
use nya_metadata::runtime::calls::{BalancesCall, SystemCall};
use nya_metadata::runtime::era::Era;
use nya_metadata::runtime::extensions::{Mode, signed_extra};
use nya_metadata::runtime::types::AccountData;
use std::sync::LazyLock;

use proptest::prelude::*;
use subxt::config::substrate::{SpecVersionForRange, SubstrateConfig};
use subxt::config::{DefaultExtrinsicParams, DefaultExtrinsicParamsBuilder};
use subxt::{Metadata, OfflineClient};

use super::*;
use crate::keys::Keypair;
use crate::localnet::state::MemoryState;

const SPEC: u32 = 393;
const TX_VERSION: u32 = 1;
const BEST: u32 = 100;
/// `System.BlockHash` keeps blocks from here to `BEST - 1` (and genesis).
const OLDEST_KEPT: u32 = 80;
const RICH: u64 = 1_000_000_000_000;
const ALICE_NONCE: u32 = 5;

fn block_hash_of(number: u32) -> H256 {
    let mut hash = [0xb0; 32];
    hash[..4].copy_from_slice(&number.to_le_bytes());
    H256(hash)
}

fn genesis() -> H256 {
    block_hash_of(0)
}

fn chain() -> ChainContext {
    ChainContext {
        spec_version: SPEC,
        transaction_version: TX_VERSION,
        best_number: BEST,
        best_hash: block_hash_of(BEST),
    }
}

// Deriving a dev key runs PBKDF2, slow in debug builds: derive each once.
static ALICE: LazyLock<Keypair> = LazyLock::new(|| Keypair::dev("Alice"));
static BOB: LazyLock<Keypair> = LazyLock::new(|| Keypair::dev("Bob"));
static WORLD: LazyLock<MemoryState> = LazyLock::new(build_world);
static VALID: LazyLock<Vec<u8>> =
    LazyLock::new(|| sign(&alice(), &Signing::immortal(ALICE_NONCE), transfer(1)));

fn alice() -> Keypair {
    ALICE.clone()
}

fn bob() -> Keypair {
    BOB.clone()
}

fn id(key: &Keypair) -> AccountId32 {
    AccountId32(key.public_key())
}

fn set_account(state: &mut MemoryState, who: &AccountId32, nonce: u32, data: AccountData) {
    let info = AccountInfo {
        nonce,
        consumers: 0,
        providers: 1,
        sufficients: 0,
        data,
    };
    state.0.insert(system::account_key(who), info.encode());
}

fn free(amount: u64) -> AccountData {
    AccountData {
        free: amount,
        ..AccountData::default()
    }
}

/// Genesis, blocks `OLDEST_KEPT..BEST` in `System.BlockHash`, Alice (nonce 5) and Bob funded.
fn world() -> MemoryState {
    WORLD.clone()
}

fn build_world() -> MemoryState {
    let mut state = MemoryState::default();
    state
        .0
        .insert(system::block_hash_key(0), genesis().encode());
    for number in OLDEST_KEPT..BEST {
        state.0.insert(
            system::block_hash_key(number),
            block_hash_of(number).encode(),
        );
    }
    set_account(&mut state, &id(&alice()), ALICE_NONCE, free(RICH));
    set_account(&mut state, &id(&bob()), 0, free(RICH));
    state
}

fn transfer(value: u64) -> RuntimeCall {
    RuntimeCall::Balances(BalancesCall::transfer_keep_alive {
        dest: MultiAddress::Id(id(&bob())),
        value,
    })
}

fn remark(len: usize) -> RuntimeCall {
    RuntimeCall::System(SystemCall::remark {
        remark: vec![0x42; len],
    })
}

// ---------------------------------------------------------------------------------------
// Hand-built extrinsics (the mirror types and `Keypair` signing).

/// What the signer commits to.
#[derive(Clone, Copy)]
struct Signing {
    nonce: u32,
    tip: u64,
    era: Era,
    birth_hash: H256,
    genesis: H256,
    spec_version: u32,
    transaction_version: u32,
    mode: Mode,
    metadata_hash: Option<[u8; 32]>,
}

impl Signing {
    fn immortal(nonce: u32) -> Signing {
        Signing {
            nonce,
            tip: 0,
            era: Era::Immortal,
            birth_hash: genesis(),
            genesis: genesis(),
            spec_version: SPEC,
            transaction_version: TX_VERSION,
            mode: Mode::Disabled,
            metadata_hash: None,
        }
    }

    fn extra(&self) -> SignedExtra {
        signed_extra(self.era, self.nonce, self.tip, self.mode)
    }

    /// `call ++ extra ++ implicit`, unhashed.
    fn raw_payload(&self, call: &RuntimeCall) -> Vec<u8> {
        let mut payload = call.encode();
        self.extra().encode_to(&mut payload);
        (
            self.spec_version,
            self.transaction_version,
            self.genesis,
            self.birth_hash,
            self.metadata_hash,
        )
            .encode_to(&mut payload);
        payload
    }

    /// The bytes a signer signs (hashed when over 256 bytes).
    fn payload(&self, call: &RuntimeCall) -> Vec<u8> {
        let payload = self.raw_payload(call);
        if payload.len() > 256 {
            blake2_256(&payload).to_vec()
        } else {
            payload
        }
    }
}

fn build(
    address: MultiAddress,
    signature: MultiSignature,
    s: &Signing,
    call: RuntimeCall,
) -> Vec<u8> {
    UncheckedExtrinsic {
        preamble: Preamble::Signed {
            address,
            signature,
            extra: s.extra(),
        },
        call,
    }
    .encode()
}

fn sign(key: &Keypair, s: &Signing, call: RuntimeCall) -> Vec<u8> {
    let signature = MultiSignature::Sr25519(key.sign(&s.payload(&call)));
    build(MultiAddress::Id(id(key)), signature, s, call)
}

// ---------------------------------------------------------------------------------------
// subxt-built extrinsics (an offline client over the mirror metadata).

fn subxt_client(
    genesis: H256,
    spec_version: u32,
    transaction_version: u32,
) -> OfflineClient<SubstrateConfig> {
    let metadata = Metadata::decode_from(&nya_metadata::runtime::mirror_prefixed().encode())
        .expect("subxt reads the mirror metadata");
    let config = SubstrateConfig::builder()
        .set_genesis_hash(subxt::config::substrate::H256(genesis.0))
        .set_metadata_for_spec_versions([(spec_version, metadata.arc())])
        .set_spec_version_for_block_ranges([SpecVersionForRange {
            block_range: 0..u64::MAX,
            spec_version,
            transaction_version,
        }])
        .build();
    OfflineClient::new_with_config(config)
}

fn finney_like() -> OfflineClient<SubstrateConfig> {
    subxt_client(genesis(), SPEC, TX_VERSION)
}

fn params(nonce: u32) -> DefaultExtrinsicParamsBuilder<SubstrateConfig> {
    DefaultExtrinsicParamsBuilder::<SubstrateConfig>::new().nonce(u64::from(nonce))
}

fn mortal(nonce: u32, period: u64, from: u32) -> DefaultExtrinsicParams<SubstrateConfig> {
    params(nonce)
        .mortal_from_unchecked(
            period,
            u64::from(from),
            subxt::config::substrate::H256(block_hash_of(from).0),
        )
        .build()
}

/// A v4 signed extrinsic subxt builds and signs with `key`; its bytes and subxt's hash.
fn subxt_signed(
    client: &OfflineClient<SubstrateConfig>,
    key: &Keypair,
    call: &RuntimeCall,
    params: DefaultExtrinsicParams<SubstrateConfig>,
) -> (Vec<u8>, H256) {
    let at = client.at_block(u64::from(BEST)).expect("block in range");
    let payload = at
        .tx()
        .from_call_data_bytes(&call.encode())
        .expect("the call is in the metadata");
    let mut signable = at
        .tx()
        .create_v4_signable_offline(&payload, params)
        .expect("subxt builds the extrinsic");
    let tx = signable.sign(key).expect("subxt signs");
    (tx.encoded().to_vec(), H256(tx.hash().0))
}

fn subxt_payload(
    client: &OfflineClient<SubstrateConfig>,
    call: &RuntimeCall,
    params: DefaultExtrinsicParams<SubstrateConfig>,
) -> Vec<u8> {
    let at = client.at_block(u64::from(BEST)).expect("block in range");
    let payload = at
        .tx()
        .from_call_data_bytes(&call.encode())
        .expect("known call");
    at.tx()
        .create_v4_signable_offline(&payload, params)
        .expect("subxt builds the extrinsic")
        .signer_payload()
        .expect("subxt builds the payload")
}

fn invalid(error: Result<Checked, CheckError>) -> InvalidTransaction {
    match error {
        Err(CheckError::Validity(TransactionValidityError::Invalid(invalid))) => invalid,
        other => panic!("expected an invalid-transaction refusal, got {other:?}"),
    }
}

fn undecodable(result: Result<Checked, CheckError>) -> String {
    match result {
        Err(CheckError::Undecodable(reason)) => reason,
        other => panic!("expected a decode failure, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Valid transactions.

#[test]
fn extrinsic_subxt_signed_transfer_is_valid() {
    let call = transfer(12_345);
    let (bytes, subxt_hash) =
        subxt_signed(&finney_like(), &alice(), &call, params(ALICE_NONCE).build());
    let checked = check(&bytes, &chain(), &world()).expect("valid");
    assert_eq!(checked.hash, subxt_hash, "same transaction hash as subxt");
    assert_eq!(checked.encoded, bytes);
    assert_eq!(
        checked.call,
        SignedCall {
            signer: id(&alice()),
            nonce: ALICE_NONCE,
            tip: 0,
            call,
            encoded_len: u32::try_from(bytes.len()).unwrap(),
        }
    );
    assert_eq!(checked.priority, NORMAL_DISPATCH_PRIORITY);
    assert_eq!(checked.provides, (id(&alice()), ALICE_NONCE));
    assert_eq!(checked.requires, None);
    assert_eq!(checked.account_nonce, ALICE_NONCE);
    // Immortal: valid until the end of time, counted from the block it would go into.
    assert_eq!(checked.longevity, u64::MAX - u64::from(BEST + 1));
    let valid = checked.valid_transaction();
    assert_eq!(valid.provides, vec![(id(&alice()), ALICE_NONCE).encode()]);
    assert!(valid.requires.is_empty());
}

#[test]
fn extrinsic_hand_built_payload_is_what_subxt_signs() {
    let call = transfer(7);
    let mut s = Signing::immortal(9);
    s.tip = 1_000;
    assert_eq!(
        s.payload(&call),
        subxt_payload(&finney_like(), &call, params(9).tip(1_000).build())
    );
    let mut s = Signing::immortal(3);
    s.era = Era::mortal(64, 90);
    s.birth_hash = block_hash_of(90);
    assert_eq!(
        s.payload(&call),
        subxt_payload(&finney_like(), &call, mortal(3, 64, 90))
    );
    // Over 256 bytes both sign the hash.
    let long = remark(400);
    let s = Signing::immortal(0);
    assert_eq!(s.payload(&long).len(), 32);
    assert_eq!(
        s.payload(&long),
        subxt_payload(&finney_like(), &long, params(0).build())
    );
    // And a hand-built extrinsic checks exactly as a subxt one does.
    let bytes = sign(&alice(), &Signing::immortal(ALICE_NONCE), transfer(7));
    assert_eq!(
        check(&bytes, &chain(), &world()).expect("valid").call.call,
        transfer(7)
    );
}

#[test]
fn extrinsic_mortal_eras_born_at_or_before_the_best_block_are_valid() {
    // Born at the best block: its hash is not in `System.BlockHash` yet, the context has it.
    let (bytes, _) = subxt_signed(
        &finney_like(),
        &alice(),
        &transfer(1),
        mortal(ALICE_NONCE, 64, BEST),
    );
    let checked = check(&bytes, &chain(), &world()).expect("valid");
    let era = Era::mortal(64, u64::from(BEST));
    let current = u64::from(BEST) + 1;
    assert_eq!(checked.longevity, era.death(current) - current);
    assert_eq!(checked.valid_till, u64::from(BEST) + checked.longevity);
    // Born ten blocks ago, its hash read from state.
    let (bytes, _) = subxt_signed(
        &finney_like(),
        &alice(),
        &transfer(1),
        mortal(ALICE_NONCE, 64, 90),
    );
    assert!(check(&bytes, &chain(), &world()).is_ok());
}

#[test]
fn extrinsic_payload_over_256_bytes_is_signed_as_its_hash() {
    let call = remark(300);
    let (bytes, _) = subxt_signed(&finney_like(), &alice(), &call, params(ALICE_NONCE).build());
    assert_eq!(
        check(&bytes, &chain(), &world()).expect("valid").call.call,
        call
    );
    // Signing the raw payload instead of its hash does not verify.
    let s = Signing::immortal(ALICE_NONCE);
    let signature = MultiSignature::Sr25519(alice().sign(&s.raw_payload(&call)));
    let bytes = build(MultiAddress::Id(id(&alice())), signature, &s, call);
    assert_eq!(
        invalid(check(&bytes, &chain(), &world())),
        InvalidTransaction::BadProof
    );
}

#[test]
fn extrinsic_ed25519_signatures_verify_and_ecdsa_is_refused() {
    let secret = [7u8; 32];
    let signing_key = ed25519_zebra::SigningKey::from(secret);
    let public: [u8; 32] = ed25519_zebra::VerificationKey::from(&signing_key).into();
    let who = AccountId32(public);
    let mut state = world();
    set_account(&mut state, &who, 0, free(RICH));
    let s = Signing::immortal(0);
    let call = transfer(5);
    let signature = signing_key.sign(&s.payload(&call)).to_bytes();
    let bytes = build(
        MultiAddress::Id(who),
        MultiSignature::Ed25519(signature),
        &s,
        call.clone(),
    );
    let checked = check(&bytes, &chain(), &state).expect("ed25519 verifies");
    assert_eq!(checked.call.signer, who);

    // The same through subxt: its payload, an ed25519 signature, its encoding.
    let client = finney_like();
    let at = client.at_block(u64::from(BEST)).unwrap();
    let payload = at.tx().from_call_data_bytes(&call.encode()).unwrap();
    let mut signable = at
        .tx()
        .create_v4_signable_offline(&payload, params(0).build())
        .unwrap();
    let signature = signing_key
        .sign(&signable.signer_payload().unwrap())
        .to_bytes();
    let tx = signable
        .sign_with_account_and_signature(
            &subxt::utils::AccountId32(public),
            &subxt::utils::MultiSignature::Ed25519(signature),
        )
        .unwrap();
    assert!(check(tx.encoded(), &chain(), &state).is_ok());

    let bytes = build(
        MultiAddress::Id(who),
        MultiSignature::Ecdsa([1; 65]),
        &s,
        call,
    );
    assert_eq!(
        invalid(check(&bytes, &chain(), &state)),
        InvalidTransaction::BadProof
    );
}

// ---------------------------------------------------------------------------------------
// Signature and implicit-data refusals.

#[test]
fn extrinsic_bad_signature_is_bad_proof() {
    let (bytes, _) = subxt_signed(
        &finney_like(),
        &alice(),
        &transfer(1),
        params(ALICE_NONCE).build(),
    );
    let mut xt = decode_extrinsic(&bytes).unwrap();
    let Preamble::Signed {
        signature: MultiSignature::Sr25519(sig),
        ..
    } = &mut xt.preamble
    else {
        panic!("subxt signs sr25519");
    };
    sig[10] ^= 1;
    let result = check(&xt.encode(), &chain(), &world());
    assert_eq!(
        result.as_ref().map_err(CheckError::rpc_error).err(),
        Some(RpcError::with_data(
            1010,
            "Invalid Transaction",
            "Transaction has a bad signature"
        ))
    );
    assert_eq!(invalid(result), InvalidTransaction::BadProof);
    // Signed by Bob, claiming to be Alice.
    let s = Signing::immortal(ALICE_NONCE);
    let signature = MultiSignature::Sr25519(bob().sign(&s.payload(&transfer(1))));
    let bytes = build(MultiAddress::Id(id(&alice())), signature, &s, transfer(1));
    assert_eq!(
        invalid(check(&bytes, &chain(), &world())),
        InvalidTransaction::BadProof
    );
}

#[test]
fn extrinsic_wrong_genesis_spec_or_transaction_version_is_bad_proof() {
    for client in [
        subxt_client(H256([0x2f; 32]), SPEC, TX_VERSION),
        subxt_client(genesis(), SPEC - 1, TX_VERSION),
        subxt_client(genesis(), SPEC, TX_VERSION + 1),
    ] {
        let (bytes, _) = subxt_signed(&client, &alice(), &transfer(1), params(ALICE_NONCE).build());
        assert_eq!(
            invalid(check(&bytes, &chain(), &world())),
            InvalidTransaction::BadProof
        );
    }
}

#[test]
fn extrinsic_ancient_and_expired_eras() {
    // Period 64 from block 10: at block 101 the era's birth is block 74, whose hash the state
    // no longer keeps.
    let (bytes, _) = subxt_signed(
        &finney_like(),
        &alice(),
        &transfer(1),
        mortal(ALICE_NONCE, 64, 10),
    );
    assert_eq!(Era::mortal(64, 10).birth(u64::from(BEST) + 1), 74);
    let result = check(&bytes, &chain(), &world());
    assert_eq!(
        result.as_ref().map_err(CheckError::rpc_error).err(),
        Some(RpcError::with_data(
            1010,
            "Invalid Transaction",
            "Transaction has an ancient birth block"
        ))
    );
    assert_eq!(invalid(result), InvalidTransaction::AncientBirthBlock);
    // Period 4 from block 90: the era ended; block 101's window was born at block 98, whose
    // hash is known but is not the one signed over.
    let (bytes, _) = subxt_signed(
        &finney_like(),
        &alice(),
        &transfer(1),
        mortal(ALICE_NONCE, 4, 90),
    );
    assert_eq!(Era::mortal(4, 90).birth(u64::from(BEST) + 1), 98);
    assert_eq!(
        invalid(check(&bytes, &chain(), &world())),
        InvalidTransaction::BadProof
    );
}

#[test]
fn extrinsic_metadata_hash_mode_enabled_does_not_verify() {
    let mut s = Signing::immortal(ALICE_NONCE);
    s.mode = Mode::Enabled;
    s.metadata_hash = Some([9; 32]);
    let bytes = sign(&alice(), &s, transfer(1));
    assert_eq!(
        invalid(check(&bytes, &chain(), &world())),
        InvalidTransaction::BadProof
    );
}

// ---------------------------------------------------------------------------------------
// Nonce, payment and signer refusals.

#[test]
fn extrinsic_stale_nonce_is_refused_and_future_nonce_waits() {
    let (bytes, _) = subxt_signed(
        &finney_like(),
        &alice(),
        &transfer(1),
        params(ALICE_NONCE - 1).build(),
    );
    let result = check(&bytes, &chain(), &world());
    assert_eq!(
        result.as_ref().map_err(CheckError::rpc_error).err(),
        Some(RpcError::with_data(
            1010,
            "Invalid Transaction",
            "Transaction is outdated"
        ))
    );
    assert_eq!(invalid(result), InvalidTransaction::Stale);

    let (bytes, _) = subxt_signed(
        &finney_like(),
        &alice(),
        &transfer(1),
        params(ALICE_NONCE + 2).build(),
    );
    let checked = check(&bytes, &chain(), &world()).expect("a future nonce is valid");
    assert_eq!(checked.provides, (id(&alice()), ALICE_NONCE + 2));
    assert_eq!(checked.requires, Some((id(&alice()), ALICE_NONCE + 1)));
    assert_eq!(checked.account_nonce, ALICE_NONCE);
    // ... but cannot be applied yet.
    assert_eq!(
        invalid(check_for_block(&bytes, &chain(), &world())),
        InvalidTransaction::Future
    );
    let (bytes, _) = subxt_signed(
        &finney_like(),
        &alice(),
        &transfer(1),
        params(ALICE_NONCE).build(),
    );
    assert!(check_for_block(&bytes, &chain(), &world()).is_ok());
}

#[test]
fn extrinsic_payment_needs_fee_and_tip_above_the_existential_deposit() {
    let tip = 10_000;
    let (bytes, _) = subxt_signed(
        &finney_like(),
        &alice(),
        &transfer(1),
        params(ALICE_NONCE).tip(u128::from(tip)).build(),
    );
    let (fee, info) = fees::fee_for(&transfer(1), u32::try_from(bytes.len()).unwrap());
    assert_eq!(info.pays_fee, Pays::Yes);
    let needed = fee + tip + EXISTENTIAL_DEPOSIT;

    let mut state = world();
    set_account(&mut state, &id(&alice()), ALICE_NONCE, free(needed));
    assert!(check(&bytes, &chain(), &state).is_ok(), "exactly enough");

    set_account(&mut state, &id(&alice()), ALICE_NONCE, free(needed - 1));
    let result = check(&bytes, &chain(), &state);
    assert_eq!(
        result.as_ref().map_err(CheckError::rpc_error).err(),
        Some(RpcError::with_data(
            1010,
            "Invalid Transaction",
            "Inability to pay some fees (e.g. account balance too low)"
        ))
    );
    assert_eq!(invalid(result), InvalidTransaction::Payment);

    // Frozen funds (beyond what is reserved) cannot pay: here they reach one rao into the fee.
    let frozen = AccountData {
        free: needed,
        frozen: EXISTENTIAL_DEPOSIT + 1,
        ..AccountData::default()
    };
    set_account(&mut state, &id(&alice()), ALICE_NONCE, frozen);
    assert_eq!(
        invalid(check(&bytes, &chain(), &state)),
        InvalidTransaction::Payment
    );

    // No account at all: subtensor's CheckNonce refuses a fee-paying call.
    state.0.remove(&system::account_key(&id(&alice())));
    assert_eq!(
        invalid(check(&bytes, &chain(), &state)),
        InvalidTransaction::Payment
    );
}

#[test]
fn extrinsic_zero_signer_is_bad_signer() {
    // The identity public key verifies any (R = s·G, s) pair: a schnorrkel keypair's public key
    // is s·G for its secret scalar s.
    let helper = bob();
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&helper.public_key());
    signature[32..].copy_from_slice(&helper.private_key()[..32]);
    signature[63] |= 0x80; // schnorrkel's marker bit
    let zero = AccountId32([0; 32]);
    let mut state = world();
    set_account(&mut state, &zero, 0, free(RICH));
    let s = Signing::immortal(0);
    let bytes = build(
        MultiAddress::Id(zero),
        MultiSignature::Sr25519(signature),
        &s,
        transfer(1),
    );
    assert_eq!(
        invalid(check(&bytes, &chain(), &state)),
        InvalidTransaction::BadSigner
    );
}

#[test]
fn extrinsic_sudo_calls_need_the_sudo_key() {
    let call = RuntimeCall::Sudo(SudoCall::sudo {
        call: Box::new(remark(3)),
    });
    let mut state = world();
    let by_bob = sign(&bob(), &Signing::immortal(0), call.clone());
    assert_eq!(
        invalid(check(&by_bob, &chain(), &state)),
        InvalidTransaction::BadSigner,
        "no key"
    );
    state
        .0
        .insert(system::item_prefix(SUDO_KEY), id(&alice()).encode());
    assert_eq!(
        invalid(check(&by_bob, &chain(), &state)),
        InvalidTransaction::BadSigner
    );
    let by_alice = sign(&alice(), &Signing::immortal(ALICE_NONCE), call.clone());
    let checked = check(&by_alice, &chain(), &state).expect("the sudo key may");
    let (_, info) = fees::fee_for(&call, checked.call.encoded_len);
    let expected = match info.class {
        DispatchClass::Operational => OPERATIONAL_DISPATCH_PRIORITY,
        _ => NORMAL_DISPATCH_PRIORITY,
    };
    assert_eq!(checked.priority, expected);
}

#[test]
fn extrinsic_non_id_signer_cannot_be_looked_up() {
    let s = Signing::immortal(0);
    let signature = MultiSignature::Sr25519(alice().sign(&s.payload(&transfer(1))));
    let bytes = build(
        MultiAddress::Address32(id(&alice()).0),
        signature,
        &s,
        transfer(1),
    );
    let result = check(&bytes, &chain(), &world());
    assert_eq!(
        result.as_ref().map_err(CheckError::rpc_error).err(),
        Some(RpcError::with_data(
            1011,
            "Unknown Transaction Validity",
            "CannotLookup"
        ))
    );
}

#[test]
fn extrinsic_longer_than_a_block_allows_exhausts_resources() {
    let call = remark(usize::try_from(MAX_NORMAL_EXTRINSIC_LEN).unwrap());
    let bytes = sign(&alice(), &Signing::immortal(ALICE_NONCE), call);
    assert_eq!(
        invalid(check(&bytes, &chain(), &world())),
        InvalidTransaction::ExhaustsResources
    );
}

// ---------------------------------------------------------------------------------------
// Unsigned and general extrinsics.

#[test]
fn extrinsic_unsigned_and_bare_are_refused_like_substrate() {
    let client = finney_like();
    let at = client.at_block(u64::from(BEST)).unwrap();
    let payload = at.tx().from_call_data_bytes(&transfer(1).encode()).unwrap();
    let v4 = at.tx().create_v4_unsigned(&payload).unwrap();
    assert_eq!(v4.encoded().get(1), Some(&0x04), "after a one-byte length");
    let expected = RpcError::with_data(1011, "Unknown Transaction Validity", "NoUnsignedValidator");
    let result = check(v4.encoded(), &chain(), &world());
    assert_eq!(
        result.as_ref().map_err(CheckError::rpc_error).err(),
        Some(expected.clone())
    );
    assert!(!result.unwrap_err().bans(), "unknown validity does not ban");

    let v5 = UncheckedExtrinsic {
        preamble: Preamble::Bare { version: 5 },
        call: transfer(1),
    }
    .encode();
    assert_eq!(
        check(&v5, &chain(), &world())
            .map_err(|e| e.rpc_error())
            .err(),
        Some(expected)
    );

    let general = UncheckedExtrinsic {
        preamble: Preamble::General {
            extension_version: 0,
            extra: Signing::immortal(0).extra(),
        },
        call: transfer(1),
    }
    .encode();
    assert_eq!(decode_extrinsic(&general).unwrap().call, transfer(1));
    assert_eq!(
        check(&general, &chain(), &world())
            .map_err(|e| e.rpc_error())
            .err(),
        Some(RpcError::with_data(
            1018,
            "No tags provided",
            "Transaction does not provide any tags, so the pool can't identify it"
        ))
    );
}

// ---------------------------------------------------------------------------------------
// Malformed bytes.

fn valid_bytes() -> Vec<u8> {
    VALID.clone()
}

/// Re-prefixes a body with its true length.
fn with_prefix(body: &[u8]) -> Vec<u8> {
    let mut out = Compact(u32::try_from(body.len()).unwrap()).encode();
    out.extend_from_slice(body);
    out
}

fn body_of(bytes: &[u8]) -> Vec<u8> {
    <Vec<u8>>::decode(&mut &bytes[..]).unwrap()
}

#[test]
fn extrinsic_bytes_that_are_not_a_byte_string_are_client_errors() {
    for (bytes, reason) in [
        (vec![], "Not enough data to fill buffer"),
        // Declares 64 bytes, carries 3.
        (
            vec![0x01, 0x01, 1, 2, 3],
            "Not enough data to decode vector",
        ),
        // A length prefix past u32.
        (
            vec![0x13, 0xff, 0xff, 0xff, 0xff, 0xff],
            "out of range decoding Compact<u32>",
        ),
    ] {
        let error = check(&bytes, &chain(), &world()).unwrap_err();
        assert_eq!(
            error.rpc_error(),
            RpcError::new(1040, format!("Client error: {reason}")),
            "{bytes:02x?}"
        );
    }
    // `author_submitAndWatchExtrinsic` reports the same bytes as a bad format.
    assert_eq!(
        check(&[], &chain(), &world())
            .unwrap_err()
            .rpc_error_watching(),
        RpcError::new(
            1001,
            "Extrinsic has invalid format: Not enough data to fill buffer"
        )
    );
    // A huge declared length is refused without allocating it.
    let mut huge = Compact(u32::MAX).encode();
    huge.extend([0x84; 100]);
    assert!(matches!(
        check(&huge, &chain(), &world()),
        Err(CheckError::Malformed(_))
    ));
    // Truncating a real extrinsic leaves the length prefix promising more than there is.
    let bytes = valid_bytes();
    assert!(matches!(
        check(&bytes[..bytes.len() - 1], &chain(), &world()),
        Err(CheckError::Malformed(_))
    ));
}

#[test]
fn extrinsic_undecodable_extrinsics_are_verification_errors() {
    let body = body_of(&valid_bytes());
    // Truncated inside a correct length prefix.
    let reason = undecodable(check(
        &with_prefix(&body[..body.len() - 1]),
        &chain(),
        &world(),
    ));
    assert!(!reason.is_empty());
    // One byte more than the extrinsic inside the declared length.
    let mut longer = body.clone();
    longer.push(0);
    let error = check(&with_prefix(&longer), &chain(), &world()).unwrap_err();
    assert_eq!(
        error.rpc_error(),
        RpcError::with_data(
            1002,
            "Verification Error: Runtime error: Execution failed: Runtime panicked: Bad input \
             data provided to validate_transaction: Invalid length prefix",
            "RuntimeApi(\"Execution failed: Runtime panicked: Bad input data provided to \
             validate_transaction: Invalid length prefix\")"
        )
    );
    // Versions finney does not know.
    for version in [0x85, 0x44, 0x03, 0xc4, 0x06] {
        let mut other = body.clone();
        other[0] = version;
        assert_eq!(
            undecodable(check(&with_prefix(&other), &chain(), &world())),
            "Invalid transaction version",
            "{version:#x}"
        );
    }
    // Garbage.
    let reason = undecodable(check(&with_prefix(&[0x84, 0xff, 0xff]), &chain(), &world()));
    assert!(reason.contains("MultiAddress"), "{reason}");
}

#[test]
fn extrinsic_unknown_pallet_or_call_index_is_a_decode_error() {
    let s = Signing::immortal(ALICE_NONCE);
    let signed_prefix = |call_bytes: &[u8]| {
        let mut body = vec![0x84];
        MultiAddress::Id(id(&alice())).encode_to(&mut body);
        MultiSignature::Sr25519([0; 64]).encode_to(&mut body);
        s.extra().encode_to(&mut body);
        body.extend_from_slice(call_bytes);
        with_prefix(&body)
    };
    let reason = undecodable(check(&signed_prefix(&[99, 0]), &chain(), &world()));
    assert!(
        reason.contains("`RuntimeCall`, variant doesn't exist"),
        "{reason}"
    );
    // Balances call 0 (transfer_allow_death) exists on finney but not in the mirror.
    let reason = undecodable(check(&signed_prefix(&[5, 0, 0]), &chain(), &world()));
    assert!(reason.contains("variant doesn't exist"), "{reason}");
}

#[test]
fn extrinsic_bytes_after_the_declared_length_are_not_part_of_it() {
    let bytes = valid_bytes();
    let mut with_tail = bytes.clone();
    with_tail.extend([1, 2, 3]);
    let checked =
        check(&with_tail, &chain(), &world()).expect("a node reads only the declared length");
    assert_eq!(checked.encoded, bytes);
    assert_eq!(checked.hash, hash_of(&bytes).unwrap());
    assert_eq!(hash_of(&with_tail).unwrap(), hash_of(&bytes).unwrap());
}

#[test]
fn extrinsic_nesting_beyond_the_depth_limit_is_refused() {
    // sudo(sudo(...(remark)...)) 300 deep: pallet 12 call 0 repeated, then System.remark("").
    let mut call_bytes = [12u8, 0].repeat(300);
    call_bytes.extend([0, 0, 0]);
    let s = Signing::immortal(ALICE_NONCE);
    let mut body = vec![0x84];
    MultiAddress::Id(id(&alice())).encode_to(&mut body);
    MultiSignature::Sr25519([0; 64]).encode_to(&mut body);
    s.extra().encode_to(&mut body);
    body.extend(call_bytes);
    let reason = undecodable(check(&with_prefix(&body), &chain(), &world()));
    assert!(
        reason.contains("Maximum recursion depth reached when decoding"),
        "{reason}"
    );
}

#[test]
fn extrinsic_encoding_round_trips() {
    let bytes = valid_bytes();
    let xt = decode_extrinsic(&bytes).unwrap();
    assert_eq!(xt.encode(), bytes);
    assert_eq!(bytes.get(2), Some(&0x84));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn extrinsic_random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let result = check(&bytes, &chain(), &world());
        prop_assert!(result.is_err());
        let rpc = result.unwrap_err().rpc_error();
        prop_assert!((1002..=1040).contains(&rpc.code));
    }

    #[test]
    fn extrinsic_mutated_extrinsics_never_panic(
        position in 0usize..400,
        value in any::<u8>(),
        cut in 0usize..8,
    ) {
        let mut bytes = valid_bytes();
        let len = bytes.len();
        if let Some(byte) = bytes.get_mut(position % len) {
            *byte = value;
        }
        bytes.truncate(len.saturating_sub(cut));
        let _ = check(&bytes, &chain(), &world()).map_err(|e| e.rpc_error());
    }
}
