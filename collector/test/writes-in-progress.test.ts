// At most `server.maxWritesInProgress` requests with a body are read and handled at once, on the
// real listening server: the next waits unread (and is counted on /metrics) until a slot frees,
// then is answered as usual; reads never wait for writes; a client that gives up while waiting,
// or half-way through its body, leaves no slot taken.
import type { Socket } from 'node:net';
import {
  anEvent,
  createTestDatabase,
  openSocket,
  startApp,
  type TestApp,
  type TestDatabase,
} from '../src/testing/index.js';

const MAX = 2;

/** The status line the server answers on this socket. */
function answer(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      const line = received.split('\r\n')[0];
      if (received.includes('\r\n')) resolve(line!);
    });
    socket.on('close', () => reject(new Error(`closed after: ${received}`)));
  });
}

/** A POST of one event whose body stops `held` bytes short of its end. */
function post(socket: Socket, externalId: string, held = 0): () => void {
  const body = JSON.stringify(anEvent({ externalId }));
  socket.write(
    `POST /api/v1/events HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`,
  );
  socket.write(body.slice(0, body.length - held));
  return () => socket.write(body.slice(body.length - held));
}

describe('writes in progress', () => {
  let database: TestDatabase;
  let t: TestApp;
  let port: number;
  const waiting = async () => {
    const text = (await t.app.inject('/metrics')).body;
    return Number(/^painchain_http_writes_waiting (\d+)$/m.exec(text)?.[1]);
  };
  const until = async (what: string, ok: () => Promise<boolean>) => {
    const deadline = Date.now() + 10_000;
    while (!(await ok())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    t = await startApp(database, {
      server: { maxWritesInProgress: MAX, requestTimeoutMs: 20_000 },
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  test('the next write waits unread for a slot; reads do not wait', async () => {
    // Two writes admitted, their bodies not finished: they hold both slots.
    const first = await openSocket(port);
    const second = await openSocket(port);
    const finishFirst = post(first, 'first', 5);
    const finishSecond = post(second, 'second', 5);
    const firstAnswer = answer(first);
    const secondAnswer = answer(second);

    const third = await openSocket(port);
    const thirdAnswer = answer(third);
    post(third, 'third');
    await until('the third write to wait', async () => (await waiting()) === 1);
    // Reads go on meanwhile.
    expect((await t.app.inject('/api/v1/events')).statusCode).toBe(200);

    finishFirst();
    expect(await firstAnswer).toBe('HTTP/1.1 201 Created');
    // The slot the first freed goes to the third, which is answered as usual.
    expect(await thirdAnswer).toBe('HTTP/1.1 201 Created');
    expect(await waiting()).toBe(0);
    finishSecond();
    expect(await secondAnswer).toBe('HTTP/1.1 201 Created');
    expect(await t.count()).toBe(3);
    for (const socket of [first, second, third]) socket.destroy();
  });

  test('a client that leaves, waiting or half-way through its body, frees its slot', async () => {
    const holders = [await openSocket(port), await openSocket(port)];
    holders.forEach((socket, i) => post(socket, `left-${i}`, 5));
    const quitter = await openSocket(port);
    post(quitter, 'quitter');
    await until('the quitter to wait', async () => (await waiting()) === 1);
    // It gives up while waiting, then the two holders give up half-way through their bodies.
    quitter.destroy();
    for (const socket of holders) socket.destroy();

    // Every slot is free again: MAX writes at once are answered without waiting.
    const sockets = await Promise.all(Array.from({ length: MAX }, () => openSocket(port)));
    const answers = sockets.map((socket, i) => {
      const answered = answer(socket);
      post(socket, `after-${i}`);
      return answered;
    });
    expect(await Promise.all(answers)).toEqual(Array(MAX).fill('HTTP/1.1 201 Created'));
    expect(await waiting()).toBe(0);
    for (const socket of sockets) socket.destroy();
  });
});
