import { describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { handlerFiles, hasHandlerModule } from '../../cli/artifact/inspect-artifact.js';
import { NotAZipError, zipEntries } from '../../cli/artifact/zip-entries.js';

/** Reading a package's file list from its bytes, and what counts as a handler module. */

const zipOf = (files: Record<string, string>, comment?: string): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const archive = new yazl.ZipFile();
    for (const [name, text] of Object.entries(files)) archive.addBuffer(Buffer.from(text), name);
    archive.addEmptyDirectory('lib/');
    archive.end({ comment: comment ?? '', forceZip64Format: false });
    const chunks: Buffer[] = [];
    archive.outputStream.on('data', (c: Buffer) => chunks.push(c));
    archive.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    archive.outputStream.on('error', reject);
  });

describe('zipEntries', () => {
  it('lists the files of a zip, directories excluded, with or without an archive comment', async () => {
    // Prepare
    const plain = await zipOf({ 'index.mjs': 'export const handler = 1', RELEASE: 'v1' });
    const commented = await zipOf({ 'a/b.js': 'x' }, 'built by promote');

    // Act / Assess
    expect(zipEntries(plain)).toEqual(['index.mjs', 'RELEASE']);
    expect(zipEntries(commented)).toEqual(['a/b.js']);
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['text', Buffer.from('this is not a zip, only named like one')],
    [
      'a zip signature with garbage after it',
      Buffer.concat([Buffer.from('PK\u0005\u0006'), Buffer.alloc(30, 0xff)]),
    ],
  ])('refuses %s with NotAZipError', (_name, bytes) => {
    expect(() => zipEntries(bytes)).toThrow(NotAZipError);
  });

  it('refuses a zip whose central directory was cut off', async () => {
    // Prepare
    const zip = await zipOf({ 'index.mjs': 'x' });

    // Act / Assess
    expect(() => zipEntries(zip.subarray(30))).toThrow(NotAZipError);
  });
});

describe('handler modules', () => {
  it.each([
    ['index.handler', ['index.mjs', 'index.js', 'index.cjs']],
    ['src/app.main', ['src/app.mjs', 'src/app.js', 'src/app.cjs']],
  ])('%s can load %j', (handler, files) => {
    expect(handlerFiles(handler)).toEqual(files);
  });

  it.each([
    [['index.mjs', 'RELEASE'], 'index.handler', true],
    [['index.js'], 'index.handler', true],
    [['app.mjs'], 'index.handler', false],
    [['app.mjs'], undefined, true],
    [['README.md'], undefined, false],
  ])('%j with handler %s → %s', (entries, handler, ok) => {
    expect(hasHandlerModule(entries, handler)).toBe(ok);
  });
});
