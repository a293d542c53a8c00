/**
 * Signatures on what a cluster sends: with a shared `secret`, every request, every link frame and
 * every KV record carries an HMAC-SHA256 over its subject (or key) and bytes, and whatever arrives
 * without a good one is dropped and counted. Without a secret nothing is signed, and anyone who
 * may publish on the prefix's subjects is trusted: rely on NATS accounts and permissions then.
 *
 * @module
 */

import { createHmac, timingSafeEqual } from 'node:crypto';
import { headers, type MsgHdrs } from '@nats-io/transport-node';

export const SIGNATURE_HEADER = 'Troupe-Sig';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class Signer {
  readonly #key: Buffer | undefined;

  constructor(secret: string | undefined) {
    this.#key = secret === undefined ? undefined : Buffer.from(secret, 'utf8');
  }

  /** True when messages are signed and checked. */
  get signing(): boolean {
    return this.#key !== undefined;
  }

  #mac(scope: string, data: Uint8Array): Buffer {
    return createHmac('sha256', this.#key as Buffer)
      .update(scope)
      .update('\n')
      .update(data)
      .digest();
  }

  /** The headers that sign `data` for `subject` (others may be added to them); none without a secret. */
  headers(subject: string, data: Uint8Array): MsgHdrs | undefined {
    if (this.#key === undefined) return undefined;
    const h = headers();
    h.set(SIGNATURE_HEADER, this.#mac(subject, data).toString('base64url'));
    return h;
  }

  /** Publish or request options that sign `data` for `subject`: `{ headers }`, or nothing. */
  sign(subject: string, data: Uint8Array): { headers?: MsgHdrs } {
    const h = this.headers(subject, data);
    return h === undefined ? {} : { headers: h };
  }

  /** Whether `data` on `subject` is signed by the secret (always, without one). */
  verify(subject: string, data: Uint8Array, h: MsgHdrs | undefined): boolean {
    if (this.#key === undefined) return true;
    const given = h?.get(SIGNATURE_HEADER);
    if (given === undefined || given === '') return false;
    const expected = this.#mac(subject, data);
    const actual = Buffer.from(given, 'base64url');
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  /** A KV record's value: its JSON, signed (`<mac>.<json>`) when there is a secret. */
  seal(key: string, value: unknown): string {
    const json = JSON.stringify(value);
    if (this.#key === undefined) return json;
    return `${this.#mac(key, encoder.encode(json)).toString('base64url')}.${json}`;
  }

  /** A KV record's value, parsed, if it is well formed and signed; else undefined. */
  open(key: string, bytes: Uint8Array): unknown {
    let text = decoder.decode(bytes);
    if (this.#key !== undefined) {
      const dot = text.indexOf('.');
      if (dot < 0) return undefined;
      const json = text.slice(dot + 1);
      const h = headers();
      h.set(SIGNATURE_HEADER, text.slice(0, dot));
      if (!this.verify(key, encoder.encode(json), h)) return undefined;
      text = json;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }
}
