/**
 * Builds a value on first use. Prepared statements are made this way: SQLite compiles one at
 * once, which fails while the app starts on a database whose migrations have not run yet.
 */
export function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}
