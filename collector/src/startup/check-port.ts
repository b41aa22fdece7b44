// Before anything is created (the embedded database, migrations, connectors): is the port free?
// A collector that would fail to listen says so at once, naming the settings that choose the port.
import { createServer } from 'node:net';

/** A sentence saying what to change, or undefined when the port can be listened on. */
export async function portProblem(host: string, port: number): Promise<string | undefined> {
  if (port === 0) return undefined;
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
  if (!error) return undefined;
  return describeListenError(error, host, port);
}

/** EADDRINUSE and friends, in words that name the settings. */
export function describeListenError(
  error: NodeJS.ErrnoException,
  host: string,
  port: number,
): string {
  const choose =
    'choose another port with PAINCHAIN_PORT, server.port in the config file, or --port (npm start -- --port 8081)';
  switch (error.code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use (another PainChain collector, or another program): stop it, or ${choose}`;
    case 'EACCES':
      return `not allowed to listen on port ${port} (ports below 1024 need privileges): ${choose}`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${host}: this machine has no such address; set PAINCHAIN_HOST, server.host or --host (127.0.0.1 for this machine only, 0.0.0.0 for every interface)`;
    default:
      return `cannot listen on ${host}:${port}: ${error.code ?? error.message}`;
  }
}
