//! The localnet driven over real sockets by subxt 0.51 (its default `OnlineClient`, which picks
//! the legacy RPC methods the localnet lists, and the `LegacyBackend` explicitly): transfers,
//! registration, axons, commitments, weights, commit-reveal and every rejection, each with the
//! exact error finney spec 393 gives.

use nya_chain::keys::Keypair;
use nya_chain::localnet::{LocalnetConfig, LocalnetHandle, spawn};
use nya_metadata::runtime::errors::SubtensorModuleError;
use subxt::dynamic::{self, Value};
use subxt::error::{
    DispatchError, TokenError, TransactionEventsError, TransactionFinalizedSuccessError,
};
use subxt::ext::scale_decode::{self, DecodeAsType};
use subxt::transactions::TransactionProgress;
use subxt::{OnlineClient, SubstrateConfig};

/// Pallet indices of spec 393.
const SUBTENSOR: u8 = 7;
const COMMITMENTS: u8 = 18;

/// 1 TAO in rao.
const TAO: u64 = 1_000_000_000;

/// A manual-seal localnet in memory on a free port, and a subxt client on it.
struct Net {
    localnet: LocalnetHandle,
    api: OnlineClient<SubstrateConfig>,
}

async fn start() -> Net {
    let config = LocalnetConfig {
        port: 0,
        manual_seal: true,
        ..LocalnetConfig::default()
    };
    let localnet = spawn(config).await.expect("localnet starts");
    let api = OnlineClient::<SubstrateConfig>::from_url(localnet.ws_url())
        .await
        .expect("subxt connects");
    Net { localnet, api }
}

/// How a submitted call ended.
type Outcome = Result<(), DispatchError>;

impl Net {
    /// Signs and submits `call` as `signer`, seals a block, and waits for finality.
    async fn submit(&self, call: &impl subxt::transactions::Payload, signer: &Keypair) -> Outcome {
        let progress = self
            .api
            .tx()
            .await
            .expect("transactions client")
            .sign_and_submit_then_watch_default(call, signer)
            .await
            .expect("the pool accepts the transaction");
        self.seal_and_wait(progress).await
    }

    async fn seal_and_wait(
        &self,
        progress: TransactionProgress<
            SubstrateConfig,
            impl subxt::client::OnlineClientAtBlockT<SubstrateConfig>,
        >,
    ) -> Outcome {
        self.localnet.produce_blocks(1).await.expect("block sealed");
        match progress.wait_for_finalized_success().await {
            Ok(_) => Ok(()),
            Err(TransactionFinalizedSuccessError::SuccessError(
                TransactionEventsError::ExtrinsicFailed(err),
            )) => Err(err),
            Err(other) => panic!("transaction did not finalize: {other}"),
        }
    }

    /// Free balance of `who` at the best block.
    async fn free(&self, who: &Keypair) -> u64 {
        #[derive(DecodeAsType)]
        #[decode_as_type(crate_path = "scale_decode")]
        struct AccountData {
            free: u64,
        }
        #[derive(DecodeAsType)]
        #[decode_as_type(crate_path = "scale_decode")]
        struct AccountInfo {
            data: AccountData,
        }
        let address = dynamic::storage::<([u8; 32],), AccountInfo>("System", "Account");
        let at = self.api.at_current_block().await.expect("best block");
        match at.storage().try_fetch(address, (who.public_key(),)).await {
            Ok(Some(value)) => value.decode().expect("AccountInfo decodes").data.free,
            Ok(None) => 0,
            Err(err) => panic!("reading System.Account: {err}"),
        }
    }

    /// `SubtensorModule.Uids(netuid, hotkey)`.
    async fn uid(&self, netuid: u16, hotkey: &Keypair) -> Option<u16> {
        let address = dynamic::storage::<(u16, [u8; 32]), u16>("SubtensorModule", "Uids");
        let at = self.api.at_current_block().await.expect("best block");
        at.storage()
            .try_fetch(address, (netuid, hotkey.public_key()))
            .await
            .expect("reading Uids")
            .map(|v| v.decode().expect("u16"))
    }
}

