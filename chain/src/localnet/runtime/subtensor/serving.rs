//! `serve_axon`: a registered hotkey publishes its endpoint in `Axons(netuid, hotkey)`.
//!
//! Checks, in the chain's order: the subnet exists (`SubnetNotExists`), the signer is
//! registered on it (`HotKeyNotRegisteredInNetwork`), `ip_type` is 4 or 6 (`InvalidIpType`),
//! the address fits its type and is not loopback (`InvalidIpAddress`; zero is allowed for
//! testing, as on the chain), `ServingRateLimit` blocks have passed since the last serve
//! (`ServingRateLimitExceeded`; a limit of 0 or a first serve always pass), the port is not 0
//! (`InvalidPort`). Event: `AxonServed(netuid, hotkey)`.

use nya_metadata::runtime::calls::SubtensorModuleEvent;
use nya_metadata::runtime::errors::SubtensorModuleError as E;
use nya_metadata::runtime::types::{AccountId32, AxonInfo};

use super::storage as st;
use super::{deposit, ensure};
use crate::localnet::runtime::{Ctx, DispatchResult};

/// The endpoint fields of a `serve_axon` call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Axon software version.
    pub version: u32,
    /// IP address as an integer.
    pub ip: u128,
    /// TCP port.
    pub port: u16,
    /// 4 or 6.
    pub ip_type: u8,
    /// Protocol tag.
    pub protocol: u8,
    /// Reserved.
    pub placeholder1: u8,
    /// Reserved.
    pub placeholder2: u8,
}

/// IPv4 loopback (127.0.0.1).
const IPV4_LOOPBACK: u128 = 0x7f00_0001;
/// IPv6 loopback (::1).
const IPV6_LOOPBACK: u128 = 1;

/// The chain's address check: IPv4 must be below `u32::MAX` and not 127.0.0.1, IPv6 not all
/// ones and not ::1; zero passes when `allow_zero`.
pub fn is_valid_ip_address(ip_type: u8, ip: u128, allow_zero: bool) -> bool {
    if ip == 0 {
        return allow_zero;
    }
    match ip_type {
        4 => ip < u128::from(u32::MAX) && ip != IPV4_LOOPBACK,
        6 => ip != u128::MAX && ip != IPV6_LOOPBACK,
        _ => true,
    }
}

/// `serve_axon` signed by `hotkey`.
pub fn serve_axon(
    ctx: &mut Ctx<'_, '_>,
    hotkey: &AccountId32,
    netuid: u16,
    endpoint: Endpoint,
) -> DispatchResult {
    ensure(st::subnet_exists(ctx.state, netuid)?, E::SubnetNotExists)?;
    ensure(
        st::uid_of(ctx.state, netuid, hotkey)?.is_some(),
        E::HotKeyNotRegisteredInNetwork,
    )?;
    ensure(matches!(endpoint.ip_type, 4 | 6), E::InvalidIpType)?;
    ensure(
        is_valid_ip_address(endpoint.ip_type, endpoint.ip, true),
        E::InvalidIpAddress,
    )?;
    let key = (netuid, *hotkey);
    let previous = st::AXONS.get(ctx.state, &key)?.unwrap_or_default();
    let block = u64::from(ctx.block);
    let limit = st::SERVING_RATE_LIMIT.get(ctx.state, &netuid)?;
    ensure(
        limit == 0 || previous.block == 0 || block.saturating_sub(previous.block) >= limit,
        E::ServingRateLimitExceeded,
    )?;
    ensure(endpoint.port != 0, E::InvalidPort)?;
    let axon = AxonInfo {
        block,
        version: endpoint.version,
        ip: endpoint.ip,
        port: endpoint.port,
        ip_type: endpoint.ip_type,
        protocol: endpoint.protocol,
        placeholder1: endpoint.placeholder1,
        placeholder2: endpoint.placeholder2,
    };
    st::AXONS.set(ctx.state, &key, &axon);
    deposit(ctx, SubtensorModuleEvent::AxonServed(netuid, *hotkey));
    Ok(())
}

