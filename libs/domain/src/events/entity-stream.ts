/** Every reported change of one client entity lives in this stream, e.g. `entity-Contact-42`. */
export function entityStream(entity: string, entityId: string): string {
  return `entity-${entity}-${entityId}`;
}
