// One home for spreading a sparse index over shard partitions: FNV-1a over the key, modulo the shard count.
// Stable across processes and versions, so an item's shard never moves while its count stays the same.

/** The shard (0 … shards − 1) of `key`. */
export function shardOf(key: string, shards: number): number {
  let hash = 0x811c9dc5; // FNV-1a
  for (const char of key) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}
