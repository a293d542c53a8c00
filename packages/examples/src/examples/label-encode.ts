/**
 * label-encode — the seed's label-encoding cell, done in parallel: each column is encoded in its
 * own worker. Like scikit-learn's LabelEncoder, the classes are the sorted distinct values and
 * each label becomes the index of its class.
 */

import { ActorSystem, defineTask, isMainModule } from '@troupe/node-runtime';

export const encodeColumn = defineTask(import.meta.url, 'encodeColumn', (values: string[]) => {
  const classes = [...new Set(values)].sort();
  return { encoded: values.map((v) => classes.indexOf(v)), classes };
});

const columns: Record<string, string[]> = {
  colors: ['red', 'green', 'blue', 'red', 'green', 'blue'],
  sizes: ['small', 'medium', 'large', 'medium', 'small', 'large'],
  materials: ['wood', 'metal', 'plastic', 'metal', 'plastic', 'wood'],
};

export async function run(): Promise<void> {
  await using system = await ActorSystem.start();
  const pool = await system.pool({ size: 2 });
  const names = Object.keys(columns);
  // One column per task; chunkSize 1 spreads the columns over the workers.
  const results = await pool.map(encodeColumn, Object.values(columns), { chunkSize: 1 });
  results.forEach(({ encoded, classes }, i) => {
    console.log(`Encoded ${names[i]}: [${encoded.join(' ')}]`);
    console.log(`Classes: [${classes.map((c) => `'${c}'`).join(' ')}]`);
  });
  pool.close();
  await pool.join();
}

// Run on its own (node --import tsx this file), not when the gallery or a worker imports it.
if (isMainModule(import.meta.url)) await run();
