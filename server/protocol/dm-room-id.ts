/** Width of a UUID's 128 bits in base 36. */
const UUID_BASE36_WIDTH = 25;

function uuidToBase36(uuid: string): string {
  return BigInt(`0x${uuid.replaceAll('-', '')}`).toString(36).padStart(UUID_BASE36_WIDTH, '0');
}

/**
 * M2: the id of the DM between two people, the same whichever of them
 * computes it, so two people who open a DM with each other offline end in
 * one room. It is their two ids (128 bits each, in base 36, lower first),
 * which fits the room id pattern and needs no hashing (crypto.subtle is
 * missing on pages served over plain http to another device).
 */
export function dmRoomId(a: string, b: string): string {
  const [x, y] = [uuidToBase36(a.toLowerCase()), uuidToBase36(b.toLowerCase())].sort();
  return `dm-${x}${y}`;
}
