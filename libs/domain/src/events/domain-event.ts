/**
 * The smallest event shape the domain decides on. It is structurally a `NewEvent` of the event
 * store (which adds optional metadata), so decide results can be appended as they are without the
 * domain depending on the store.
 */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}
