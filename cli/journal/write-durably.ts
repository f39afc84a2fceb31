import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';

/** Writes a file so that a crash leaves either the old or the new content, never half. */
export const writeDurably = (path: string, text: string) => {
  // Per writer: two processes may write one journal at once (a run marking a concurrent,
  // lock-less one superseded while it fails on the lock); with a shared temporary name one
  // rename found the file gone and the run crashed.
  const tmp = `${path}.${process.pid}-${randomBytes(3).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
};
