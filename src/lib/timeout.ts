/**
 * Rejects with "`message` within `ms` ms" when `work` has not settled by then; the timer never keeps the process
 * alive.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, message = 'no answer'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms).unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
