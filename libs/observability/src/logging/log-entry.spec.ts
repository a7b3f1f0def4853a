import { logEntry } from './log-entry';

describe(logEntry.name, () => {
  it('is the message and the defined fields, as JSON keys', () => {
    const sut = logEntry('Delivery d-1: succeeded', {
      deliveryId: 'd-1',
      correlationId: 'c-1',
      attempt: 2,
      webhookId: null,
      skipped: undefined,
    });
    expect(JSON.parse(JSON.stringify(sut))).toEqual({
      msg: 'Delivery d-1: succeeded',
      deliveryId: 'd-1',
      correlationId: 'c-1',
      attempt: 2,
      webhookId: null,
    });
    // What nestjs-pino copies into the line (Object.assign): the fields, not the text form.
    expect(Object.keys(sut)).not.toContain('toString');
    expect({ ...sut }.toString).toBe(Object.prototype.toString);
  });

  it('reads as the message and the fields it does not show, when made a string', () => {
    const sut = logEntry('Delivery d-1: succeeded', { deliveryId: 'd-1', correlationId: 'c-1' });
    expect(String(sut)).toBe('Delivery d-1: succeeded (correlationId=c-1)');
    expect(String(logEntry('plain', {}))).toBe('plain');
  });
});
