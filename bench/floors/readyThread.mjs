// A floor worker thread's entry. Node 20 does not run `--import` preloads in worker threads, so
// the thread registers tsx itself (as a Troupe thread worker does) and then loads the TypeScript
// module that posts 'ready'.
const { register } = await import('tsx/esm/api');
register();
await import('./readyChild.ts');