/// Asserts a module error by pallet index and the mirror's variant index.
fn assert_module_error(outcome: Outcome, pallet: u8, error: u8) {
    match outcome {
        Err(DispatchError::Module(module)) => assert_eq!(
            (module.pallet_index(), module.error_index()),
            (pallet, error),
            "got {}",
            module.details_string()
        ),
        other => panic!("expected module error ({pallet}, {error}), got {other:?}"),
    }
}

fn transfer(dest: &Keypair, amount: u64) -> impl subxt::transactions::Payload {
    dynamic::transaction(
        "Balances",
        "transfer_keep_alive",
        (
            Value::unnamed_variant("Id", [Value::from_bytes(dest.public_key())]),
            amount,
        ),
    )
}

fn burned_register(netuid: u16, hotkey: &Keypair) -> impl subxt::transactions::Payload {
    dynamic::transaction(
        "SubtensorModule",
        "burned_register",
        (netuid, Value::from_bytes(hotkey.public_key())),
    )
}

fn fresh(name: &str) -> Keypair {
    Keypair::from_uri(&format!("//nya-e2e/{name}")).expect("dev uri")
}

#[tokio::test]
async fn transfer_moves_balance_and_keep_alive_refuses_to_reap() {
    let net = start().await;
    let alice = Keypair::dev("Alice");
    let receiver = fresh("receiver");
    assert_eq!(net.free(&receiver).await, 0);
    net.submit(&transfer(&receiver, 5 * TAO), &alice)
        .await
        .expect("transfer succeeds");
    assert_eq!(net.free(&receiver).await, 5 * TAO);

    // Sending everything would drop the sender below the existential deposit.
    let all = net.free(&receiver).await;
    // More than the balance left after the fee: frame's `FundsUnavailable`.
    let outcome = net.submit(&transfer(&alice, all), &receiver).await;
    assert!(
        matches!(
            outcome,
            Err(DispatchError::Token(TokenError::FundsUnavailable))
        ),
        "{outcome:?}"
    );
    // The fee stays paid; the same call again costs the same fee. Leaving 100 rao, below the
    // 500-rao existential deposit, is what keep-alive refuses: `NotExpendable`.
    let left = net.free(&receiver).await;
    let fee = all - left;
    let outcome = net
        .submit(&transfer(&alice, left - fee - 100), &receiver)
        .await;
    assert!(
        matches!(
            outcome,
            Err(DispatchError::Token(TokenError::NotExpendable))
        ),
        "{outcome:?}"
    );
    assert_eq!(net.free(&receiver).await, left - fee);
    net.localnet.stop().await;
}

