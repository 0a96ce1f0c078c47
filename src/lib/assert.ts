/** Makes a switch exhaustive: adding a case to the union without handling it fails to compile. */
export function assertUnreachable(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
