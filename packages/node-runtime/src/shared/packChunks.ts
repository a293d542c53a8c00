/**
 * Joins chunks into one buffer that owns its whole ArrayBuffer, so it can be transferred to
 * another thread without cloning unrelated bytes.
 */
export function packChunks(chunks: Uint8Array[]): Uint8Array {
  const only = chunks.length === 1 ? chunks[0] : undefined;
  if (only !== undefined && only.byteOffset === 0 && only.byteLength === only.buffer.byteLength) {
    return only;
  }
  let total = 0;
  for (const chunk of chunks) total += chunk.byteLength;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
