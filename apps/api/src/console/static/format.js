const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'medium',
});

/** A <time> element for an ISO timestamp, in the reader's locale; "—" when there is none. */
export function timeElement(iso, { withSeconds = false } = {}) {
  if (!iso) return document.createTextNode('—');
  const date = new Date(iso);
  const element = document.createElement('time');
  element.dateTime = iso;
  element.textContent = (withSeconds ? dateTimeSeconds : dateTime).format(date);
  element.title = date.toISOString();
  return element;
}

export const STATUS_REASONS = {
  admin: 'changed by an admin',
  owner: 'changed by its owner',
  endpoint_gone: 'the receiver answered 410 Gone',
  failing: 'its deliveries kept failing',
};

export const DELIVERY_STATUSES = {
  pending: 'Pending',
  succeeded: 'Delivered',
  exhausted: 'Gave up',
  skipped: 'Skipped',
};

const DELIVERY_REASONS = {
  owner_api_access_off: "the owner's API access was off",
  webhook_off: 'the webhook was off',
  endpoint_gone: 'the receiver answered 410 Gone',
};

/** A delivery's reason in words (unknown reasons as the API names them, underscores as spaces). */
export function deliveryReason(reason) {
  if (!reason) return '';
  return DELIVERY_REASONS[reason] ?? reason.replaceAll('_', ' ');
}

export function plural(count, one, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}
