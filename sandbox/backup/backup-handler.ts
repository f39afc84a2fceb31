import { BackupClient, GetBackupPlanCommand } from '@aws-sdk/client-backup';
import type { SandboxRequest, SandboxResponse, ServiceHandler } from '../gateway/types.js';
import { motoClient } from '../moto/clients.js';
import type {
  BackupSelectionBody,
  BackupSelectionStore,
  StoredSelection,
} from './selection-store.js';

/**
 * AWS Backup (signing name `backup`): moto, plus the backup selections moto lacks, answered
 * here in the AWS Backup REST API's shapes (restJson1):
 *
 *   CreateBackupSelection  PUT    /backup/plans/{backupPlanId}/selections/
 *   ListBackupSelections   GET    /backup/plans/{backupPlanId}/selections/?maxResults&nextToken
 *   GetBackupSelection     GET    /backup/plans/{backupPlanId}/selections/{selectionId}
 *   DeleteBackupSelection  DELETE /backup/plans/{backupPlanId}/selections/{selectionId}
 *
 * The plan itself stays moto's: each call looks it up there (GetBackupPlan, in the caller's
 * account and region), so an unknown or deleted plan is a 404 as in AWS. DeleteBackupPlan is
 * refused while the plan still has selections, as AWS refuses it. Every other call goes to
 * moto unchanged.
 */

const SELECTIONS = /^\/backup\/plans\/([^/]+)\/selections\/?$/;
const SELECTION = /^\/backup\/plans\/([^/]+)\/selections\/([^/]+)\/?$/;
const PLAN = /^\/backup\/plans\/([^/]+)\/?$/;

const SELECTION_NAME = /^[a-zA-Z0-9\-_.]{1,50}$/;
const CREATOR_REQUEST_ID = /^[a-zA-Z0-9\-_.]{1,50}$/;
const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const CONDITION_TYPES = ['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike'];

class BackupApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string) =>
  new BackupApiError(400, 'InvalidParameterValueException', message);
const notFound = (message: string) => new BackupApiError(404, 'ResourceNotFoundException', message);

/** The restJson1 error AWS Backup sends: type in `x-amzn-errortype`, `Code`/`Message` in the body. */
const errorResponse = (error: BackupApiError): SandboxResponse => ({
  status: error.status,
  headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code },
  body: JSON.stringify({
    __type: error.code,
    Code: error.code,
    Message: error.message,
    Type: error.status >= 500 ? 'Server' : 'User',
  }),
});

const ok = (payload?: unknown): SandboxResponse => ({
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: payload === undefined ? '' : JSON.stringify(payload),
});

const decode = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalid(`Invalid path parameter: ${segment}`);
  }
};

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string' && v.length > 0);

/** Checks a CreateBackupSelection body the way the API's model constrains it. */
const parseCreate = (
  body: Buffer,
): { selection: BackupSelectionBody; creatorRequestId?: string } => {
  let input: Record<string, any>;
  try {
    input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, any>) : {};
  } catch {
    throw invalid('The request body is not valid JSON.');
  }
  if (typeof input !== 'object' || input === null)
    throw invalid('The request body must be an object.');
  const raw = input.BackupSelection as Record<string, any> | undefined;
  if (typeof raw !== 'object' || raw === null) {
    throw invalid('BackupSelection is required.');
  }
  if (typeof raw.SelectionName !== 'string' || !raw.SelectionName) {
    throw invalid('BackupSelection.SelectionName is required.');
  }
  if (!SELECTION_NAME.test(raw.SelectionName)) {
    throw invalid(
      `Invalid SelectionName ${raw.SelectionName}: it must be 1 to 50 alphanumeric or '-_.' characters.`,
    );
  }
  if (typeof raw.IamRoleArn !== 'string' || !raw.IamRoleArn) {
    throw invalid('BackupSelection.IamRoleArn is required.');
  }
  if (!ROLE_ARN.test(raw.IamRoleArn)) throw invalid(`Invalid IamRoleArn ${raw.IamRoleArn}.`);
  for (const field of ['Resources', 'NotResources'] as const) {
    if (raw[field] !== undefined && !isStringList(raw[field])) {
      throw invalid(`BackupSelection.${field} must be a list of ARNs.`);
    }
  }
  if (
    raw.ListOfTags !== undefined &&
    !(
      Array.isArray(raw.ListOfTags) &&
      raw.ListOfTags.every(
        (t: any) =>
          t?.ConditionType === 'STRINGEQUALS' &&
          typeof t.ConditionKey === 'string' &&
          typeof t.ConditionValue === 'string',
      )
    )
  ) {
    throw invalid(
      'BackupSelection.ListOfTags must be conditions of type STRINGEQUALS with a ConditionKey and a ConditionValue.',
    );
  }
  if (
    raw.Conditions !== undefined &&
    (typeof raw.Conditions !== 'object' ||
      raw.Conditions === null ||
      Object.keys(raw.Conditions).some((k) => !CONDITION_TYPES.includes(k)))
  ) {
    throw invalid(`BackupSelection.Conditions may only hold ${CONDITION_TYPES.join(', ')}.`);
  }
  const resources: string[] = raw.Resources ?? [];
  const tags: unknown[] = raw.ListOfTags ?? [];
  if (!resources.length && !tags.length) {
    throw invalid(
      "Invalid backup selection. Either 'ListOfTags' or 'Resources' section must be non-empty.",
    );
  }
  const creatorRequestId = input.CreatorRequestId as unknown;
  if (
    creatorRequestId !== undefined &&
    (typeof creatorRequestId !== 'string' || !CREATOR_REQUEST_ID.test(creatorRequestId))
  ) {
    throw invalid("CreatorRequestId must be 1 to 50 alphanumeric or '-_.' characters.");
  }
  const selection: BackupSelectionBody = {
    SelectionName: raw.SelectionName,
    IamRoleArn: raw.IamRoleArn,
    Resources: resources,
    ListOfTags: raw.ListOfTags ?? [],
    NotResources: raw.NotResources ?? [],
    Conditions: Object.fromEntries(CONDITION_TYPES.map((k) => [k, raw.Conditions?.[k] ?? []])),
  };
  return { selection, ...(creatorRequestId ? { creatorRequestId } : {}) };
};

