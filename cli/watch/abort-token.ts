import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a presented token turned out to be. */
export type TokenCheck = 'ok' | 'wrong' | 'used' | 'locked';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * The one-time token that arms the live view's "abort and roll back": printed in the
 * terminal that started `promote watch --allow-abort`, typed into the page. Compared in
 * constant time (over digests, so lengths do not leak either); spent once an abort was
 * recorded; after `maxFailures` wrong tries the action is locked for the life of the
 * server, so the token cannot be guessed through the page.
 */
export class OneTimeToken {
  private used = false;
  private failures = 0;

  constructor(
    /** 64 random bits as `xxxx-xxxx-xxxx-xxxx` (easy to read out and type). */
    readonly value: string = randomBytes(8)
      .toString('hex')
      .replace(/(.{4})(?!$)/g, '$1-'),
    private readonly maxFailures = 5,
  ) {}

  get spent(): boolean {
    return this.used;
  }

  get locked(): boolean {
    return this.failures >= this.maxFailures;
  }

  /** Checks `candidate` without spending the token (see {@link spend}). */
  check(candidate: string): TokenCheck {
    if (this.used) return 'used';
    if (this.locked) return 'locked';
    const ok = timingSafeEqual(digest(candidate.trim()), digest(this.value));
    if (ok) return 'ok';
    this.failures += 1;
    return 'wrong';
  }

  /** Marks the token used: called once the abort request is recorded. */
  spend(): void {
    this.used = true;
  }
}
