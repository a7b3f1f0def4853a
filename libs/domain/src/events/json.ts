/** A JSON value as it survives a round trip through `JSON.stringify`/`JSON.parse` and jsonb. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | JsonObject;

export interface JsonObject {
  readonly [key: string]: JsonValue;
}