const listMember = (s: StoredSelection, planId: string) => ({
  SelectionId: s.selectionId,
  SelectionName: s.selection.SelectionName,
  BackupPlanId: planId,
  CreationDate: s.creationDate,
  ...(s.creatorRequestId ? { CreatorRequestId: s.creatorRequestId } : {}),
  IamRoleArn: s.selection.IamRoleArn,
});

/** `maxResults` / `nextToken` of ListBackupSelections; the token is an offset. */
const page = (query: URLSearchParams): { start: number; size: number } => {
  const max = query.get('maxResults');
  const size = max === null ? 1000 : Number(max);
  if (!Number.isInteger(size) || size < 1 || size > 1000) {
    throw invalid(`Invalid maxResults ${max}: it must be between 1 and 1000.`);
  }
  const token = query.get('nextToken');
  if (token === null || token === '') return { start: 0, size };
  const start = Number(
    Buffer.from(token, 'base64url')
      .toString('utf8')
      .replace(/^offset:/, ''),
  );
  if (!Number.isInteger(start) || start < 0) throw invalid('Invalid NextToken.');
  return { start, size };
};

export const createBackupHandler = (options: {
  forward: ServiceHandler;
  motoEndpoint: string;
  selections: BackupSelectionStore;
}): ServiceHandler => {
  const clients = new Map<string, BackupClient>();
  const backupIn = (account: string, region: string) => {
    const key = `${account}/${region}`;
    let client = clients.get(key);
    if (!client) {
      client = motoClient(BackupClient, options.motoEndpoint, account, region);
      clients.set(key, client);
    }
    return client;
  };

  /** The plan's name, or a 404 when moto has no such plan (or it was deleted). */
  const planOf = async (request: SandboxRequest, planId: string) => {
    const account = request.identity.account;
    const region = request.region;
    try {
      const plan = await backupIn(account, region).send(
        new GetBackupPlanCommand({ BackupPlanId: planId }),
      );
      const planName = plan.BackupPlan?.BackupPlanName;
      if (planName && !plan.DeletionDate) return { account, region, planName };
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    }
    throw notFound('Failed reading Backup plan with provided version');
  };

  const selectionOf = (
    plan: Awaited<ReturnType<typeof planOf>>,
    selectionId: string,
  ): StoredSelection => {
    const found = options.selections.get(plan, selectionId);
    if (!found) throw notFound(`Backup selection ${selectionId} does not exist.`);
    return found;
  };

  return async (request) => {
    try {
      const many = SELECTIONS.exec(request.path);
      if (many && (request.method === 'PUT' || request.method === 'GET')) {
        const planId = decode(many[1] as string);
        if (request.method === 'PUT') {
          // Validate first: a malformed body is a 400 whatever the plan.
          const { selection, creatorRequestId } = parseCreate(request.body);
          const plan = await planOf(request, planId);
          if (
            creatorRequestId &&
            options.selections.list(plan).some((s) => s.creatorRequestId === creatorRequestId)
          ) {
            throw new BackupApiError(
              400,
              'AlreadyExistsException',
              `A backup selection with CreatorRequestId ${creatorRequestId} already exists.`,
            );
          }
          const stored = options.selections.create(plan, selection, creatorRequestId);
          return ok({
            SelectionId: stored.selectionId,
            BackupPlanId: planId,
            CreationDate: stored.creationDate,
          });
        }
        const { start, size } = page(request.query);
        const plan = await planOf(request, planId);
        const all = options.selections.list(plan);
        const slice = all.slice(start, start + size);
        const next = start + size < all.length ? start + size : undefined;
        return ok({
          BackupSelectionsList: slice.map((s) => listMember(s, planId)),
          ...(next !== undefined
            ? { NextToken: Buffer.from(`offset:${next}`).toString('base64url') }
            : {}),
        });
      }
      const one = SELECTION.exec(request.path);
      if (one && (request.method === 'GET' || request.method === 'DELETE')) {
        const planId = decode(one[1] as string);
        const selectionId = decode(one[2] as string);
        const plan = await planOf(request, planId);
        const stored = selectionOf(plan, selectionId);
        if (request.method === 'DELETE') {
          options.selections.delete(plan, selectionId);
          return ok();
        }
        return ok({
          BackupSelection: stored.selection,
          SelectionId: stored.selectionId,
          BackupPlanId: planId,
          CreationDate: stored.creationDate,
          ...(stored.creatorRequestId ? { CreatorRequestId: stored.creatorRequestId } : {}),
        });
      }
      const plan = PLAN.exec(request.path);
      if (plan && request.method === 'DELETE') {
        const found = await planOf(request, decode(plan[1] as string));
        if (options.selections.list(found).length) {
          throw new BackupApiError(
            400,
            'InvalidRequestException',
            'Related backup plan selections must be deleted prior to backup plan deletion!',
          );
        }
      }
      return await options.forward(request);
    } catch (error) {
      if (error instanceof BackupApiError) return errorResponse(error);
      throw error;
    }
  };
};
