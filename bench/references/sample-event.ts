import { randomUUID } from 'node:crypto';

/** The entity change every benchmark sends: the same shape and size as the Herald runs'. */
export function sampleChange(index: number, entity = 'Contact', operation = 'Update') {
  return {
    entity,
    entityId: String(index),
    operation,
    data: { name: `Contact ${index}`, email: `contact-${index}@example.test`, score: index % 100 },
  };
}

/** What Herald's webhook body looks like for `sampleChange(index)` (API.md). */
export function sampleWebhookBody(index: number): string {
  const eventId = randomUUID();
  return JSON.stringify({
    type: 'Contact.Update',
    timestamp: new Date().toISOString(),
    data: {
      eventId,
      position: index,
      ...sampleChange(index),
      actorUserId: '5f0f8a4e-5d7e-4f0c-9a57-0b7f3d1b1c11',
      occurredAt: new Date().toISOString(),
    },
  });
}
