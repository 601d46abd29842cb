/**
 * Every benchmark talks to this machine only: servers listen on 127.0.0.1 and
 * load generators connect from loopback source addresses (Linux routes all
 * of 127.0.0.0/8 to `lo`), so per-address limits can be met without leaving
 * the machine. These checks make any other target a hard error.
 */
import net from 'node:net';

export function isLoopbackAddress(address: string): boolean {
  if (address === '::1' || address === 'localhost') return true;
  return net.isIPv4(address) && address.startsWith('127.');
}

export function assertLoopbackAddress(address: string): void {
  if (!isLoopbackAddress(address)) throw new Error(`benchmarks only target loopback addresses, not ${JSON.stringify(address)}`);
}

export function assertLoopbackUrl(url: string): void {
  const { hostname } = new URL(url);
  assertLoopbackAddress(hostname.replace(/^\[|\]$/g, ''));
}

/**
 * `count` distinct source addresses in 127.1.0.0/16 (127.1.0.1, 127.1.0.2, …),
 * away from 127.0.0.1 where other tools on the machine connect from.
 */
export function sourceAddresses(count: number): string[] {
  if (count < 1 || count > 65_000) throw new Error(`cannot make ${count} source addresses`);
  return Array.from({ length: count }, (_, i) => `127.1.${Math.floor((i + 1) / 256)}.${(i + 1) % 256}`);
}

/** The source address for socket `index` when each address carries at most `perAddress` sockets. */
export function addressFor(addresses: readonly string[], index: number, perAddress: number): string {
  const slot = Math.floor(index / perAddress);
  if (slot >= addresses.length) throw new Error(`socket ${index} needs more than ${addresses.length} source addresses at ${perAddress} each`);
  return addresses[slot];
}