#[tokio::test]
async fn register_serve_and_commit_are_visible_to_subxt() {
    let net = start().await;
    let coldkey = Keypair::dev("Bob");
    let hotkey = fresh("miner-hotkey");
    assert_eq!(net.uid(1, &hotkey).await, None);
    net.submit(&burned_register(1, &hotkey), &coldkey)
        .await
        .expect("burned_register succeeds");
    let uid = net.uid(1, &hotkey).await.expect("hotkey has a uid");

    // Registering the same hotkey again is the chain's exact error.
    let again = net.submit(&burned_register(1, &hotkey), &coldkey).await;
    assert_module_error(
        again,
        SUBTENSOR,
        SubtensorModuleError::HotKeyAlreadyRegisteredInSubNet as u8,
    );

    // The hotkey pays its own fees.
    net.submit(&transfer(&hotkey, TAO), &coldkey)
        .await
        .expect("fund hotkey");
    let serve = dynamic::transaction(
        "SubtensorModule",
        "serve_axon",
        (
            1u16,
            4u32,
            u128::from(u32::from_be_bytes([10, 0, 0, 7])),
            8091u16,
            4u8,
            0u8,
            0u8,
            0u8,
        ),
    );
    net.submit(&serve, &hotkey)
        .await
        .expect("serve_axon succeeds");
    #[derive(DecodeAsType, Debug)]
    #[decode_as_type(crate_path = "scale_decode")]
    struct Axon {
        ip: u128,
        port: u16,
        ip_type: u8,
    }
    let at = net.api.at_current_block().await.expect("best");
    let axon = at
        .storage()
        .try_fetch(
            dynamic::storage::<(u16, [u8; 32]), Axon>("SubtensorModule", "Axons"),
            (1u16, hotkey.public_key()),
        )
        .await
        .expect("read Axons")
        .expect("axon stored")
        .decode()
        .expect("AxonInfo decodes");
    assert_eq!(axon.ip, u128::from(u32::from_be_bytes([10, 0, 0, 7])));
    assert_eq!((axon.port, axon.ip_type), (8091, 4));

    // A commitment: one Raw field.
    let text = b"nya:v1 example".to_vec();
    let raw = Value::unnamed_variant(format!("Raw{}", text.len()), [Value::from_bytes(&text)]);
    let info = Value::named_composite([("fields", Value::unnamed_composite([raw]))]);
    let commit = dynamic::transaction("Commitments", "set_commitment", (1u16, info));
    net.submit(&commit, &hotkey)
        .await
        .expect("set_commitment succeeds");
    let stored = at_best_commitment(&net, 1, &hotkey).await;
    assert_eq!(stored, text);

    // An unregistered hotkey may not commit.
    let stranger = fresh("stranger");
    net.submit(&transfer(&stranger, TAO), &coldkey)
        .await
        .expect("fund");
    let text = b"x".to_vec();
    let raw = Value::unnamed_variant("Raw1", [Value::from_bytes(&text)]);
    let info = Value::named_composite([("fields", Value::unnamed_composite([raw]))]);
    let outcome = net
        .submit(
            &dynamic::transaction("Commitments", "set_commitment", (1u16, info)),
            &stranger,
        )
        .await;
    assert_module_error(outcome, COMMITMENTS, 1);
    assert!(uid < 256);
    net.localnet.stop().await;
}

/// The first Raw field of `CommitmentOf(netuid, hotkey)` at the best block.
async fn at_best_commitment(net: &Net, netuid: u16, hotkey: &Keypair) -> Vec<u8> {
    use parity_scale_codec::Decode;
    let at = net.api.at_current_block().await.expect("best");
    let address = dynamic::storage::<(u16, [u8; 32]), Value>("Commitments", "CommitmentOf");
    let value = at
        .storage()
        .try_fetch(address, (netuid, hotkey.public_key()))
        .await
        .expect("read CommitmentOf")
        .expect("commitment stored");
    let registration =
        nya_metadata::runtime::types::Registration::decode(&mut value.bytes()).expect("decodes");
    registration.info.fields()[0]
        .as_raw()
        .expect("raw")
        .to_vec()
}

#[tokio::test]
async fn balance_too_low_for_burn_is_the_chains_error() {
    let net = start().await;
    let poor = fresh("poor-coldkey");
    // Enough for fees and the existential deposit, not for the 0.1 TAO default burn.
    net.submit(&transfer(&poor, 10_000_000), &Keypair::dev("Alice"))
        .await
        .expect("fund");
    let outcome = net
        .submit(&burned_register(1, &fresh("poor-hotkey")), &poor)
        .await;
    assert_module_error(
        outcome,
        SUBTENSOR,
        SubtensorModuleError::NotEnoughBalanceToStake as u8,
    );
    net.localnet.stop().await;
}

/// `Sudo.sudo(AdminUtils.<setter>(netuid 1, value))` signed by Alice, the genesis sudo key.
/// The argument of `Sudo.sudo` is the outer call enum: its variant is the pallet, whose one
/// field is the pallet's call.
async fn sudo_set(net: &Net, setter: &str, field: &str, value: Value) {
    let inner = Value::named_variant(setter, [("netuid", Value::u128(1)), (field, value)]);
    let call = dynamic::transaction(
        "Sudo",
        "sudo",
        (Value::unnamed_variant("AdminUtils", [inner]),),
    );
    net.submit(&call, &Keypair::dev("Alice"))
        .await
        .unwrap_or_else(|e| panic!("sudo {setter}: {e:?}"));
}

