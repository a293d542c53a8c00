import { realClock } from '../src/Clock.js';
import { EmbeddedQueueBackend } from '../src/queue/EmbeddedQueueBackend.js';
import type { FailedItem } from '../src/queue/QueueBackend.js';
import { queueConformance } from './support/queueConformance.js';

queueConformance('embedded backend', () => {
  const failed: FailedItem[] = [];
  return { backend: new EmbeddedQueueBackend({ clock: realClock, onFailed: (f) => failed.push(f) }), failed };
});
