import { describe, expect, it } from 'vitest';
import { SequenceConflict, SwarmError, errorFromWire, notFound } from './errors';

describe('errorFromWire', () => {
  it('keeps the code, hence the Engine API status, and the message', () => {
    const e = errorFromWire({ code: 'NotFound', message: notFound('service', 'web').message });
    expect(e).toBeInstanceOf(SwarmError);
    expect(e.status).toBe(404);
    expect(e.message).toBe('service web not found');
  });
  it('rebuilds a version conflict as SequenceConflict, so loops still retry it', () => {
    expect(errorFromWire({ code: 'Unknown', message: new SequenceConflict().message })).toBeInstanceOf(
      SequenceConflict,
    );
  });
  it('treats an unknown code as Unknown (500)', () => {
    expect(errorFromWire({ code: 'Bogus', message: 'x' }).status).toBe(500);
    expect(errorFromWire({ message: 'x' }).code).toBe('Unknown');
  });
});
