/** A channel transport over a Node socket (an OS pipe): one tick's frames as one corked write. */

import type { Socket } from 'node:net';
import type { Transport } from '@troupe/core/spi';

export function socketTransport(socket: Socket): Transport {
  return {
    write(chunks) {
      if (socket.destroyed) return;
      if (chunks.length === 1) {
        socket.write(chunks[0] as Uint8Array);
        return;
      }
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    },
    close() {
      socket.end();
    },
  };
}
