import { type FailedItem, type QueueBackend, realClock } from '@troupe/core';
import { afterAll, beforeAll } from 'vitest';
import { describeNats, type NatsServer, startNatsServer } from '../../../test/support/natsServer.js';
import { queueConformance } from '../../core/test/support/queueConformance.js';
import { natsBackend } from '../src/index.js';

let server: NatsServer | undefined;
let backend: QueueBackend | undefined;
const failed: FailedItem[] = [];

describeNats('NATS JetStream backend', () => {
  beforeAll(async () => {
    server = await startNatsServer();
    backend = await natsBackend({ servers: server.url }).open({
      clock: realClock,
      maxTakeBytes: 1024 * 1024,
      onFailed: (f) => failed.push(f),
      onStarving: () => {},
    });
  });

  afterAll(async () => {
    await backend?.shutdown?.();
    await server?.stop();
  });

  queueConformance('NATS JetStream backend', () => ({ backend: backend as QueueBackend, failed }));
});
