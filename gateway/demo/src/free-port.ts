import { createServer } from 'node:net';

/**
 * A port free on 127.0.0.1 right now, for a listener whose URL must be known before it starts
 * (the web listener's origin is registered at the OIDC provider as a redirect URI). Drawn below
 * Linux's ephemeral range (32768+): a port handed back here is not soon reused by some other
 * listener bound to port 0 before ours binds it.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * 22_000);
    if (await canListen(port)) return port;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
