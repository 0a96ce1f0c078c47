import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What the database layer knows of the request it serves, without the request itself: who is
 * calling (so that its reads can follow its own writes) and whether its reads must stay on the
 * primary. Services never see it; the HTTP layer fills it in (src/http/read-routing.ts).
 */
export interface CallerScope {
  /** The credential the request authenticated with, once known. */
  caller: string | undefined;
  /** Reads inside a write (a mutating request, or after the request wrote) use the primary. */
  primary: boolean;
}

const storage = new AsyncLocalStorage<CallerScope>();

/**
 * Opens the scope of one request for everything that runs after it in the same async flow.
 * `enterWith` rather than `run`: the request's later hooks and handler run from the caller's
 * flow, which this call changes from here on.
 */
export function enterCallerScope(primary: boolean): void {
  storage.enterWith({ caller: undefined, primary });
}

/** Names the caller of the current request, if a scope is open. */
export function identifyCaller(caller: string): void {
  const scope = storage.getStore();
  if (scope !== undefined) scope.caller = caller;
}

export function currentCallerScope(): CallerScope | undefined {
  return storage.getStore();
}

/** Whether a read now may go to a standby, and so may not see others' latest writes. */
export function readsMayLag(): boolean {
  const scope = storage.getStore();
  return scope !== undefined && !scope.primary;
}

/** Runs `work` with its reads on the primary, for the same caller. */
export function onPrimary<T>(work: () => Promise<T>): Promise<T> {
  const caller = storage.getStore()?.caller;
  return storage.run({ caller, primary: true }, work);
}
