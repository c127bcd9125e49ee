// Failed logins, counted per account name and per client address over a
// sliding window: past the limit a login is refused (429) before the password
// is even checked, until the oldest failure leaves the window. Kept per
// manager in memory (a guesser moving between managers gets each one's share,
// which the limits allow for); a success clears the name's count.

export interface LoginLimits {
  windowMs: number;
  perName: number;
  perPeer: number;
  /** Names and addresses tracked at most (the oldest are forgotten first). */
  maxKeys: number;
}

export const LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60 * 1000, perName: 10, perPeer: 30, maxKeys: 10_000 };

class Window {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  /** Milliseconds until `key` may try again (0: now). */
  wait(key: string, now: number): number {
    const times = this.live(key, now);
    if (times.length < this.limit) return 0;
    return times[times.length - this.limit]! + this.windowMs - now;
  }

  add(key: string, now: number): void {
    const times = this.live(key, now);
    times.push(now);
    if (times.length > this.limit) times.splice(0, times.length - this.limit);
    this.hits.delete(key); // re-inserted last: the map's order is age of last use
    this.hits.set(key, times);
    while (this.hits.size > this.maxKeys) this.hits.delete(this.hits.keys().next().value!);
  }

  clear(key: string): void {
    this.hits.delete(key);
  }

  private live(key: string, now: number): number[] {
    const times = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (times.length === 0) this.hits.delete(key);
    else this.hits.set(key, times);
    return times;
  }
}

export class LoginLimiter {
  private readonly names: Window;
  private readonly peers: Window;

  constructor(
    private readonly now: () => number,
    limits: LoginLimits = LOGIN_LIMITS,
  ) {
    this.names = new Window(limits.perName, limits.windowMs, limits.maxKeys);
    this.peers = new Window(limits.perPeer, limits.windowMs, limits.maxKeys);
  }

  /** Seconds to wait before `name` may be tried from `peer` again, or 0. */
  retryAfter(name: string, peer: string): number {
    const now = this.now();
    const ms = Math.max(this.names.wait(name.toLowerCase(), now), this.peers.wait(peer, now));
    return ms > 0 ? Math.ceil(ms / 1000) : 0;
  }

  failed(name: string, peer: string): void {
    const now = this.now();
    this.names.add(name.toLowerCase(), now);
    this.peers.add(peer, now);
  }

  succeeded(name: string): void {
    this.names.clear(name.toLowerCase());
  }
}
