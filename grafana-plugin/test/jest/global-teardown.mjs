// Stops the collector of global-setup.mjs.
export default async function globalTeardown() {
  await globalThis.__painchainCollector?.close();
}
