/**
 * Runs asynchronous tasks one at a time in call order. Ingest batches and incident reviews go
 * through one queue so that merging always sees the incidents the previous batch committed.
 */
export function createSerialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}
