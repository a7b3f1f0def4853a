import { crc32 as zlibCrc32 } from 'node:zlib';

/**
 * CRC-32 (IEEE 802.3, the zlib/PNG one) of the UTF-8 bytes of `input`, as an unsigned 32-bit
 * integer. Node ships it in zlib since 20.15 and package.json requires ≥ 20.19, so no table of our
 * own is needed.
 */
export function crc32(input: string): number {
  return zlibCrc32(input) >>> 0;
}
