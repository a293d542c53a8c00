// Piscina worker: the mixed workload's item, the same work as bench/troupe/mixedMap.ts's `work`.
export default (job) => {
  const end = performance.now() + job.ms;
  let spins = 0;
  while (performance.now() < end) spins++;
  return { id: job.id, ok: job.tags.length === 2, spins };
};
