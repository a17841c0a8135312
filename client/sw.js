// Homeward service worker: keeps the app shell (index.html and the hashed
// assets it names) in the Cache API so the app opens with no network.
//
// Navigations are answered from the cache first, then the shell is refreshed
// in the background: a new version is fetched completely (index and every
// asset it names) before the cached index is replaced, so the next start
// runs the new version and an interrupted refresh never leaves a shell that
// names assets the cache does not hold. Sync traffic (/v1/) never touches it.

const CACHE = "homeward-shell-v1";
const INDEX = "/";
const ASSET = /["'](\/[^"'?#\s]+\.(?:js|wasm|css|svg|png|webmanifest))["']/g;

function assetsOf(html) {
  const found = new Set(["/manifest.webmanifest", "/icon.svg"]);
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
    if (await cache.match(url)) continue; // hashed names: same name, same bytes
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

self.addEventListener("install", (event) => {
  event.waitUntil(refreshShell().then(() => self.skipWaiting()));
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
          event.waitUntil(refreshShell().catch(() => {}));
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