fn set_weights(
    uids: &[u16],
    weights: &[u16],
    version_key: u64,
) -> impl subxt::transactions::Payload {
    dynamic::transaction(
        "SubtensorModule",
        "set_weights",
        (1u16, uids.to_vec(), weights.to_vec(), version_key),
    )
}

/// Weights of `uid` on netuid 1 as the chain stored them.
async fn stored_weights(net: &Net, uid: u16) -> Vec<(u16, u16)> {
    let at = net.api.at_current_block().await.expect("best");
    at.storage()
        .try_fetch(
            dynamic::storage::<(u16, u16), Vec<(u16, u16)>>("SubtensorModule", "Weights"),
            (1u16, uid),
        )
        .await
        .expect("read Weights")
        .map(|v| v.decode().expect("weights decode"))
        .unwrap_or_default()
}

#[tokio::test]
async fn weights_and_commit_reveal_follow_the_chains_checks() {
    let net = start().await;
    let alice = Keypair::dev("Alice");
    // Alice's hotkey is netuid 1's owner, uid 0. Make epochs short and weights immediate.
    sudo_set(&net, "sudo_set_tempo", "tempo", Value::u128(10)).await;
    sudo_set(
        &net,
        "sudo_set_commit_reveal_weights_enabled",
        "enabled",
        Value::bool(false),
    )
    .await;
    sudo_set(
        &net,
        "sudo_set_weights_set_rate_limit",
        "weights_set_rate_limit",
        Value::u128(0),
    )
    .await;
    let miner = fresh("weights-miner");
    net.submit(&burned_register(1, &miner), &Keypair::dev("Bob"))
        .await
        .expect("register miner");
    let miner_uid = net.uid(1, &miner).await.expect("miner uid");

    // Weights on others need a validator permit, which an epoch hands out by stake.
    let outcome = net
        .submit(&set_weights(&[0, miner_uid], &[1, 1], 0), &alice)
        .await;
    assert_module_error(
        outcome,
        SUBTENSOR,
        SubtensorModuleError::NeuronNoValidatorPermit as u8,
    );
    let stake = dynamic::transaction(
        "SubtensorModule",
        "add_stake",
        (Value::from_bytes(alice.public_key()), 1u16, 100 * TAO),
    );
    net.submit(&stake, &alice).await.expect("add_stake");
    net.localnet
        .produce_blocks(12)
        .await
        .expect("an epoch passes");

    let cases: [(&[u16], &[u16], SubtensorModuleError); 3] = [
        (
            &[miner_uid, miner_uid],
            &[1, 1],
            SubtensorModuleError::DuplicateUids,
        ),
        (
            &[0, miner_uid],
            &[1],
            SubtensorModuleError::WeightVecNotEqualSize,
        ),
        (
            &[0, 200],
            &[1, 1],
            SubtensorModuleError::UidVecContainInvalidOne,
        ),
    ];
    for (uids, weights, expected) in cases {
        let outcome = net.submit(&set_weights(uids, weights, 0), &alice).await;
        assert_module_error(outcome, SUBTENSOR, expected as u8);
    }
    sudo_set(
        &net,
        "sudo_set_weights_version_key",
        "weights_version_key",
        Value::u128(7),
    )
    .await;
    let outcome = net
        .submit(&set_weights(&[0, miner_uid], &[1, 3], 6), &alice)
        .await;
    assert_module_error(
        outcome,
        SUBTENSOR,
        SubtensorModuleError::IncorrectWeightVersionKey as u8,
    );

    net.submit(&set_weights(&[0, miner_uid], &[1, 3], 7), &alice)
        .await
        .expect("set_weights succeeds");
    // Max-upscaled: the largest weight becomes u16::MAX.
    assert_eq!(
        stored_weights(&net, 0).await,
        vec![(0, 21845), (miner_uid, u16::MAX)]
    );

    sudo_set(
        &net,
        "sudo_set_weights_set_rate_limit",
        "weights_set_rate_limit",
        Value::u128(100),
    )
    .await;
    let outcome = net
        .submit(&set_weights(&[0, miner_uid], &[1, 1], 7), &alice)
        .await;
    assert_module_error(
        outcome,
        SUBTENSOR,
        SubtensorModuleError::SettingWeightsTooFast as u8,
    );
    sudo_set(
        &net,
        "sudo_set_weights_set_rate_limit",
        "weights_set_rate_limit",
        Value::u128(0),
    )
    .await;

    // Commit-reveal: set_weights is refused, a commit is revealed in the next epoch.
    sudo_set(
        &net,
        "sudo_set_commit_reveal_weights_enabled",
        "enabled",
        Value::bool(true),
    )
    .await;
    let outcome = net
        .submit(&set_weights(&[0, miner_uid], &[1, 1], 7), &alice)
        .await;
    assert_module_error(
        outcome,
        SUBTENSOR,
        SubtensorModuleError::CommitRevealEnabled as u8,
    );

    let (uids, values, salt, version_key) = (vec![miner_uid], vec![5u16], vec![9u16, 8, 7], 7u64);
    let hash = {
        use parity_scale_codec::Encode;
        sp_crypto_hashing::blake2_256(
            &(alice.public_key(), 1u16, &uids, &values, &salt, version_key).encode(),
        )
    };
    // Epochs of netuid 1 with tempo 10 are numbered (block + 2) / 11. Commit at offset r <= 8 of
    // an epoch e so that the next block is still in e, then reveal inside e + 1.
    let best = || net.localnet.node().best().expect("best").0;
    while (best() + 3) % 11 > 8 {
        net.localnet.produce_blocks(1).await.expect("block");
    }
    let offset = (best() + 3) % 11;
    let commit = dynamic::transaction(
        "SubtensorModule",
        "commit_weights",
        (1u16, Value::from_bytes(hash)),
    );
    net.submit(&commit, &alice).await.expect("commit_weights");
    let reveal = |salt: Vec<u16>| {
        dynamic::transaction(
            "SubtensorModule",
            "reveal_weights",
            (1u16, uids.clone(), values.clone(), salt, version_key),
        )
    };
    let outcome = net.submit(&reveal(salt.clone()), &alice).await;
    assert_module_error(
        outcome,
        SUBTENSOR,
        SubtensorModuleError::RevealTooEarly as u8,
    );
    net.localnet
        .produce_blocks(13 - offset)
        .await
        .expect("into the next epoch");
    let outcome = net.submit(&reveal(vec![1, 2, 3]), &alice).await;
    assert_module_error(
        outcome,
        SUBTENSOR,
        SubtensorModuleError::InvalidRevealCommitHashNotMatch as u8,
    );
    net.submit(&reveal(salt), &alice)
        .await
        .expect("reveal succeeds");
    assert_eq!(stored_weights(&net, 0).await, vec![(miner_uid, u16::MAX)]);
    net.localnet.stop().await;
}

