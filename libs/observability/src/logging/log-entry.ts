/** Values a structured log field may take (ids, counts, reasons). */
export type LogFieldValue = string | number | boolean | null | undefined;

/**
 * A log message with fields, for Nest's `Logger` (`logger.log(logEntry(…))`): nestjs-pino writes
 * `msg` and each field as keys of the JSON line, so operators can filter on `correlationId`,
 * `deliveryId`…; a text logger (Nest's ConsoleLogger, a test's recorder) that turns the message
 * into a string gets `msg (key=value, …)` (the fields the message does not already show) instead
 * of `[object Object]`.
 */
export function logEntry(
  msg: string,
  fields: Readonly<Record<string, LogFieldValue>>,
): Record<string, LogFieldValue> {
  const defined = Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  );
  const entry: Record<string, LogFieldValue> = { msg, ...defined };
  const text = Object.entries(defined)
    .filter(([, value]) => !msg.includes(String(value)))
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(', ');
  Object.defineProperty(entry, 'toString', {
    value: () => (text ? `${msg} (${text})` : msg),
    enumerable: false,
  });
  return entry;
}
