// Builds the dashboard into web/dist. No inline scripts or styles (the CSP allows 'self' only), and a
// size budget on the JavaScript a first visit loads.

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  // Preact's JSX runtime through Vite's own transformer: no Babel-based plugin needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  // `npm run web:dev` next to `npm start`: the API stays on its own port, reached through the dev server.
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The preload polyfill would be the only inline-ish helper; every browser we support has modulepreload.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    target: 'es2022',
    reportCompressedSize: true,
  },
});
