// Short one-way fingerprints: tool inputs and prompts are hashed, never stored as text.
import { createHash } from 'node:crypto';

export function shortHash(text: string, length = 12): string {
  return createHash('sha1').update(text).digest('hex').slice(0, length);
}

/** FNV-1a over a string: cheap identity for streamed content blocks (not a privacy hash). */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}
