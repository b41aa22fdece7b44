// A TCP proxy on loopback for fault tests: the collector talks to PostgreSQL (or a source)
// through it, and the test cuts the link (connections reset, new ones refused), blackholes it
// (connections accepted, nothing passes either way — a network partition), slows it, or
// restores it.
import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'cut' | 'blackhole' | 'slow';

interface Link {
  client: Socket;
  upstream: Socket;
}

export class TcpProxy {
  #mode: ProxyMode = 'pass';
  #delayMs = 0;
  readonly #links = new Set<Link>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on 127.0.0.1 (a free port) and forwards to target. */
  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const holder: { proxy?: TcpProxy } = {};
    const server = createServer((client) => holder.proxy?.accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('proxy has no port');
    holder.proxy = new TcpProxy(server, address.port);
    return holder.proxy;
  }

  /** `postgres://…` with host and port replaced by the proxy's. */
  url(target: string): string {
    const url = new URL(target);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /** Resets every open connection and refuses new ones until restore(). */
  cut(): void {
    this.#mode = 'cut';
    for (const link of this.#links) this.#drop(link);
  }

  /** Open connections hang and new ones are accepted but never answered. */
  blackhole(): void {
    this.#mode = 'blackhole';
    for (const { client, upstream } of this.#links) {
      client.pause();
      upstream.pause();
    }
  }

  /** Every chunk, both ways, waits delayMs. */
  slow(delayMs: number): void {
    this.#mode = 'slow';
    this.#delayMs = delayMs;
  }

  /**
   * Back to passing traffic. Connections that were blackholed are reset, as a real partition's
   * TCP connections would be by then (their peer timed out); new ones pass.
   */
  restore(): void {
    const wasBlackhole = this.#mode === 'blackhole';
    this.#mode = 'pass';
    this.#delayMs = 0;
    if (wasBlackhole) for (const link of this.#links) this.#drop(link);
  }

  async close(): Promise<void> {
    for (const link of this.#links) this.#drop(link);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    if (this.#mode === 'cut') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    const link = { client, upstream };
    this.#links.add(link);
    const forget = () => this.#drop(link);
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    if (this.#mode === 'blackhole') {
      client.pause();
      upstream.pause();
    }
    this.#pipe(client, upstream);
    this.#pipe(upstream, client);
  }

  #pipe(from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (this.#mode === 'blackhole') return;
      if (this.#mode === 'slow' && this.#delayMs > 0) {
        from.pause();
        setTimeout(() => {
          if (!to.destroyed) to.write(chunk);
          if (this.#mode !== 'blackhole') from.resume();
        }, this.#delayMs);
        return;
      }
      if (!to.destroyed) to.write(chunk);
    });
  }

  #drop(link: Link): void {
    if (!this.#links.delete(link)) return;
    link.client.resetAndDestroy();
    link.upstream.resetAndDestroy();
  }
}
