/** Every event about one webhook subscription lives in this stream. */
export function webhookStream(webhookId: string): string {
  return `webhook-${webhookId}`;
}
