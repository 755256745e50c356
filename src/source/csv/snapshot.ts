/**
 * The last good version of a file that people edit by hand while the gateway serves it.
 * A reload reads the new version beside the old one and swaps it in only once it read
 * completely: a request keeps the snapshot it started with, and a broken edit leaves the
 * last good snapshot serving (with the problem reported by `check`) until it is fixed.
 */
import type { SourceError } from '../source.js';

/** Enough to notice that a file changed without reading it. */
export interface FileVersion {
  ino: number;
  size: number;
  mtimeMs: number;
}

export interface VersionedFile<T> {
  /** The version on disk now: a cheap stat. */
  version(): Promise<FileVersion>;
  /** The whole file, read and checked. */
  read(): Promise<T>;
}

/** fs.watch misses some changes (editors that save by renaming a new file over the old one), so accesses re-check this often. */
const RECHECK_MS = 1_000;

export class LiveFile<T> {
  #good?: T;
  #problem?: SourceError;
  /** The version last read, good or broken: an unchanged broken file is not read again. */
  #read?: FileVersion;
  #checkedAt = -Infinity;
  #changed = false;
  #refreshing?: Promise<void>;

  constructor(
    private readonly file: VersionedFile<T>,
    /** Whatever reading threw → the error to report; never quotes a path or a value. */
    private readonly toSourceError: (error: unknown) => SourceError,
  ) {}

  /**
   * The latest good snapshot; fails only while there has never been one. Only a first load is
   * waited for: afterwards a request reads the last good snapshot while a reload runs.
   */
  async current(): Promise<T> {
    this.#refreshIfDue();
    if (this.#good === undefined) await this.#refreshing;
    if (this.#good !== undefined) return this.#good;
    throw this.#problem;
  }

  /**
   * The version of the snapshot served now (size and modification time: the same on every
   * gateway reading the same file), noticing a change as `current()` does; '' before any.
   */
  version(): string {
    this.#refreshIfDue();
    return this.#read ? `${this.#read.size}:${this.#read.mtimeMs}` : '';
  }

  /** Fails while the file on disk is broken or missing, even if an earlier good version still serves. */
  async check(): Promise<void> {
    this.#refreshIfDue();
    await this.#refreshing;
    if (this.#problem) throw this.#problem;
  }

  /** The file changed on disk: read it now, before the next request needs it. */
  changed(): void {
    this.#changed = true;
    void this.#refresh();
  }

  #refreshIfDue(): void {
    if (Date.now() - this.#checkedAt >= RECHECK_MS) void this.#refresh();
  }

  #refresh(): Promise<void> {
    this.#refreshing ??= this.#reload().finally(() => {
      this.#refreshing = undefined;
      // A change reported while the file was being read may not be in what was read.
      if (this.#changed) void this.#refresh();
    });
    return this.#refreshing;
  }

  /** Never rejects: what goes wrong becomes `#problem`. */
  async #reload(): Promise<void> {
    // A reported change is read even when size and time look the same (two saves within one clock tick).
    const forced = this.#changed;
    this.#changed = false;
    this.#checkedAt = Date.now();
    let version: FileVersion;
    try {
      version = await this.file.version();
    } catch (error) {
      this.#read = undefined;
      this.#problem = this.toSourceError(error);
      return;
    }
    if (!forced && this.#read && sameVersion(this.#read, version)) return;
    this.#read = version;
    try {
      this.#good = await this.file.read();
      this.#problem = undefined;
    } catch (error) {
      this.#problem = this.toSourceError(error);
    }
  }
}

function sameVersion(a: FileVersion, b: FileVersion): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}
