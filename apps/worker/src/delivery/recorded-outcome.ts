import type { ShutoffReason } from './webhook-shutoff';

/** What recording an attempt did to the delivery. */
export type DeliveryOutcome = (
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'exhausted'; readonly reason: string }
  | { readonly kind: 'retry'; readonly failure: string; readonly delayMs: number }
  /** The row left this round while the attempt ran (redelivered, or finished by another run):
   * the attempt is logged, the row's state is not touched. */
  | { readonly kind: 'superseded' }
) & { readonly attemptNumber: number };

/** What recording an attempt did to the delivery (and, perhaps, to its webhook). */
export type RecordedOutcome = DeliveryOutcome & {
  /** Set when this attempt turned the webhook off. */
  readonly webhookTurnedOff: ShutoffReason | null;
};
