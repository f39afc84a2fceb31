/**
 * The names of the files in a zip, read from its central directory — enough to tell a
 * Lambda package from a file that only ends in `.zip`, without unpacking anything.
 * Pure: works on the bytes, so it is unit-tested without I/O.
 */

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const EOCD_MIN = 22;
/** The EOCD record ends the file, followed by a comment of at most 65,535 bytes. */
const EOCD_SEARCH = EOCD_MIN + 0xffff;

export class NotAZipError extends Error {
  override readonly name = 'NotAZipError';
}

const findEocd = (zip: Uint8Array, view: DataView): number => {
  const stop = Math.max(0, zip.length - EOCD_SEARCH);
  for (let at = zip.length - EOCD_MIN; at >= stop; at -= 1) {
    if (view.getUint32(at, true) === EOCD_SIGNATURE) return at;
  }
  throw new NotAZipError('no zip end-of-central-directory record');
};

/** File names in the archive (directories excluded), in central-directory order. */
export const zipEntries = (zip: Uint8Array): string[] => {
  if (zip.length < EOCD_MIN) throw new NotAZipError(`${zip.length} bytes is too short for a zip`);
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = findEocd(zip, view);
  const count = view.getUint16(eocd + 10, true);
  const size = view.getUint32(eocd + 12, true);
  const offset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || offset === 0xffffffff) {
    // ZIP64: far beyond Lambda's 50 MB direct-upload limit, so not a package we deploy.
    throw new NotAZipError('ZIP64 archives are not Lambda packages');
  }
  if (offset + size > eocd) throw new NotAZipError('central directory out of bounds');
  const names: string[] = [];
  const decoder = new TextDecoder();
  let at = offset;
  for (let i = 0; i < count; i += 1) {
    if (at + 46 > eocd || view.getUint32(at, true) !== CENTRAL_SIGNATURE) {
      throw new NotAZipError(`central directory entry ${i} is corrupt`);
    }
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const name = decoder.decode(zip.subarray(at + 46, at + 46 + nameLength));
    if (!name.endsWith('/')) names.push(name);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
};
