// Homeward service worker: keeps the app shell in the Cache API so the app
// opens with no network after the first visit. Registered by
// `client/src/service_worker.rs`; served by the relay from the same origin
// as the app and the sync socket, with `Cache-Control: no-cache`, so the
// browser notices a new sw.js on the next navigation.
//
// What is cached: index.html (under "/"), every asset it names (Trunk's
// hashed .js, .wasm and .css), and the files the page and the manifest
// name that index.html does not list as assets (EXTRA: the manifest and the
// icons). Anything else fetched from the origin is cached on first use.
// Sync traffic (/v1/) and /healthz never touch the cache.
//
// How a new version arrives: a navigation is answered from the cache at
// once (the app opens offline and fast), and the shell is refreshed in the
// background. The refresh fetches the new index and every asset it names
// before it replaces the cached index, so an interrupted refresh never
// leaves an index that names assets the cache does not hold. The page
// already open keeps running the version it started with; the next start
// (a reload, or reopening the installed app) runs the new one. Hashed
// assets are fetched once (same name, same bytes); the unhashed EXTRA files
// are fetched again on every refresh. Assets no longer named are dropped.
//
// Changing this file (say, CACHE or EXTRA) installs a new worker: it fills
// a fresh cache, takes over at once (skipWaiting + clients.claim) and
// deletes the old caches. Bump CACHE whenever the list of files changes.

const CACHE = "homeward-shell-v2";
const INDEX = "/";
const EXTRA = [
  "/manifest.webmanifest",
  "/icon.svg",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/icons/icon-maskable-512.png",
];
const ASSET = /["'](\/[^"'?#\s]+\.(?:js|wasm|css|svg|png|webmanifest))["']/g;
// Trunk names built assets `<name>-<16 hex digits>[_bg].<ext>`.
const HASHED = /-[0-9a-f]{16}(?:_bg)?\.[a-z]+$/;

function assetsOf(html) {
  const found = new Set(EXTRA);
  for (const m of html.matchAll(ASSET)) found.add(m[1]);
  return [...found];
}

async function refreshShell() {
  const cache = await caches.open(CACHE);
  const response = await fetch(INDEX, { cache: "no-cache" });
  if (!response.ok) throw new Error(`shell fetch failed: ${response.status}`);
  const html = await response.clone().text();
  const assets = assetsOf(html);
  for (const url of assets) {
    if (HASHED.test(url) && (await cache.match(url))) continue;
    const asset = await fetch(url, { cache: "no-cache" });
    if (!asset.ok) throw new Error(`asset fetch failed: ${url} ${asset.status}`);
    await cache.put(url, asset);
  }
  await cache.put(INDEX, response);
  // Drop assets of older versions.
  const keep = new Set([INDEX, ...assets].map((u) => new URL(u, self.location.origin).href));
  for (const request of await cache.keys()) {
    if (!keep.has(request.url)) await cache.delete(request);
  }
}

// One refresh at a time: two tabs opening together must not interleave a
// refresh's clean-up with another's downloads.
let refreshing = null;
function refreshOnce() {
  if (!refreshing) {
    refreshing = refreshShell().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

self.addEventListener("install", (event) => {
  event.waitUntil(refreshOnce().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/v1/") || url.pathname === "/healthz") return;

  if (request.mode === "navigate") {
    event.respondWith(
      caches.match(INDEX).then((cached) => {
        if (cached) {
          // Offline, the refresh fails quietly and the cached shell stays.
          event.waitUntil(refreshOnce().catch(() => {}));
          return cached;
        }
        return fetch(request);
      }),
    );
    return;
  }

  event.respondWith(
    caches.match(request, { ignoreSearch: true }).then(async (cached) => {
      if (cached) return cached;
      const response = await fetch(request);
      if (response.ok && response.type === "basic") {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(request, copy));
      }
      return response;
    }),
  );
});
