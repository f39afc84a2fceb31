import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ErrorCode } from '../codes.js';
import { PromoteError } from '../errors.js';
import { NotAZipError, zipEntries } from './zip-entries.js';

/** What a run knows about its package before any AWS call: the identity every region shares. */
export interface ArtifactFacts {
  /** Absolute path of the zip the run deploys (resume reads it again). */
  readonly path: string;
  readonly bytes: number;
  /** Hex SHA-256 of the file. */
  readonly sha256: string;
  /** What Lambda will report as `CodeSha256` (base64 of the same digest). */
  readonly codeSha256: string;
  /** Files in the zip (directories excluded). */
  readonly entries: readonly string[];
}

/** Lambda's CodeSha256: base64 of the zip's SHA-256. */
export const codeSha256Of = (zip: Uint8Array): string =>
  createHash('sha256').update(zip).digest('base64');

const JS_EXTENSIONS = ['.mjs', '.js', '.cjs'] as const;

/**
 * The files a Node.js handler setting can load: `index.handler` → `index.mjs`,
 * `index.js` or `index.cjs`; `src/app.main` → `src/app.*`.
 */
export const handlerFiles = (handler: string): string[] => {
  const dot = handler.lastIndexOf('.');
  const module = dot > 0 ? handler.slice(0, dot) : handler;
  return JS_EXTENSIONS.map((ext) => `${module}${ext}`);
};

/** A file in the zip that a Node.js runtime could load as a handler module. */
export const hasHandlerModule = (entries: readonly string[], handler?: string): boolean => {
  if (handler) {
    const wanted = new Set(handlerFiles(handler));
    return entries.some((e) => wanted.has(e));
  }
  return entries.some((e) => JS_EXTENSIONS.some((ext) => e.endsWith(ext)));
};

const bad = (code: ErrorCode, message: string, hint?: string) =>
  new PromoteError('usage', code, message, hint ?? 'build one with: npm run build');

/**
 * Checks `--artifact` (or the package a run built) before any step and any AWS call: it
 * exists, is readable, is a non-empty zip and holds a JavaScript module a handler can name.
 * Every failure is a usage error (exit 2) — nothing has been touched yet.
 */
export const inspectArtifact = (path: string, handler?: string): ArtifactFacts => {
  const absolute = resolve(path);
  let data: Buffer;
  try {
    if (!statSync(absolute).isFile()) throw bad('ARTIFACT_NOT_FILE', `${path} is not a file`);
    data = readFileSync(absolute);
  } catch (error) {
    if (error instanceof PromoteError) throw error;
    const code = (error as { code?: string }).code;
    throw code === 'ENOENT'
      ? bad('ARTIFACT_MISSING', `artifact ${path} does not exist`)
      : bad('ARTIFACT_UNREADABLE', `cannot read artifact ${path}: ${(error as Error).message}`);
  }
  if (data.length === 0) throw bad('ARTIFACT_EMPTY', `artifact ${path} is empty (0 bytes)`);
  let entries: string[];
  try {
    entries = zipEntries(data);
  } catch (error) {
    if (!(error instanceof NotAZipError)) throw error;
    throw bad('ARTIFACT_NOT_ZIP', `artifact ${path} is not a zip: ${error.message}`);
  }
  if (entries.length === 0) throw bad('ARTIFACT_EMPTY', `artifact ${path} is an empty zip`);
  if (!hasHandlerModule(entries, handler)) {
    throw bad(
      'ARTIFACT_NO_HANDLER',
      handler
        ? `artifact ${path} has no ${handlerFiles(handler).join(' / ')} for handler ${handler}`
        : `artifact ${path} holds no JavaScript module a Lambda handler could load (${entries.slice(0, 5).join(', ')}${entries.length > 5 ? ', …' : ''})`,
    );
  }
  const digest = createHash('sha256').update(data).digest();
  return {
    path: absolute,
    bytes: data.length,
    sha256: digest.toString('hex'),
    codeSha256: digest.toString('base64'),
    entries,
  };
};
