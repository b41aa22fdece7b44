// A suite's own database on one store, and the fake cluster, around the suite's tests.
import {
  createTestDatabase,
  type Db,
  type StoreKind,
  type TestDatabase,
} from '@painchain/collector/testing';
import { FakeKubeApiServer } from './fake-kube-apiserver.js';

export interface CollectorSuite {
  db: Db;
  fake: FakeKubeApiServer;
}

/** Registers beforeAll/afterAll; the returned object is filled before the first test runs. */
export function collectorSuite(kind: StoreKind): CollectorSuite {
  const suite = {} as CollectorSuite & { database?: TestDatabase };
  beforeAll(async () => {
    suite.database = await createTestDatabase(kind);
    suite.db = await suite.database.open();
    suite.fake = await FakeKubeApiServer.start();
  });
  afterAll(async () => {
    await suite.fake?.close();
    await suite.db?.close();
    await suite.database?.drop();
  });
  return suite;
}
