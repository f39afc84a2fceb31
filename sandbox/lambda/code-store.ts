import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { invalidParameter } from './errors.js';

/** A deployment package as the store knows it. */
export interface StoredCode {
  /** SHA-256 of the zip, hex: the name on disk. */
  readonly sha256: string;
  /** The same digest base64-encoded: what Lambda reports as `CodeSha256`. */
  readonly codeSha256: string;
  readonly zipPath: string;
}

/** Lambda's `CodeSha256` (base64) → the store's key (hex). */
export const hexFromCodeSha256 = (codeSha256: string): string =>
  Buffer.from(codeSha256, 'base64').toString('hex');

const openZip = (zip: Buffer): Promise<yauzl.ZipFile> =>
  new Promise((resolvePromise, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true, validateEntrySizes: true }, (error, archive) =>
      error || !archive ? reject(error ?? new Error('unreadable zip')) : resolvePromise(archive),
    );
  });

/** Unpacks every entry under `target`; yauzl already rejects absolute and `..` names. */
const unpack = async (zip: Buffer, target: string): Promise<void> => {
  const archive = await openZip(zip);
  await new Promise<void>((resolvePromise, reject) => {
    archive.on('error', reject);
    archive.on('end', () => resolvePromise());
    archive.on('entry', (entry: yauzl.Entry) => {
      const path = resolve(target, entry.fileName);
      if (!path.startsWith(target + sep))
        return reject(new Error(`unsafe entry ${entry.fileName}`));
      const step = async () => {
        if (entry.fileName.endsWith('/')) {
          await mkdir(path, { recursive: true });
          return;
        }
        await mkdir(dirname(path), { recursive: true });
        const stream = await new Promise<NodeJS.ReadableStream>((ok, fail) =>
          archive.openReadStream(entry, (e, s) => (e || !s ? fail(e) : ok(s))),
        );
        await pipeline(stream, createWriteStream(path));
        // Keep the executable bit (bootstrap scripts, bundled binaries) when the zip has one.
        const mode = (entry.externalFileAttributes >>> 16) & 0o777;
        if (mode & 0o111) await chmod(path, 0o755);
      };
      step().then(() => archive.readEntry(), reject);
    });
    archive.readEntry();
  });
};

/**
 * Content-addressed store of deployment packages: `<dir>/<sha256>.zip`, unpacked on first
 * use into `<dir>/<sha256>/` (the task root). moto keeps no usable copy of the code, so the
 * Lambda front door stores every zip it forwards and the runtime finds it by the version's
 * `CodeSha256`. Content addressing makes writes idempotent and safe across processes.
 */
export class CodeStore {
  private readonly extracting = new Map<string, Promise<string>>();

  constructor(readonly dir: string) {}

  zipPath(sha256: string): string {
    return join(this.dir, `${sha256}.zip`);
  }

  has(sha256: string): boolean {
    return existsSync(this.zipPath(sha256));
  }

  /**
   * Stores a zip after checking it opens, as Lambda refuses packages it cannot unzip.
   *
   * @example
   * const { codeSha256 } = await store.put(zipBytes); // equals CreateFunction's CodeSha256
   */
  async put(zip: Buffer): Promise<StoredCode> {
    try {
      (await openZip(zip)).close();
    } catch {
      throw invalidParameter(
        'Could not unzip uploaded file. Please check your file, then try to upload again.',
      );
    }
    const digest = createHash('sha256').update(zip);
    const sha256 = digest.copy().digest('hex');
    const zipPath = this.zipPath(sha256);
    if (!existsSync(zipPath)) {
      await mkdir(this.dir, { recursive: true });
      // Write then rename, so a reader never sees a half-written package.
      const temp = `${zipPath}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(temp, zip);
      await rename(temp, zipPath);
    }
    return { sha256, codeSha256: digest.digest('base64'), zipPath };
  }

  /**
   * The task root for a package, unpacked once. Throws when the store lacks the package
   * (e.g. a function created in moto directly, bypassing the sandbox's front door).
   */
  extract(sha256: string): Promise<string> {
    const root = join(this.dir, sha256);
    if (existsSync(root)) return Promise.resolve(root);
    let pending = this.extracting.get(sha256);
    if (!pending) {
      pending = this.unpackOnce(sha256, root).finally(() => this.extracting.delete(sha256));
      this.extracting.set(sha256, pending);
    }
    return pending;
  }

  private async unpackOnce(sha256: string, root: string): Promise<string> {
    if (!this.has(sha256)) {
      throw new Error(`the sandbox code store has no package with SHA-256 ${sha256}`);
    }
    const zip = await readFile(this.zipPath(sha256));
    const temp = `${root}.${randomBytes(6).toString('hex')}.tmp`;
    await mkdir(temp, { recursive: true });
    try {
      await unpack(zip, temp);
      // Node resolves `.js` as ESM or CommonJS from the nearest package.json, which would be
      // the sandbox's own (`"type": "module"`) above the store. Lambda's /var/task has no
      // parent package, so a boundary file restores Lambda's CommonJS default.
      if (!existsSync(join(temp, 'package.json')))
        await writeFile(join(temp, 'package.json'), '{}');
      await rename(temp, root);
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      // Another process may have won the race; its copy is identical.
      if (existsSync(root)) return root;
      throw error;
    }
    return root;
  }
}
