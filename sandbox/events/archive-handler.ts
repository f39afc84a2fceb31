import { join } from 'node:path';
import type { SandboxRequest, SandboxResponse, ServiceHandler } from '../gateway/types.js';
import { ArchiveDefinitions } from './archive-definitions.js';
import { ArchiveStore, type BusEvent } from './event-archive.js';
import { type ReplayRecord, ReplayStore, runReplay } from './event-replays.js';

/**
 * The archive and replay half of EventBridge in the sandbox. moto keeps the archives'
 * configuration (so CreateArchive and DescribeArchive are its answers, journaled like any
 * change); the sandbox keeps their events (event-archive.ts) and runs the replays
 * (event-replays.ts), and so answers EventCount/SizeBytes and every replay operation.
 */

const JSON_TYPE = { 'content-type': 'application/x-amz-json-1.1' };

const ok = (payload: unknown): SandboxResponse => ({
  status: 200,
  headers: JSON_TYPE,
  body: JSON.stringify(payload),
});

const fail = (type: string, message: string): SandboxResponse => ({
  status: 400,
  headers: { ...JSON_TYPE, 'x-amzn-errortype': type },
  body: JSON.stringify({ __type: type, message }),
});

/** A JSON-protocol timestamp (epoch seconds, maybe fractional) or ISO text → epoch ms. */
const epochMs = (value: unknown): number | undefined => {
  if (typeof value === 'number') return value * 1000;
  if (typeof value === 'string') {
    const parsed = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
};

/** EventBridge's `time`: ISO-8601 to the second. */
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const busNameOf = (nameOrArn: unknown) =>
  typeof nameOrArn === 'string' && nameOrArn ? (nameOrArn.split('/').pop() as string) : 'default';

const replayView = (r: ReplayRecord) => ({
  ReplayName: r.name,
  ReplayArn: r.arn,
  ...(r.description ? { Description: r.description } : {}),
  State: r.state,
  ...(r.stateReason ? { StateReason: r.stateReason } : {}),
  EventSourceArn: r.archiveArn,
  Destination: r.destination,
  EventStartTime: r.eventStartTime / 1000,
  EventEndTime: r.eventEndTime / 1000,
  ...(r.eventLastReplayedTime ? { EventLastReplayedTime: r.eventLastReplayedTime / 1000 } : {}),
  ReplayStartTime: r.replayStartTime / 1000,
  ...(r.replayEndTime ? { ReplayEndTime: r.replayEndTime / 1000 } : {}),
});

/**
 * Returns a handler for one EventBridge operation, or undefined when the operation is not
 * about archives, replays or PutEvents (the caller forwards it to moto as before).
 */
export const createArchiveOperations = (options: {
  forward: ServiceHandler;
  motoEndpoint: string;
  /** The sandbox home's state directory (none: in memory only). */
  stateDir?: string;
  log?: (line: string) => void;
}) => {
  const store = new ArchiveStore(options.stateDir && join(options.stateDir, 'event-archives'));
  const replays = new ReplayStore(options.stateDir && join(options.stateDir, 'event-replays.json'));
  const definitions = new ArchiveDefinitions(options.motoEndpoint);

  /** After PutEvents: each accepted entry, as the bus delivered it, into the bus's archives. */
  const capture = async (request: SandboxRequest, response: SandboxResponse) => {
    const { account } = request.identity;
    const { region } = request;
    const input = JSON.parse(request.body.toString('utf8')) as {
      Entries?: Record<string, unknown>[];
    };
    const output = JSON.parse(String(response.body ?? '{}')) as {
      Entries?: { EventId?: string }[];
    };
    for (const [index, entry] of (input.Entries ?? []).entries()) {
      const id = output.Entries?.[index]?.EventId;
      if (!id) continue;
      const busName = busNameOf(entry.EventBusName);
      const archives = (await definitions.forBus(account, region, busName)).filter(
        (a) => a.state === 'ENABLED',
      );
      if (archives.length === 0) continue;
      let detail: unknown;
      try {
        detail = JSON.parse(String(entry.Detail ?? '{}'));
      } catch {
        continue; // moto refused it too (MalformedDetail)
      }
      const event: BusEvent = {
        version: '0',
        id,
        'detail-type': entry.DetailType,
        source: entry.Source,
        account,
        time: isoSeconds(epochMs(entry.Time) ?? Date.now()),
        region,
        resources: entry.Resources ?? [],
        detail,
      };
      for (const archive of archives) {
        if (archive.matches(event)) store.append(archive.arn, event);
      }
    }
  };

  const startReplay = async (request: SandboxRequest, input: Record<string, any>) => {
    const { account } = request.identity;
    const { region } = request;
    const name = String(input.ReplayName ?? '');
    if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(name)) {
      return fail('ValidationException', `Parameter ReplayName is not valid: "${name}".`);
    }
    const archiveArn = String(input.EventSourceArn ?? '');
    const archive = (await definitions.all(account, region)).find((a) => a.arn === archiveArn);
    if (!archive) {
      return fail(
        'ValidationException',
        `Parameter EventSourceArn is not valid. Reason: Archive ${archiveArn.split('/').pop()} does not exist.`,
      );
    }
    const destination = input.Destination as { Arn?: string; FilterArns?: string[] } | undefined;
    if (!destination?.Arn || !/:event-bus\//.test(destination.Arn)) {
      return fail(
        'ValidationException',
        'Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.',
      );
    }
    if (destination.Arn !== archive.sourceArn) {
      return fail(
        'ValidationException',
        'Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.',
      );
    }
    const from = epochMs(input.EventStartTime);
    const to = epochMs(input.EventEndTime);
    if (from === undefined || to === undefined || from >= to) {
      return fail(
        'ValidationException',
        'Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.',
      );
    }
    if (replays.get(account, region, name)) {
      return fail('ResourceAlreadyExistsException', `Replay ${name} already exists.`);
    }
    const record: ReplayRecord = {
      account,
      region,
      name,
      arn: `arn:aws:events:${region}:${account}:replay/${name}`,
      ...(input.Description ? { description: String(input.Description) } : {}),
      archiveArn,
      destination: {
        Arn: destination.Arn,
        ...(destination.FilterArns?.length ? { FilterArns: destination.FilterArns } : {}),
      },
      eventStartTime: from,
      eventEndTime: to,
      replayStartTime: Date.now(),
      state: 'STARTING',
    };
    replays.save(record);
    // Like EventBridge, StartReplay answers at once; DescribeReplay follows the progress.
    setImmediate(() => {
      void runReplay(record, {
        motoEndpoint: options.motoEndpoint,
        store: replays,
        events: () => store.window(archiveArn, archive.retentionDays, from, to),
        ...(options.log ? { log: options.log } : {}),
      });
    });
    return ok({
      ReplayArn: record.arn,
      State: 'STARTING',
      ReplayStartTime: record.replayStartTime / 1000,
    });
  };

  return async (
    operation: string | undefined,
    request: SandboxRequest,
  ): Promise<SandboxResponse | undefined> => {
    const { account } = request.identity;
    const { region } = request;
    const input = () => JSON.parse(request.body.toString('utf8') || '{}') as Record<string, any>;
    const archiveArn = (name: string) => `arn:aws:events:${region}:${account}:archive/${name}`;
    switch (operation) {
      case 'PutEvents': {
        const response = await options.forward(request);
        if (response.status === 200) {
          await capture(request, response).catch((error: Error) =>
            options.log?.(`archive capture: ${error.message}`),
          );
        }
        return response;
      }
      case 'CreateArchive':
      case 'UpdateArchive':
      case 'DeleteArchive': {
        const response = await options.forward(request);
        if (response.status === 200) {
          definitions.forget(account, region);
          const arn = archiveArn(String(input().ArchiveName));
          if (operation === 'DeleteArchive') store.drop(arn);
          if (operation === 'CreateArchive') {
            const out = JSON.parse(String(response.body ?? '{}')) as { CreationTime?: number };
            store.noteCreated(arn, Number(out.CreationTime ?? Date.now() / 1000));
          }
        }
        return response;
      }
      case 'DescribeArchive':
      case 'ListArchives': {
        const response = await options.forward(request);
        if (response.status !== 200 || !response.body) return response;
        const out = JSON.parse(response.body.toString()) as Record<string, any>;
        for (const a of operation === 'DescribeArchive' ? [out] : (out.Archives ?? [])) {
          const arn = archiveArn(a.ArchiveName);
          const stats = store.stats(arn, Number(a.RetentionDays ?? 0));
          a.EventCount = stats.eventCount;
          a.SizeBytes = stats.sizeBytes;
          a.CreationTime = store.creationTime(arn, a.CreationTime);
        }
        return { ...response, body: JSON.stringify(out) };
      }
      case 'StartReplay':
        return startReplay(request, input());
      case 'DescribeReplay': {
        const record = replays.get(account, region, String(input().ReplayName));
        return record
          ? ok(replayView(record))
          : fail(
              'ResourceNotFoundException',
              `Replay ${String(input().ReplayName)} does not exist.`,
            );
      }
      case 'ListReplays': {
        const q = input();
        const list = replays
          .list(account, region)
          .filter((r) => !q.NamePrefix || r.name.startsWith(q.NamePrefix))
          .filter((r) => !q.State || r.state === q.State)
          .filter((r) => !q.EventSourceArn || r.archiveArn === q.EventSourceArn);
        return ok({
          Replays: list.map((r) => {
            const {
              ReplayArn: _arn,
              Description: _d,
              Destination: _dest,
              ...short
            } = replayView(r);
            return short;
          }),
        });
      }
      case 'CancelReplay': {
        const record = replays.get(account, region, String(input().ReplayName));
        if (!record) {
          return fail(
            'ResourceNotFoundException',
            `Replay ${String(input().ReplayName)} does not exist.`,
          );
        }
        if (record.state !== 'STARTING' && record.state !== 'RUNNING') {
          return fail(
            'IllegalStatusException',
            `Replay ${record.name} is not in a valid state for this operation.`,
          );
        }
        record.state = 'CANCELLING';
        replays.save(record);
        return ok({ ReplayArn: record.arn, State: 'CANCELLING' });
      }
      default:
        return undefined;
    }
  };
};
