/**
 * Requests each caller has running in this process, so that one caller's slow requests
 * cannot take every worker's turn from the others: past its role's `inFlight`, a caller's
 * next request is refused at once (429) instead of queueing.
 */
export class InFlight {
  private readonly running = new Map<string, number>();

  /** Counts a request of `caller` in; false (and nothing counted) when it already has `limit` running. */
  enter(caller: string, limit: number): boolean {
    const count = this.running.get(caller) ?? 0;
    if (count >= limit) return false;
    this.running.set(caller, count + 1);
    return true;
  }

  leave(caller: string): void {
    const count = (this.running.get(caller) ?? 1) - 1;
    if (count <= 0) this.running.delete(caller);
    else this.running.set(caller, count);
  }

  /** How many requests `caller` has running. */
  of(caller: string): number {
    return this.running.get(caller) ?? 0;
  }
}
