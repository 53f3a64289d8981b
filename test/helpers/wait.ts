import net from 'node:net';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * Polls `probe` until it gives a truthy value (a throw counts as not yet, unless `rethrow` says it ends the wait),
 * or fails after `ms`, with what `explain` tells of the state that was waited on.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 30_000,
  every = 200,
  options: { rethrow?: (err: Error) => boolean; explain?: () => Promise<string> } = {},
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await Promise.resolve()
      .then(probe)
      .catch((err: Error) => {
        if (options.rethrow?.(err)) throw err;
        return undefined;
      });
    if (value) return value;
    if (Date.now() > deadline) {
      const state = options.explain
        ? `: ${await options.explain().catch((err: Error) => `(no state: ${err.message})`)}`
        : '';
      throw new Error(`timed out after ${ms} ms waiting for ${what}${state}`);
    }
    await sleep(every);
  }
}
