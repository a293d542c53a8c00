/**
 * The cluster's KV buckets (see `clusterNames.ts`), made by whoever comes first and opened by the
 * rest.
 *
 * @module
 */

import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { BackendError } from '@troupe/core';
import type { ClusterNames } from './clusterNames.js';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/** The hosts, owners and systems buckets. */
export async function openBuckets(
  nc: NatsConnection,
  names: ClusterNames,
): Promise<{ hosts: KV; owners: KV; systems: KV }> {
  const kvm = new Kvm(nc);
  // Records of hosts and systems long gone expire; live ones are written again every second, and
  // an ownership record is looked at only when it changes.
  const open = async (name: string, ttl: number): Promise<KV> => {
    try {
      return await kvm.create(name, { history: 1, ttl });
    } catch (error) {
      try {
        return await kvm.open(name);
      } catch {
        throw new BackendError(
          `NATS refused the KV bucket ${name} (a cluster keeps its hosts and owners in JetStream KV; ` +
            `is JetStream enabled?): ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
  };
  return {
    hosts: await open(names.hostsBucket, DAY_MS),
    owners: await open(names.ownersBucket, DAY_MS),
    systems: await open(names.systemsBucket, HOUR_MS),
  };
}
