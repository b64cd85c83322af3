// Reset Lab service worker: lessons you opened stay readable offline. Served from /sw.js by
// resetlab/offline.py, which fills in CONFIG (the asset hash and the app shell to precache).
"use strict";
const CONFIG = {"version": "dev", "shell": []};

const SHELL = "resetlab-shell-" + CONFIG.version;  // replaced on every deploy
const PAGES = "resetlab-pages";  // pages the learner opened: kept across deploys, refreshed online
const MAX_PAGES = 80;
const SLOW_MS = 4000;  // a poor signal: after this long, show the stored copy and keep fetching
const OFFLINE_PAGE = "/offline";
// Public reading pages and practice: network first, the cached copy when offline.
const READING = /^\/(?:lessons\/[^/]+|practice\/[^/]+|glossary|timeline|offline)?$/;
const PACK = /^\/api\/practice\/[^/]+\.json$/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL)
    .then((cache) => cache.addAll(CONFIG.shell.map((url) => new Request(url, {cache: "reload"}))))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys
      .filter((key) => key.startsWith("resetlab-") && key !== SHELL && key !== PAGES)
      .map((key) => caches.delete(key))))
    .then(() => self.clients.claim())
    .then(keepOpenPages));
});

// A lesson opened straight from a shared link loads before this worker exists, so it never passes
// through networkFirst: once active, store the reading pages open in this browser right now.
async function keepOpenPages() {
  const windows = await self.clients.matchAll({type: "window", includeUncontrolled: true});
  const cache = await caches.open(PAGES);
  await Promise.all(windows.map(async (client) => {
    const url = new URL(client.url);
    if (url.origin !== self.location.origin || !READING.test(url.pathname)) return;
    try {
      const response = await fetch(url.pathname, {credentials: "same-origin"});
      if (storable(response)) await cache.put(keyFor(url), response);
    } catch (offline) {
      // No connection now: the page is stored the next time it is opened online.
    }
  }));
  await trim(cache);
}

function keyFor(url) {
  return url.origin + url.pathname;  // one copy per page, whatever the query string
}

function storable(response) {
  return response && response.ok && response.type === "basic" && !response.redirected;
}

async function trim(cache) {
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map((key) => cache.delete(key)));
}

async function networkFirst(event, url) {
  const request = event.request;
  const network = fetch(request).then(async (response) => {
    if (storable(response)) {
      const cache = await caches.open(PAGES);
      await cache.put(keyFor(url), response.clone());
      await trim(cache);
    }
    return response;
  });
  const slow = new Promise((resolve) => setTimeout(resolve, SLOW_MS, null));
  const first = await Promise.race([network.catch(() => null), slow]);
  if (first) return first;
  const cached = await caches.match(keyFor(url), {ignoreVary: true});
  if (cached) {
    event.waitUntil(network.catch(() => null));  // refresh the stored copy in the background
    return cached;
  }
  try {
    return await network;
  } catch (offline) {
    if (request.mode === "navigate") return offlinePage();
    throw offline;
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request, {ignoreVary: true, ignoreSearch: true});
  if (cached) return cached;
  const response = await fetch(request);
  if (storable(response)) {
    const cache = await caches.open(SHELL);
    await cache.put(request, response.clone());
  }
  return response;
}

async function offlinePage() {
  const cached = await caches.match(OFFLINE_PAGE, {ignoreVary: true});
  return cached || new Response("You are offline.", {status: 503, headers: {"Content-Type": "text/plain"}});
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;  // answers and forms always go to the server
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate" && READING.test(url.pathname)) {
    event.respondWith(networkFirst(event, url));
  } else if (PACK.test(url.pathname)) {
    event.respondWith(networkFirst(event, url));
  } else if (request.mode === "navigate") {
    // Private pages (attempts, review, progress, teaching, accounts) are never stored.
    event.respondWith(fetch(request).catch(offlinePage));
  }
});
