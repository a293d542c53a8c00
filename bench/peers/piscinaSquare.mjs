// Piscina worker: squares its task.
export default (x) => x * x;
