import { Elysia } from "elysia";

type Fetch = (...args: unknown[]) => Response | Promise<Response>;

/**
 * Counts the requests whose handling has not ended, whether or not their client is still there.
 * Bun's server.stop() waits only for requests whose connection is open: a client that hung up
 * leaves its handler running (a password being hashed, a write not yet sent), and a stop that
 * closed the database then would lose that write. The graceful stop waits for `idle()` too.
 */
export function handlersInFlight() {
  let running = 0;
  let wake: (() => void) | undefined;
  const settle = () => {
    running--;
    if (running === 0) wake?.();
  };
  const plugin = new Elysia({ name: "handlers-in-flight" }).wrap((wrapped) => {
    // Elysia types its higher-order functions loosely: this one wraps the fetch of a request.
    const fetch = wrapped as unknown as Fetch;
    return ((...args: unknown[]) => {
      running++;
      let result: Response | Promise<Response>;
      try {
        result = fetch(...args);
      } catch (error) {
        settle();
        throw error;
      }
      if (result instanceof Promise) result.then(settle, settle);
      else settle();
      // The caller gets the handler's own promise: counting adds no step to the response.
      return result;
    }) as unknown as typeof wrapped;
  });
  return {
    plugin,
    /** Resolves once no request is being handled. */
    idle(): Promise<void> {
      if (running === 0) return Promise.resolve();
      return new Promise((resolve) => {
        wake = resolve;
      });
    },
  };
}
