// workerpool worker: squares its task.
import workerpool from 'workerpool';

workerpool.worker({ square: (x) => x * x });
