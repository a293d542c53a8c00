/**
 * Where the worker entry point is, for the placements that start one: `workerMain.js` next to
 * this module (in the bundle every entry point and chunk sits in one directory, and in `tsc`'s
 * output both are in `worker/`).
 */
export const workerMainUrl = new URL('./workerMain.js', import.meta.url);
