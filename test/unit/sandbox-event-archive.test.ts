import { describe, expect, it } from 'vitest';
import { ArchiveStore, type BusEvent } from '../../sandbox/events/event-archive.js';

const ARN = 'arn:aws:events:eu-west-1:815856636111:archive/order-events-sit-archive';
const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T12:00:00Z');

const event = (id: string, time: string): BusEvent => ({ id, time, source: 's', detail: {} });

describe("the sandbox's archive store (in memory)", () => {
  it('selects a window by the events own time, start included, end excluded, oldest first', () => {
    // Prepare
    const store = new ArchiveStore();
    store.append(ARN, event('late', '2026-12-01T11:30:00Z'), NOW);
    store.append(ARN, event('start', '2026-12-01T11:00:00Z'), NOW);
    store.append(ARN, event('end', '2026-12-01T11:45:00Z'), NOW);
    store.append(ARN, event('before', '2026-12-01T10:59:59Z'), NOW);

    // Act
    const ids = store
      .window(ARN, 30, Date.parse('2026-12-01T11:00:00Z'), Date.parse('2026-12-01T11:45:00Z'), NOW)
      .map((e) => e.id);

    // Assess
    expect(ids).toEqual(['start', 'late']);
  });

  it('forgets events past the retention, counting from when the archive took them', () => {
    // Prepare
    const store = new ArchiveStore();
    store.append(ARN, event('old', '2026-11-01T00:00:00Z'), NOW - 3 * DAY);
    store.append(ARN, event('new', '2026-11-01T00:00:00Z'), NOW - DAY);

    // Act
    const kept = store.stats(ARN, 2, NOW);
    const forever = new ArchiveStore();
    forever.append(ARN, event('old', '2026-11-01T00:00:00Z'), NOW - 400 * DAY);

    // Assess
    expect(kept.eventCount).toBe(1);
    expect(kept.sizeBytes).toBeGreaterThan(0);
    expect(forever.stats(ARN, 0, NOW).eventCount).toBe(1);
  });

  it('keeps the first creation time over the one a restarted moto reports, and drops it with the archive', () => {
    // Prepare
    const store = new ArchiveStore();
    store.noteCreated(ARN, 1_000);
    store.append(ARN, event('e', '2026-12-01T11:00:00Z'), NOW);

    // Act
    const kept = store.creationTime(ARN, 2_000);
    store.drop(ARN);

    // Assess
    expect(kept).toBe(1_000);
    expect(store.creationTime(ARN, 2_000)).toBe(2_000);
    expect(store.stats(ARN, 0, NOW).eventCount).toBe(0);
  });
});