/// Sends `author_submitExtrinsic` with these bytes and returns the JSON-RPC error.
async fn submit_raw(net: &Net, bytes: &[u8]) -> subxt::rpcs::UserError {
    let client = subxt::rpcs::RpcClient::from_url(net.localnet.ws_url())
        .await
        .expect("raw rpc client");
    let params = subxt::rpcs::rpc_params![format!("0x{}", hex_encode(bytes))];
    match client
        .request::<serde_json::Value>("author_submitExtrinsic", params)
        .await
    {
        Err(subxt::rpcs::Error::User(err)) => err,
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn the_pool_refuses_bad_transactions_with_substrates_errors() {
    let net = start().await;
    let alice = Keypair::dev("Alice");
    let receiver = fresh("pool-receiver");
    let mut tx = net.api.tx().await.expect("tx client");
    let signed = tx
        .create_signed(&transfer(&receiver, TAO), &alice, Default::default())
        .await
        .expect("signed");
    let good = signed.encoded().to_vec();

    // A flipped bit in the signature (it sits after the 1-byte version... find it by the
    // signer's public key, which precedes the 1-byte signature kind and the 64 bytes).
    let key_at = good
        .windows(32)
        .position(|w| w == alice.public_key())
        .expect("signer in the extrinsic");
    let mut bad_signature = good.clone();
    bad_signature[key_at + 32 + 1 + 10] ^= 1;
    let err = submit_raw(&net, &bad_signature).await;
    assert_eq!(
        (err.code, err.message.as_str()),
        (1010, "Invalid Transaction")
    );
    assert_eq!(
        err.data.map(|d| d.get().to_string()),
        Some("\"Transaction has a bad signature\"".to_string())
    );

    // Garbage is a client error, and the server keeps serving.
    let err = submit_raw(&net, &[0x04, 0xff, 0x00]).await;
    assert!(
        err.code == 1001 || err.code == 1002 || err.code == 1040,
        "{err:?}"
    );

    // The good one goes in; sending it again is a duplicate.
    let client = subxt::rpcs::RpcClient::from_url(net.localnet.ws_url())
        .await
        .expect("raw rpc client");
    let hash: String = client
        .request(
            "author_submitExtrinsic",
            subxt::rpcs::rpc_params![format!("0x{}", hex_encode(&good))],
        )
        .await
        .expect("accepted");
    assert_eq!(hash.len(), 66);
    let err = submit_raw(&net, &good).await;
    assert_eq!(err.code, 1013, "{err:?}");
    net.localnet.produce_blocks(1).await.expect("seal");
    assert_eq!(net.free(&receiver).await, TAO);

    // Now its nonce is used: a new transaction with the old nonce is stale.
    let err = submit_raw(&net, &good).await;
    assert!(err.code == 1010 || err.code == 1012, "{err:?}");
    net.localnet.stop().await;
}

/// A runtime upgrade scheduled at block 3 (spec 365 before it, 393 from it), crossed by a
/// subxt client connected before it: a transfer in spec 365, the upgrade heard through
/// `state_subscribeRuntimeVersion` and the upgrade block's digest, a transaction signed for
/// 365 refused after it, subxt re-reading the version and metadata and transferring in 393,
/// and historic queries answering with each block's own version.
#[tokio::test]
async fn a_client_connected_before_a_runtime_upgrade_works_across_it() {
    use subxt::config::RpcConfigFor;
    use subxt::config::substrate::DigestItem;
    use subxt::rpcs::{LegacyRpcMethods, RpcClient};

    let config = LocalnetConfig {
        port: 0,
        manual_seal: true,
        upgrade_at: Some(3),
        ..LocalnetConfig::default()
    };
    let localnet = spawn(config).await.expect("localnet starts");
    let api = OnlineClient::<SubstrateConfig>::from_url(localnet.ws_url())
        .await
        .expect("subxt connects");
    let net = Net { localnet, api };
    let rpc = LegacyRpcMethods::<RpcConfigFor<SubstrateConfig>>::new(
        RpcClient::from_url(net.localnet.ws_url())
            .await
            .expect("raw rpc client"),
    );
    let mut versions = rpc
        .state_subscribe_runtime_version()
        .await
        .expect("runtime version subscription");
    let first = versions.next().await.expect("a version").expect("decodes");
    assert_eq!((first.spec_version, first.transaction_version), (365, 1));
    // WeightsCommitted is SubtensorModule event 79 in spec 365 and 83 in spec 393.
    let event_name = |metadata: &subxt::Metadata, index: u8| {
        metadata
            .pallet_by_name("SubtensorModule")
            .and_then(|p| p.event_variant_by_index(index))
            .map(|v| v.name.clone())
    };

    net.localnet.produce_blocks(1).await.expect("block 1");
    let alice = Keypair::dev("Alice");
    let receiver = fresh("upgrade-receiver");
    let before = net.api.at_current_block().await.expect("block 1");
    assert_eq!(before.spec_version(), 365);
    assert_eq!(
        event_name(before.metadata_ref(), 79).as_deref(),
        Some("WeightsCommitted")
    );
    net.submit(&transfer(&receiver, TAO), &alice)
        .await
        .expect("a transfer in spec 365");
    assert_eq!(net.free(&receiver).await, TAO);

    // Signed now, for spec 365, and held back past the upgrade.
    let held = net
        .api
        .tx()
        .await
        .expect("tx client at block 2")
        .create_signed(&transfer(&receiver, 2 * TAO), &alice, Default::default())
        .await
        .expect("signed for 365")
        .encoded()
        .to_vec();

    let upgrade = net
        .localnet
        .produce_blocks(2)
        .await
        .expect("blocks 3 and 4");
    let upgraded = versions
        .next()
        .await
        .expect("a new version")
        .expect("decodes");
    assert_eq!(upgraded.spec_version, 393);
    let header = rpc
        .chain_get_header(Some(subxt::utils::H256(upgrade[0].0)))
        .await
        .expect("header")
        .expect("block 3");
    assert!(
        header
            .digest
            .logs
            .iter()
            .any(|log| matches!(log, DigestItem::RuntimeEnvironmentUpdated)),
        "block 3 announces the new runtime"
    );

    let err = submit_raw(&net, &held).await;
    assert_eq!(
        (err.code, err.message.as_str()),
        (1010, "Invalid Transaction")
    );
    assert_eq!(
        err.data.map(|d| d.get().to_string()),
        Some("\"Transaction has a bad signature\"".to_string())
    );

    let after = net.api.at_current_block().await.expect("block 4");
    assert_eq!(after.spec_version(), 393);
    assert_eq!(
        event_name(after.metadata_ref(), 83).as_deref(),
        Some("WeightsCommitted")
    );
    net.submit(&transfer(&receiver, 3 * TAO), &alice)
        .await
        .expect("a transfer in spec 393");
    assert_eq!(net.free(&receiver).await, 4 * TAO);

    let block1 = rpc
        .chain_get_block_hash(Some(1u32.into()))
        .await
        .expect("block hash")
        .expect("block 1");
    let old = rpc
        .state_get_runtime_version(Some(block1))
        .await
        .expect("version at block 1");
    assert_eq!(old.spec_version, 365);
    let best = rpc
        .state_get_runtime_version(None)
        .await
        .expect("version at best");
    assert_eq!(best.spec_version, 393);
    let old_metadata = rpc
        .state_get_metadata(Some(block1))
        .await
        .expect("metadata at block 1")
        .to_frame_metadata()
        .expect("decodes");
    let old_metadata = subxt::Metadata::try_from(old_metadata).expect("subxt reads it");
    let extensions = old_metadata
        .extrinsic()
        .transaction_extensions_by_version(0)
        .map(|e| e.count());
    assert_eq!(
        extensions,
        Some(12),
        "spec 365 had no CheckShieldedTxValidity"
    );
    net.localnet.stop().await;
}

#[tokio::test]
async fn commitments_past_the_epochs_space_are_refused() {
    let net = start().await;
    let hotkey = fresh("space-hotkey");
    let coldkey = Keypair::dev("Charlie");
    net.submit(&burned_register(1, &hotkey), &coldkey)
        .await
        .expect("register");
    net.submit(&transfer(&hotkey, TAO), &coldkey)
        .await
        .expect("fund");
    // Three 128-byte fields a commitment: the 3,100-byte epoch allowance runs out after 8.
    let field = |i: u8| Value::unnamed_variant("Raw128", [Value::from_bytes([i; 128])]);
    let mut accepted = 0;
    let outcome = loop {
        let info = Value::named_composite([(
            "fields",
            Value::unnamed_composite([field(accepted), field(1), field(2)]),
        )]);
        let call = dynamic::transaction("Commitments", "set_commitment", (1u16, info));
        match net.submit(&call, &hotkey).await {
            Ok(()) => accepted += 1,
            Err(err) => break Err(err),
        }
        assert!(accepted < 20, "the space limit never hit");
    };
    assert_module_error(outcome, COMMITMENTS, 2);
    assert_eq!(accepted, 8);
    net.localnet.stop().await;
}
