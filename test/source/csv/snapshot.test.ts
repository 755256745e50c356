/**
 * The reload rules of a hand-edited file, on a fake file whose versions and contents the
 * test controls (the real-file suite cannot stop fs.watch to exercise the re-check alone).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveFile, type FileVersion } from '../../../src/source/csv/snapshot.js';
import { SourceError } from '../../../src/source/source.js';

/** A file on a fake disk: `content` is what reading it gives (a SourceError: it is broken). */
class FakeFile {
  version: FileVersion | SourceError = { ino: 1, size: 10, mtimeMs: 1000 };
  content: string | SourceError = 'v1';
  reads = 0;
  #pending?: Promise<void>;

  /** Holds the reads that start from now on until the returned function is called. */
  holdReads(): () => void {
    let release!: () => void;
    this.#pending = new Promise((resolve) => (release = resolve));
    return release;
  }

  live(): LiveFile<string> {
    return new LiveFile(
      {
        version: async () => {
          if (this.version instanceof SourceError) throw this.version;
          return this.version;
        },
        read: async () => {
          this.reads++;
          const content = this.content;
          await this.#pending;
          if (content instanceof SourceError) throw content;
          return content;
        },
      },
      (error) => error as SourceError,
    );
  }

  /** Saves new content, with a new modification time unless `version` says otherwise. */
  edit(content: string | SourceError, version: Partial<FileVersion> = {}): void {
    const current = this.version instanceof SourceError ? { ino: 1, size: 0, mtimeMs: 0 } : this.version;
    this.content = content;
    this.version = { ...current, mtimeMs: current.mtimeMs + 1, ...version };
  }
}

const broken = (line: number) => new SourceError('fake', `permits.csv line ${line}: 2 fields where the header has 3`, 'bad-data');

describe('a live file', () => {
  afterEach(() => vi.useRealTimers());

  it('re-checks the file at most once a second on access, reading it again only when its version changed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const disk = new FakeFile();
    const file = disk.live();
    expect(await file.current()).toBe('v1');

    disk.edit('v2');
    vi.advanceTimersByTime(500);
    await file.check();
    expect(await file.current()).toBe('v1');
    vi.advanceTimersByTime(600);
    await file.check();
    expect(await file.current()).toBe('v2');
    expect(disk.reads).toBe(2);

    vi.advanceTimersByTime(5_000);
    await file.check();
    expect(await file.current()).toBe('v2');
    expect(disk.reads).toBe(2);
  });

  it('notices a rename over the file by its inode, even with the same size and time', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const disk = new FakeFile();
    const file = disk.live();
    await file.current();
    disk.edit('renamed', { ino: 2, mtimeMs: 1000 });
    vi.advanceTimersByTime(1_000);
    await file.check();
    expect(await file.current()).toBe('renamed');
  });

  it('reads a reported change at once, even when size and time look unchanged', async () => {
    const disk = new FakeFile();
    const file = disk.live();
    await file.current();
    disk.edit('same-tick edit', { mtimeMs: 1000 });
    file.changed();
    await file.check();
    expect(await file.current()).toBe('same-tick edit');
  });

  it('keeps the last good version while the file is broken, reports it in check, and reads a broken version once', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const disk = new FakeFile();
    const file = disk.live();
    await file.current();

    disk.edit(broken(3));
    file.changed();
    await expect(file.check()).rejects.toThrow('permits.csv line 3');
    expect(await file.current()).toBe('v1');
    vi.advanceTimersByTime(3_000);
    await expect(file.check()).rejects.toThrow('permits.csv line 3');
    expect(disk.reads).toBe(2);

    disk.edit('v3');
    vi.advanceTimersByTime(1_000);
    await expect(file.check()).resolves.toBeUndefined();
    expect(await file.current()).toBe('v3');
  });

  it('fails every request while there has never been a good version', async () => {
    const disk = new FakeFile();
    disk.content = broken(2);
    const file = disk.live();
    await expect(file.current()).rejects.toThrow('permits.csv line 2');
    await expect(file.current()).rejects.toThrow('permits.csv line 2');
  });

  it('keeps serving while the file is missing, and reads it again when it is back', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const disk = new FakeFile();
    const file = disk.live();
    await file.current();
    disk.version = new SourceError('fake', 'no CSV file "permits.csv"', 'missing-table');
    file.changed();
    await expect(file.check()).rejects.toMatchObject({ reason: 'missing-table' });
    expect(await file.current()).toBe('v1');

    // Back with the very version it had: it is read again all the same.
    disk.version = { ino: 1, size: 10, mtimeMs: 1000 };
    disk.content = 'back';
    vi.advanceTimersByTime(1_000);
    await file.check();
    expect(await file.current()).toBe('back');
  });

  it('waits for a first load, but serves the old version while a reload runs', async () => {
    const disk = new FakeFile();
    const release = disk.holdReads();
    const file = disk.live();
    const requests = Promise.all([file.current(), file.current()]);
    release();
    expect(await requests).toEqual(['v1', 'v1']);
    expect(disk.reads).toBe(1);

    const releaseReload = disk.holdReads();
    disk.edit('v2');
    file.changed();
    expect(await file.current()).toBe('v1');
    releaseReload();
    await file.check();
    expect(await file.current()).toBe('v2');
  });

  it('reads again when a change is reported while a reload reads', async () => {
    const disk = new FakeFile();
    const file = disk.live();
    await file.current();
    const release = disk.holdReads();
    disk.edit('v2');
    file.changed();
    await vi.waitFor(() => expect(disk.reads).toBe(2));
    disk.edit('v3');
    file.changed();
    release();
    await vi.waitFor(async () => expect(await file.current()).toBe('v3'));
    expect(disk.reads).toBe(3);
  });
});
