import { BlockList } from 'node:net';
import { isForbiddenAddress } from './forbidden-addresses';
import { ipFamilyOf } from './ip-family';

/** Where webhooks may be sent; from configuration (`HERALD_ALLOW_PRIVATE_TARGETS`). */
export interface TargetPolicy {
  /** Permits every address, forbidden ones included (local development and tests). */
  readonly allowPrivateTargets: boolean;
  /**
   * Subnets permitted even though they are forbidden by default, in CIDR notation
   * (`10.20.0.0/16`, `fd00:1::/64`); a bare address means that one address.
   */
  readonly allowedSubnets?: readonly string[];
}

/** A subnet in `TargetPolicy.allowedSubnets` that is not valid CIDR notation. */
export class InvalidSubnet extends Error {
  constructor(readonly subnet: string) {
    super(`Not a subnet in CIDR notation: ${JSON.stringify(subnet)}`);
    this.name = new.target.name;
  }
}

/** Decides single addresses under one policy; build it once, ask it often. */
export interface AddressGuard {
  permits(address: string): boolean;
}

/**
 * Compiles a policy. Throws `InvalidSubnet` for a malformed `allowedSubnets` entry, so a bad
 * configuration fails at start rather than on the first delivery.
 *
 * Guarantee: without `allowPrivateTargets`, `permits` is true only for a plain IP address that is
 * not forbidden (see `isForbiddenAddress`) or lies in an allowed subnet. An IPv4 subnet also
 * covers the IPv4-mapped IPv6 form of its addresses.
 */
export function createAddressGuard(policy: TargetPolicy): AddressGuard {
  const allowed = allowedSubnetList(policy.allowedSubnets ?? []);
  return {
    permits(address: string): boolean {
      const family = ipFamilyOf(address);
      if (family === null) {
        return false;
      }
      return (
        policy.allowPrivateTargets || !isForbiddenAddress(address) || allowed.check(address, family)
      );
    },
  };
}

function allowedSubnetList(subnets: readonly string[]): BlockList {
  const list = new BlockList();
  for (const subnet of subnets) {
    const [network = '', prefix, ...rest] = subnet.trim().split('/');
    const family = ipFamilyOf(network);
    const maxPrefix = family === 'ipv4' ? 32 : 128;
    const prefixLength = prefix === undefined ? maxPrefix : Number(prefix);
    if (
      family === null ||
      rest.length > 0 ||
      (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) ||
      prefixLength > maxPrefix
    ) {
      throw new InvalidSubnet(subnet);
    }
    list.addSubnet(network, prefixLength, family);
  }
  return list;
}
