/**
 * `npm run build`: bundles the Lambda with esbuild and packs it into a deterministic zip.
 *
 * The zip's SHA-256 is the artifact identity used by `promote` (Lambda reports it base64
 * encoded as CodeSha256). Same source + same lockfile → same bytes → same hash, so
 * redeploying unchanged code publishes no new version. Determinism comes from: no
 * timestamps or absolute paths in the bundle, fixed entry order, fixed mtime and mode.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import yazl from 'yazl';
import { projectRoot } from './project-root.js';

const root = projectRoot(import.meta.url);
const defaultOutDir = join(root, 'dist');

/** Fixed timestamp for every zip entry (the DOS epoch yazl can encode). */
const EPOCH = new Date('1980-01-01T00:00:00Z');

export interface Artifact {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
  /** What Lambda shows as `CodeSha256`. */
  readonly codeSha256: string;
  /** The release label written into the package (`RELEASE`), when one was given. */
  readonly release?: string;
  /** The zip itself. */
  readonly data: Buffer;
}

export interface BuildOptions {
  /**
   * A release label stored in the zip as `RELEASE`: the commit (never an env's tag), so two
   * commits of identical code are still told apart by CodeSha256, while the same commit
   * hashes the same in every environment — SIT and PROD receive the very same bytes.
   */
  readonly release?: string;
  /** Where the zip and its manifest go; default `dist/`. */
  readonly outDir?: string;
}

/** esbuild's one-file ESM bundle of `entry` (relative to the root), with everything in it. */
export const bundle = async (entry = 'service/index.ts'): Promise<Uint8Array> => {
  const result = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    write: false,
    absWorkingDir: root,
    // Some CommonJS dependencies call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'warning',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no output');
  return file.contents;
};

/** A zip whose bytes depend only on the files given: sorted entries, fixed mtime and mode. */
export const zip = (files: ReadonlyArray<readonly [string, Uint8Array]>): Promise<Buffer> =>
  new Promise((resolvePromise, reject) => {
    const archive = new yazl.ZipFile();
    for (const [name, data] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
      archive.addBuffer(Buffer.from(data), name, { mtime: EPOCH, mode: 0o100644, compress: true });
    }
    archive.end();
    const chunks: Buffer[] = [];
    archive.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    archive.outputStream.on('end', () => resolvePromise(Buffer.concat(chunks)));
    archive.outputStream.on('error', reject);
  });

/** Builds `dist/order-handler.zip` and its manifest; returns the artifact identity. */
export const buildArtifact = async (options: BuildOptions = {}): Promise<Artifact> => {
  const code = await bundle();
  const outDir = options.outDir ?? defaultOutDir;
  const bytes = await zip([
    ['index.mjs', code],
    ...(options.release ? [['RELEASE', Buffer.from(`${options.release}\n`)] as const] : []),
  ]);
  const digest = createHash('sha256').update(bytes);
  const hex = digest.copy().digest('hex');
  const path = join(outDir, 'order-handler.zip');
  await mkdir(outDir, { recursive: true });
  await writeFile(path, bytes);
  const artifact: Artifact = {
    path,
    bytes: bytes.length,
    sha256: hex,
    codeSha256: digest.digest('base64'),
    ...(options.release ? { release: options.release } : {}),
    data: bytes,
  };
  await writeFile(
    join(outDir, 'order-handler.json'),
    `${JSON.stringify({ ...artifact, data: undefined, path: relative(root, path), handler: 'index.handler', runtime: 'nodejs20.x' }, null, 2)}\n`,
  );
  return artifact;
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const artifact = await buildArtifact();
  console.log(`built ${relative(root, artifact.path)}`);
  console.log(`  size        ${(artifact.bytes / 1024).toFixed(1)} KiB (${artifact.bytes} bytes)`);
  console.log(`  sha256      ${artifact.sha256}`);
  console.log(`  CodeSha256  ${artifact.codeSha256}`);
}
