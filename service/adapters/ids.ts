import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32

/** Source of new identifiers; injected so tests can pin them. */
export interface IdSource {
  orderId(): string;
  eventId(): string;
}

const encodeTime = (ms: number): string => {
  let out = '';
  let rest = ms;
  for (let i = 0; i < 10; i += 1) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
};

const randomPart = (length: number): string =>
  Array.from(randomBytes(length), (byte) => ALPHABET[byte % 32]).join('');

/** ULID-style ids: time-ordered prefix and 80 random bits, e.g. `ord_01JH…`. */
export const ulid = (now = Date.now()): string => encodeTime(now) + randomPart(16);

export const randomIds: IdSource = {
  orderId: () => `ord_${ulid()}`,
  eventId: () => `evt_${ulid()}`,
};

/** Shape of ids this service issues; anything else in a path is simply not found. */
export const ORDER_ID_PATTERN = /^ord_[0-9A-Z]{26}$/;

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
