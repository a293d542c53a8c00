/**
 * The cluster's control messages and records, as JSON (they are small and rare; worker frames
 * travel as the channel's own bytes), and the checks that turn what arrives into them or into
 * nothing: a peer's malformed message is dropped, never trusted.
 *
 * @module
 */

/** Who an actor is: its id and name. */
export interface Address {
  readonly id: string;
  readonly name: string;
}

/** A root asks an agent to start one worker. */
export interface SpawnRequest {
  readonly v: 1;
  readonly link: string;
  /** The root asking: its system id. */
  readonly root: string;
  /** The revision of the ownership record written for this link: what is older says nothing of it. */
  readonly revision: number;
  readonly placement: 'process' | 'thread';
  readonly kind: 'actor' | 'task';
  readonly module: string;
  readonly actor: Address;
  readonly execArgv: readonly string[];
  readonly maxHeapMb?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly maxMessageBytes: number;
}

/** An agent's answer to a spawn: `agent` is the run of the agent that started it. */
export type SpawnReply =
  | { readonly ok: true; readonly pid: number | null; readonly agent: string }
  | {
      readonly ok: false;
      readonly error: { readonly name: string; readonly message: string; readonly code?: string };
    };

/** One worker an agent runs, in its heartbeat. */
export interface AgentWorker {
  readonly link: string;
  readonly root: string;
  readonly actor: Address;
  readonly pid: number | null;
  readonly placement: 'process' | 'thread';
}

/** An agent's heartbeat: KV `P_hosts`, key = its host name. */
export interface HostRecord {
  readonly host: string;
  /** This run of the agent: a new id each time it starts. */
  readonly agent: string;
  readonly pid: number;
  readonly cpus: number;
  readonly heartbeatMs: number;
  /** The agent's clock when it wrote this (ms since the epoch). */
  readonly time: number;
  readonly state: 'up' | 'leaving';
  readonly workers: readonly AgentWorker[];
  /** Messages it dropped: malformed, or not signed by the cluster's secret. */
  readonly dropped: number;
}

/** A root's view of its actors on other hosts: KV `P_systems`, key = its system id. */
export interface SystemRecord {
  readonly root: string;
  readonly pid: number;
  readonly hostname: string;
  readonly time: number;
  readonly actors: readonly {
    readonly id: string;
    readonly name: string;
    readonly host: string;
    readonly pid: number | null;
    readonly state: string;
    readonly restarts: number;
    readonly mailboxDepth: number | null;
  }[];
}

/** Who runs a remote actor: KV `P_owners`, key = the actor's id. */
export interface OwnerRecord {
  readonly host: string;
  readonly link: string;
  readonly root: string;
}

/** How a remote worker ended, as its agent saw it: its link's last `up` (header `Troupe-Exit: 1`). */
export interface ExitRecord {
  readonly code: number | null;
  readonly signal: string | null;
  readonly oom: boolean;
  readonly stderrTail?: string;
  /** The error a thread died of, when it died of one its own handlers did not report. */
  readonly error?: { readonly name: string; readonly message: string; readonly stack?: string };
  /** The agent ended it because its link lost messages (a gap in the sequence). */
  readonly lost?: string;
}

export const EXIT_HEADER = 'Troupe-Exit';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isAddress(value: unknown): value is Address {
  return (
    isObject(value) && typeof value.id === 'string' && ID.test(value.id) && typeof value.name === 'string'
  );
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isObject(value) && Object.values(value).every((v) => typeof v === 'string');
}

