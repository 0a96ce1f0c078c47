import { FormatRegistry } from "@sinclair/typebox";
import { fullFormats } from "elysia/type-system/format";

// RFC 3339 date-time with a time zone, as Elysia accepts it (`T`, `t` or a space between date and
// time; `Z`, `+hh`, `+hhmm` or `+hh:mm`), in one regular expression: every timestamp of every
// response is checked, and Elysia's version splits the string and runs two. Leap seconds (:60)
// are refused: a JavaScript date cannot hold one.
const DATE_TIME =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[Tt\s](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

// The digits at [start, end) of a string the pattern has matched: no substring, no parse.
function digitsAt(value: string, start: number, end: number): number {
  let number = 0;
  for (let index = start; index < end; index++) number = number * 10 + value.charCodeAt(index) - 48;
  return number;
}

export function isDateTime(value: string): boolean {
  if (!DATE_TIME.test(value)) return false;
  const day = digitsAt(value, 8, 10);
  if (day <= 28) return true;
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 7);
  const leapYear = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leapYear ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0));
}

/**
 * Puts Elysia's string formats (uuid, email, …) back into TypeBox's registry, with the cheaper
 * date-time check. Must run after `@elysiajs/openapi` is imported, which replaces them with zod
 * checks that build a new zod schema on every call (a third of the CPU of a request here).
 */
export function restoreStringFormats(): void {
  for (const [name, format] of Object.entries(fullFormats)) {
    if (format instanceof RegExp) FormatRegistry.Set(name, (value) => format.test(value));
    else if (typeof format === "function")
      FormatRegistry.Set(name, format as (value: string) => boolean);
  }
  FormatRegistry.Set("date-time", isDateTime);
}
