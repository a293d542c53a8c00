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

/** The hosts, owners and systems buckets. */
export async function openBuckets(
  nc: NatsConnection,
  names: ClusterNames,
): Promise<{ hosts: KV; owners: KV; systems: KV }> {
  const kvm = new Kvm(nc);
  const open = async (name: string): Promise<KV> => {
    try {
      return await kvm.create(name, { history: 1 });
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
    hosts: await open(names.hostsBucket),
    owners: await open(names.ownersBucket),
    systems: await open(names.systemsBucket),
  };
}