/** A spawn request, checked field by field; a string saying what is wrong otherwise. */
export function parseSpawnRequest(value: unknown): SpawnRequest | string {
  if (!isObject(value)) return 'not an object';
  const r = value;
  if (r.v !== 1) return `unknown version ${String(r.v)}`;
  if (typeof r.link !== 'string' || !ID.test(r.link)) return 'bad link';
  if (typeof r.root !== 'string' || !ID.test(r.root)) return 'bad root';
  if (!(Number.isSafeInteger(r.revision) && (r.revision as number) > 0)) return 'bad revision';
  if (r.placement !== 'process' && r.placement !== 'thread') return 'bad placement';
  if (r.kind !== 'actor' && r.kind !== 'task') return 'bad kind';
  if (typeof r.module !== 'string' || r.module.length === 0) return 'bad module';
  if (!isAddress(r.actor)) return 'bad actor';
  if (!Array.isArray(r.execArgv) || !r.execArgv.every((f) => typeof f === 'string')) return 'bad execArgv';
  if (r.maxHeapMb !== undefined && !(Number.isSafeInteger(r.maxHeapMb) && (r.maxHeapMb as number) > 0))
    return 'bad maxHeapMb';
  if (r.env !== undefined && !isStringRecord(r.env)) return 'bad env';
  if (r.cwd !== undefined && typeof r.cwd !== 'string') return 'bad cwd';
  if (!(Number.isSafeInteger(r.maxMessageBytes) && (r.maxMessageBytes as number) > 0))
    return 'bad maxMessageBytes';
  return r as unknown as SpawnRequest;
}

/** A heartbeat record, if `value` is one. */
export function parseHostRecord(value: unknown): HostRecord | undefined {
  if (!isObject(value)) return undefined;
  const r = value;
  const ok =
    typeof r.host === 'string' &&
    typeof r.agent === 'string' &&
    Number.isSafeInteger(r.pid) &&
    Number.isSafeInteger(r.cpus) &&
    Number.isSafeInteger(r.heartbeatMs) &&
    typeof r.time === 'number' &&
    (r.state === 'up' || r.state === 'leaving') &&
    Array.isArray(r.workers) &&
    Number.isSafeInteger(r.dropped);
  return ok ? (r as unknown as HostRecord) : undefined;
}

/** An owner record, if `value` is one. */
export function parseOwnerRecord(value: unknown): OwnerRecord | undefined {
  if (!isObject(value)) return undefined;
  return typeof value.host === 'string' && typeof value.link === 'string' && typeof value.root === 'string'
    ? (value as unknown as OwnerRecord)
    : undefined;
}

/** An exit record, if `value` is one. */
export function parseExitRecord(value: unknown): ExitRecord | undefined {
  if (!isObject(value)) return undefined;
  const { code, signal, oom, stderrTail, error, lost } = value;
  const ok =
    (code === null || Number.isSafeInteger(code)) &&
    (signal === null || typeof signal === 'string') &&
    typeof oom === 'boolean' &&
    (stderrTail === undefined || typeof stderrTail === 'string') &&
    (lost === undefined || typeof lost === 'string') &&
    (error === undefined ||
      (isObject(error) && typeof error.name === 'string' && typeof error.message === 'string'));
  return ok ? (value as unknown as ExitRecord) : undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** JSON as bytes. */
export function jsonBytes(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Bytes as JSON, or undefined for bytes that are not. */
export function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

/** Bytes of the sequence number before each piece of a link's stream. */
export const SEQ_BYTES = 4;
/** Room left under the server's `max_payload` for headers (a signature) and the sequence number. */
export const PAYLOAD_HEADROOM = 1024;

/**
 * Publishes `bytes` as the next pieces of a link's stream, each prefixed by its sequence number
 * (from `next`, which it advances): core NATS may drop a message on a reconnect, and a receiver
 * that sees a gap must end the link rather than read the following bytes as a frame.
 */
export function sequenced(bytes: Uint8Array, maxPayload: number, next: () => number): Uint8Array[] {
  const room = Math.max(1024, maxPayload - PAYLOAD_HEADROOM);
  const pieces: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += room) {
    const end = Math.min(bytes.length, at + room);
    const piece = new Uint8Array(SEQ_BYTES + end - at);
    new DataView(piece.buffer).setUint32(0, next());
    piece.set(bytes.subarray(at, end), SEQ_BYTES);
    pieces.push(piece);
  }
  return pieces;
}

/** The sequence number of a piece, or undefined for one too short to have it. */
export function sequenceOf(piece: Uint8Array): number | undefined {
  if (piece.length <= SEQ_BYTES) return undefined;
  return new DataView(piece.buffer, piece.byteOffset, SEQ_BYTES).getUint32(0);
}