#[cfg(test)]
mod tests {
    use nya_metadata::runtime::calls::SubtensorModuleCall;

    use super::super::error;
    use super::super::testing::{World, account};
    use super::*;

    fn serve(netuid: u16, ip: u128, port: u16, ip_type: u8) -> SubtensorModuleCall {
        SubtensorModuleCall::serve_axon {
            netuid,
            version: 7,
            ip,
            port,
            ip_type,
            protocol: 4,
            placeholder1: 0,
            placeholder2: 0,
        }
    }

    const IP: u128 = 0x0a00_0001; // 10.0.0.1

    #[test]
    fn a_registered_hotkey_serves_and_the_axon_is_stored() {
        let mut w = World::new();
        let owner = account(1);
        assert_eq!(w.call(&owner, serve(1, IP, 8091, 4)), Ok(()));
        let axon = w.read(|s| st::AXONS.get(s, &(1, owner)).unwrap().unwrap());
        assert_eq!(
            axon,
            AxonInfo {
                block: 1,
                version: 7,
                ip: IP,
                port: 8091,
                ip_type: 4,
                protocol: 4,
                placeholder1: 0,
                placeholder2: 0
            }
        );
        assert!(w.emitted(&SubtensorModuleEvent::AxonServed(1, owner)));
        let neuron = w.read(|s| st::neurons(s, 1).unwrap().remove(0));
        assert_eq!(neuron.axon, axon);
    }

    #[test]
    fn each_check_fails_with_the_chain_error_in_order() {
        let mut w = World::new();
        let owner = account(1);
        assert_eq!(
            w.call(&owner, serve(5, IP, 1, 4)),
            Err(error(E::SubnetNotExists))
        );
        assert_eq!(
            w.call(&account(9), serve(1, IP, 1, 9)),
            Err(error(E::HotKeyNotRegisteredInNetwork))
        );
        assert_eq!(
            w.call(&owner, serve(1, IP, 0, 5)),
            Err(error(E::InvalidIpType))
        );
        assert_eq!(
            w.call(&owner, serve(1, IPV4_LOOPBACK, 0, 4)),
            Err(error(E::InvalidIpAddress))
        );
        assert_eq!(
            w.call(&owner, serve(1, u128::from(u32::MAX), 1, 4)),
            Err(error(E::InvalidIpAddress))
        );
        assert_eq!(
            w.call(&owner, serve(1, 1, 1, 6)),
            Err(error(E::InvalidIpAddress))
        );
        assert_eq!(
            w.call(&owner, serve(1, IP, 0, 4)),
            Err(error(E::InvalidPort))
        );
        // Zero addresses are allowed (testing), and IPv6 takes 128-bit addresses.
        assert_eq!(w.call(&owner, serve(1, 0, 1, 4)), Ok(()));
        // The rate limit (50 blocks by default) comes before the port check.
        w.next_block();
        assert_eq!(
            w.call(&owner, serve(1, IP, 0, 4)),
            Err(error(E::ServingRateLimitExceeded))
        );
        w.run_to(51);
        assert_eq!(w.call(&owner, serve(1, u128::MAX - 1, 9, 6)), Ok(()));
        let axon = w.read(|s| st::AXONS.get(s, &(1, owner)).unwrap().unwrap());
        assert_eq!((axon.block, axon.ip_type, axon.port), (51, 6, 9));
    }

    #[test]
    fn a_zero_rate_limit_lets_a_hotkey_serve_every_block() {
        let mut w = World::with(|p| p.serving_rate_limit = 0);
        assert_eq!(w.call(&account(1), serve(1, IP, 1, 4)), Ok(()));
        assert_eq!(w.call(&account(1), serve(1, IP, 2, 4)), Ok(()));
    }
}
