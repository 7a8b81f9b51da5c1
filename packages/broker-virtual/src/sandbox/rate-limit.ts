/** Sliding one-second window per key; `limit` null or 0 = off. */
export function createRateLimiter(limit: number | null, clock: () => number) {
  const windows = new Map<string, number[]>();
  return {
    /** Records a request; false when it exceeds the limit (the request is not counted). */
    take(key: string): boolean {
      if (limit === null || limit <= 0) return true;
      const now = clock();
      const recent = (windows.get(key) ?? []).filter((at) => now - at < 1000);
      if (recent.length >= limit) {
        windows.set(key, recent);
        return false;
      }
      recent.push(now);
      windows.set(key, recent);
      return true;
    },
  };
}
