/**
 * What a cluster names on the NATS server, under its prefix `P` (default `TROUPE`):
 *
 * - `P.agent.<host>.spawn`, `P.agent.<host>.ping`: a node agent's requests (core request/reply);
 * - `P.link.<link>.down` (root → worker) and `P.link.<link>.up` (worker → root): the bytes of one
 *   remote worker's channel, each published with the other as its reply subject, so a side whose
 *   peer has gone gets the server's "no responders" at once; `P.link.<link>.kill`: a request;
 * - KV bucket `P_hosts`: each agent's heartbeat under its host name;
 * - KV bucket `P_owners`: which link runs each remote actor (written by create, compare-and-set);
 * - KV bucket `P_systems`: each root's view of its actors, for `troupe status`.
 *
 * @module
 */

export class ClusterNames {
  readonly prefix: string;
  constructor(prefix: string) {
    this.prefix = prefix;
  }
  spawn(host: string): string {
    return `${this.prefix}.agent.${host}.spawn`;
  }
  ping(host: string): string {
    return `${this.prefix}.agent.${host}.ping`;
  }
  down(link: string): string {
    return `${this.prefix}.link.${link}.down`;
  }
  up(link: string): string {
    return `${this.prefix}.link.${link}.up`;
  }
  kill(link: string): string {
    return `${this.prefix}.link.${link}.kill`;
  }
  get hostsBucket(): string {
    return `${this.prefix}_hosts`;
  }
  get ownersBucket(): string {
    return `${this.prefix}_owners`;
  }
  get systemsBucket(): string {
    return `${this.prefix}_systems`;
  }
}
