import { defineConfig } from 'vite';

// The gateway serves dist/ at "/" with assets under /assets/. In development,
// `npm run dev` proxies the API to a running gateway (BKK_API, default :8080).
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2020',
    sourcemap: false,
    chunkSizeWarningLimit: 300,
    // The public site and the operator console (/admin), one build.
    rollupOptions: {
      input: { main: 'index.html', admin: 'admin/index.html' },
    },
  },
  server: {
    proxy: {
      '/v1': process.env.BKK_API ?? 'http://127.0.0.1:8080',
      '/p/': process.env.BKK_API ?? 'http://127.0.0.1:8080',
      // The source PDFs: the gateway serves them from dist/ or BKK_SOURCES_ROOT.
      '/sources/': process.env.BKK_API ?? 'http://127.0.0.1:8080',
    },
  },
});
