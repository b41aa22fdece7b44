// Serves the built harness page, @grafana/ui's icons where Grafana serves them, and Grafana's
// data proxy for the datasource (support/data-proxy.ts) in front of a live collector.
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { proxyRequest, type PluginRoute, type ProxiedDatasource } from '../support/data-proxy';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
};

/** Grafana's Inter font files, served from @fontsource/inter (Grafana does not publish them). */
const INTER: Record<string, string> = {
  'Inter-Regular.woff2': 'inter-latin-400-normal.woff2',
  'Inter-Medium.woff2': 'inter-latin-500-normal.woff2',
  'Inter-SemiBold.woff2': 'inter-latin-600-normal.woff2',
  'Inter-Bold.woff2': 'inter-latin-700-normal.woff2',
};

export interface HarnessServerOptions {
  pageDir: string;
  iconsDir: string;
  fontsDir: string;
  routes: PluginRoute[];
  datasource: ProxiedDatasource;
}

export interface HarnessServer {
  url: string;
  /** Requests the proxy forwarded, with the headers it added. */
  proxied: Array<{ url: string; authorization?: string }>;
  close(): Promise<void>;
}

function serveFile(res: http.ServerResponse, file: string): void {
  if (!existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404).end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
}

const inside = (dir: string, path: string): string => join(dir, normalize(`/${path}`));

/** Icons Grafana serves from its own public folder that @grafana/ui does not ship: a stand-in. */
const GRAFANA_ONLY_ICONS: Record<string, string> = { 'unicons/spinner.svg': 'unicons/sync.svg' };

export async function startHarnessServer(options: HarnessServerOptions): Promise<HarnessServer> {
  const proxied: HarnessServer['proxied'] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const target = proxyRequest(options.routes, options.datasource, url);
    if (target) {
      proxied.push({ url: target.url, authorization: target.headers.Authorization });
      fetch(target.url, { headers: target.headers })
        .then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch((err: unknown) => res.writeHead(502).end(String(err)));
      return;
    }
    const path = decodeURIComponent(url.split('?')[0] ?? '/');
    if (path.startsWith('/grafana-public/fonts/inter/')) {
      const name = INTER[path.slice('/grafana-public/fonts/inter/'.length)];
      serveFile(res, name ? join(options.fontsDir, name) : '');
    } else if (path.startsWith('/grafana-public/build/img/icons/')) {
      const icon = path.slice('/grafana-public/build/img/icons/'.length);
      serveFile(res, inside(options.iconsDir, GRAFANA_ONLY_ICONS[icon] ?? icon));
    } else {
      // Grafana routes every /a/<app>/… URL to the app's root page: so does the harness.
      const page = path === '/' || path.startsWith('/a/painchain-app') ? 'index.html' : path;
      serveFile(res, inside(options.pageDir, page));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    proxied,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
