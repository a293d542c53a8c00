/**
 * Direct links for pipes between two child processes: a Unix socket in the root's private
 * directory, listened on by one worker and connected to by the other. The listener takes the
 * first connection, then stops listening and removes the socket file.
 */

import { chmod, rm } from 'node:fs/promises';
import { createServer, type Socket, connect as socketConnect } from 'node:net';
import type { Codec } from '@troupe/core';
import {
  Channel,
  type DirectConnector,
  type DirectHandlers,
  type DirectLink,
  type PipeDirect,
} from '@troupe/core/spi';
import { socketTransport } from '../shared/socketTransport.js';

function isPipeData(value: unknown): value is PipeDirect {
  if (typeof value !== 'object' || value === null) return false;
  const { t, op, pipe, side } = value as Record<string, unknown>;
  return (
    t === 'pipe' &&
    (op === 'data' || op === 'close') &&
    typeof pipe === 'string' &&
    (side === 'a' || side === 'b')
  );
}

function link(socket: Socket, codec: Codec, handlers: DirectHandlers): DirectLink {
  const channel = new Channel<PipeDirect, PipeDirect>({
    codec,
    transport: socketTransport(socket),
    accept: isPipeData,
    onMessage: handlers.onMessage,
    onProtocolError: () => socket.destroy(),
  });
  socket.on('data', (chunk: Uint8Array) => channel.receive(chunk));
  socket.on('error', () => {}); // 'close' follows
  socket.on('close', () => handlers.onClose());
  return {
    send: (message) => channel.send(message, 'msg', message.op === 'data' ? message.body : undefined),
    close: () => channel.close(),
  };
}

/** @param codec - makes the codec for a link (one per link, reviving handles as the worker does) */
export function nodeDirectConnector(codec: () => Codec): DirectConnector {
  return {
    async listen(path, handlers) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => resolve());
      });
      await chmod(path, 0o600);
      server.unref();
      const accepted = new Promise<DirectLink>((resolve) => {
        server.once('connection', (socket) => {
          server.close();
          void rm(path, { force: true });
          resolve(link(socket, codec(), handlers));
        });
      });
      return { accepted };
    },
    connect(path, handlers) {
      return new Promise<DirectLink>((resolve, reject) => {
        const socket = socketConnect(path);
        socket.once('error', reject);
        socket.once('connect', () => {
          socket.off('error', reject);
          resolve(link(socket, codec(), handlers));
        });
      });
    },
  };
}
