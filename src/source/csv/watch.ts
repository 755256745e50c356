/**
 * Changes to the files of one folder, reported once per burst: a save is several steps
 * (truncate, write, or write a temporary file and rename it), each firing its own event.
 * The folder is watched rather than each file because a rename over a file replaces the
 * file a watch on it would follow.
 */
import { watch, type FSWatcher } from 'node:fs';

const QUIET_MS = 100;

export interface FolderWatch {
  close(): void;
}

/**
 * Calls `onChange(name)` once events for the file `name` have stopped for a moment (`undefined`:
 * the platform did not say which file changed). Returns undefined when the folder cannot be
 * watched, and calls `onLost` when a watch fails later; either way, callers still notice
 * changes by re-checking files as they are read.
 */
export function watchFolder(folder: string, onChange: (name: string | undefined) => void, onLost: () => void): FolderWatch | undefined {
  const timers = new Map<string | undefined, NodeJS.Timeout>();
  let watcher: FSWatcher;
  try {
    // Not persistent: watching files must not keep the process alive.
    watcher = watch(folder, { persistent: false }, (_event, filename) => {
      const name = filename ?? undefined;
      clearTimeout(timers.get(name));
      const timer = setTimeout(() => {
        timers.delete(name);
        onChange(name);
      }, QUIET_MS);
      timer.unref();
      timers.set(name, timer);
    });
  } catch {
    return undefined;
  }
  const close = () => {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
    watcher.close();
  };
  watcher.on('error', () => {
    close();
    onLost();
  });
  return { close };
}
