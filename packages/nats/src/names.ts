/**
 * What Troupe names things on a NATS server. Everything starts with the backend's prefix
 * (default `TROUPE`), so several deployments can share a server without meeting.
 *
 * - queue `q`: stream `<prefix>_Q_<q>` on subject `<prefix>.q.<q>`, one durable pull consumer
 *   `troupe`;
 * - dead letters of every queue: stream `<prefix>_DLQ`, subject `<prefix>.dlq.<q>`;
 * - queue state (closed): stream `<prefix>_META`, subject `<prefix>.meta.<q>`, last message kept.
 *
 * @module
 */

/** The one durable consumer of every queue stream. */
export const CONSUMER = 'troupe';

/** What a prefix may be: it is part of stream names and a subject token. */
const PREFIX = /^[A-Za-z0-9_-]{1,32}$/;

export function checkPrefix(prefix: string): boolean {
  return PREFIX.test(prefix);
}

export class Names {
  readonly prefix: string;
  constructor(prefix: string) {
    this.prefix = prefix;
  }
  stream(queue: string): string {
    return `${this.prefix}_Q_${queue}`;
  }
  subject(queue: string): string {
    return `${this.prefix}.q.${queue}`;
  }
  /** The queue a stream of ours holds, or undefined for any other stream. */
  queueOf(stream: string): string | undefined {
    const head = `${this.prefix}_Q_`;
    return stream.startsWith(head) ? stream.slice(head.length) : undefined;
  }
  get dlqStream(): string {
    return `${this.prefix}_DLQ`;
  }
  dlqSubject(queue: string): string {
    return `${this.prefix}.dlq.${queue}`;
  }
  get metaStream(): string {
    return `${this.prefix}_META`;
  }
  metaSubject(queue: string): string {
    return `${this.prefix}.meta.${queue}`;
  }
}
