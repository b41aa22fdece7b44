// Builds the browser harness page (test/browser/harness) into test-results/harness.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root: `${here}harness`,
  base: '/',
  logLevel: 'error',
  plugins: [react()],
  build: {
    outDir: `${here}../../test-results/harness`,
    emptyOutDir: true,
    chunkSizeWarningLimit: 10_000,
    sourcemap: false,
    minify: false,
  },
});
