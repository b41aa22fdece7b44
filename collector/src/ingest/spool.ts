// The durable spool: an append-only file in which accepted changes wait while the store cannot
// be reached. A request is answered only after its record is on disk (fdatasync), so what the
// collector acknowledged survives a restart and a kill -9. Records are drained in order; the
// offset of the first record not yet stored lives in a second small file, replaced atomically.
// A record stored twice (a crash between storing and moving the offset) is harmless: stored
// events are keyed, and the same state again is `unchanged`.
//
// Format, one record per line: `<crc32 of the JSON, 8 hex digits> <JSON>\n`. A line that is torn
// (the process died while writing it, so nobody was answered for it) or fails its checksum is
// cut off when the spool is opened.
import { mkdir, open, readFile, rename, appendFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { NormalizedEvent } from './normalize.js';

export const SPOOL_FILE = 'spool.jsonl';
export const OFFSET_FILE = 'spool.offset';
export const REJECTED_FILE = 'spool.rejected.jsonl';

/**
 * Where a change came from, for the spool's limits and metrics: `api`, callers that retry a 503
 * (the ingest and CDEvents APIs); `webhook`, senders that do not (Grafana's contact point);
 * `connector`, in-process connectors (their webhooks, which GitHub and GitLab do not redeliver
 * on their own, and their polls).
 */
export type Origin = 'api' | 'webhook' | 'connector';

export interface SpoolRecord {
  tenant: string;
  origin: Origin;
  /** When the collector acknowledged it (RFC 3339). */
  receivedAt: string;
  events: NormalizedEvent[];
}

export interface SpooledEntry {
  record: SpoolRecord;
  /** File offset just past this record: acknowledging it moves the offset here. */
  end: number;
}

export class SpoolFullError extends Error {
  constructor(readonly limitBytes: number) {
    super(`the spool holds its limit of ${limitBytes} bytes`);
    this.name = 'SpoolFullError';
  }
}

interface Pending {
  line: Buffer;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const DATES = ['timestamp', 'endTimestamp', 'updatedAt'] as const;

function encode(record: SpoolRecord): Buffer {
  const json = JSON.stringify(record);
  const sum = crc32(json).toString(16).padStart(8, '0');
  return Buffer.from(`${sum} ${json}\n`, 'utf8');
}

/** The record of one line, or undefined when the line is torn or corrupt. */
function decode(line: string): SpoolRecord | undefined {
  const space = line.indexOf(' ');
  if (space !== 8) return undefined;
  const json = line.slice(9);
  if (crc32(json).toString(16).padStart(8, '0') !== line.slice(0, 8)) return undefined;
  const record = JSON.parse(json) as SpoolRecord;
  for (const event of record.events)
    for (const key of DATES) {
      const value = event[key] as unknown;
      if (typeof value === 'string')
        (event as unknown as Record<string, Date>)[key] = new Date(value);
    }
  return record;
}

export class Spool {
  #file: FileHandle;
  /** Offset of the first record not yet stored. */
  #offset: number;
  /** End of the file: where the next record goes. */
  #size: number;
  #records: number;
  #queue: Pending[] = [];
  #queuedBytes = 0;
  #writing: Promise<void> | undefined;
  /** Serializes file-changing steps (a flush, an acknowledgement, compaction). */
  #lock: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dir: string,
    file: FileHandle,
    offset: number,
    size: number,
    records: number,
  ) {
    this.#file = file;
    this.#offset = offset;
    this.#size = size;
    this.#records = records;
  }

  /** Opens (creating) the spool in dir, cutting off a torn last record. */
  static async open(dir: string): Promise<Spool> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, SPOOL_FILE);
    // Created if missing, then opened for positioned writes (append mode would ignore positions).
    await (await open(path, 'a')).close();
    const file = await open(path, 'r+');
    try {
      const content = await file.readFile();
      let offset = await readOffset(dir);
      // The file was compacted after the offset was written (or someone deleted it): all drained.
      if (offset > content.length) offset = 0;
      let valid = offset;
      let records = 0;
      while (valid < content.length) {
        const newline = content.indexOf(0x0a, valid);
        if (newline === -1) break;
        let record: SpoolRecord | undefined;
        try {
          record = decode(content.subarray(valid, newline).toString('utf8'));
        } catch {
          record = undefined;
        }
        if (!record) break;
        records += 1;
        valid = newline + 1;
      }
      if (valid < content.length) {
        // Never acknowledged to anyone: the process died before its fdatasync returned.
        await file.truncate(valid);
        await file.datasync();
      }
      return new Spool(dir, file, offset, valid, records);
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  /** Records waiting to be stored. */
  get records(): number {
    return this.#records;
  }

  /** Bytes waiting to be stored, including appends under way. */
  get bytes(): number {
    return this.#size - this.#offset + this.#queuedBytes;
  }

  /**
   * Appends a record and resolves once it is on disk. Throws SpoolFullError, writing nothing,
   * when the spool would grow past limitBytes. Concurrent appends share one write and one sync.
   */
  append(record: SpoolRecord, limitBytes: number): Promise<void> {
    const line = encode(record);
    if (this.bytes + line.length > limitBytes)
      return Promise.reject(new SpoolFullError(limitBytes));
    this.#queuedBytes += line.length;
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ line, resolve, reject });
      this.#writing ??= this.#flushAll();
    });
  }

  async #flushAll(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        const bytes = batch.reduce((n, p) => n + p.line.length, 0);
        try {
          await this.#exclusive(async () => {
            await this.#file.write(Buffer.concat(batch.map((p) => p.line)), 0, bytes, this.#size);
            await this.#file.datasync();
            this.#size += bytes;
            this.#records += batch.length;
          });
          this.#queuedBytes -= bytes;
          for (const p of batch) p.resolve();
        } catch (err) {
          this.#queuedBytes -= bytes;
          // Whatever part reached the file is overwritten by the next append (which writes at
          // #size) or cut off at the next open: nobody was told it was kept.
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.#writing = undefined;
    }
  }

  /** Up to max records from the oldest on, without removing them. */
  async peek(max: number): Promise<SpooledEntry[]> {
    return this.#exclusive(async () => {
      const entries: SpooledEntry[] = [];
      let position = this.#offset;
      const chunk = 1 << 20;
      let carry = Buffer.alloc(0);
      while (entries.length < max && position < this.#size) {
        const length = Math.min(chunk, this.#size - position);
        const { buffer, bytesRead } = await this.#file.read({
          buffer: Buffer.alloc(length),
          position,
        });
        if (bytesRead === 0) break;
        const data = Buffer.concat([carry, buffer.subarray(0, bytesRead)]);
        const base = position - carry.length;
        position += bytesRead;
        let start = 0;
        for (;;) {
          const newline = data.indexOf(0x0a, start);
          if (newline === -1 || entries.length >= max) break;
          const record = decode(data.subarray(start, newline).toString('utf8'));
          if (!record)
            throw new Error(`spool ${this.dir}: corrupt record at offset ${base + start}`);
          entries.push({ record, end: base + newline + 1 });
          start = newline + 1;
        }
        carry = data.subarray(start);
      }
      return entries;
    });
  }

  /** The records up to `end` are stored: move the offset past them, and compact when empty. */
  async acknowledge(end: number, count: number): Promise<void> {
    await this.#exclusive(async () => {
      if (end <= this.#offset) return;
      this.#offset = end;
      this.#records -= count;
      if (this.#offset === this.#size && this.#queue.length === 0) {
        // Empty: start the file over. Truncating first means a crash in between leaves an
        // offset past the end, which open() reads as "all drained".
        await this.#file.truncate(0);
        await this.#file.datasync();
        this.#offset = 0;
        this.#size = 0;
      }
      await writeOffset(this.dir, this.#offset);
    });
  }

  /** Keeps a record the store refuses for good beside the spool, so it does not block the rest. */
  async reject(entry: SpooledEntry, reason: string): Promise<void> {
    const line = JSON.stringify({ reason, rejectedAt: new Date().toISOString(), ...entry.record });
    await appendFile(join(this.dir, REJECTED_FILE), `${line}\n`);
  }

  async close(): Promise<void> {
    await this.#writing;
    await this.#exclusive(() => this.#file.close());
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => undefined);
    return run;
  }
}

async function readOffset(dir: string): Promise<number> {
  try {
    const n = Number((await readFile(join(dir, OFFSET_FILE), 'utf8')).trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/** Write to a temporary file, sync, rename: the offset file is always whole. */
async function writeOffset(dir: string, offset: number): Promise<void> {
  const tmp = join(dir, `${OFFSET_FILE}.tmp`);
  const file = await open(tmp, 'w');
  try {
    await file.writeFile(String(offset));
    await file.datasync();
  } finally {
    await file.close();
  }
  await rename(tmp, join(dir, OFFSET_FILE));
}
