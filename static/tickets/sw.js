// The door page's service worker (served at /tickets/sw.js, scope /tickets/).
//
// The page hands it the URLs it needs offline (itself, its scripts, styles and the decoder);
// afterwards every GET of a door page, a static file or a check-in kit goes to the network
// first and falls back to the last copy kept here, so a door phone that loses the venue's
// network can still reload its page. Check-ins themselves are never cached: they are POSTs,
// and offline ones wait in the page's IndexedDB queue.

const CACHE = "door-v1";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "cache") {
    event.waitUntil(
      caches.open(CACHE).then((cache) =>
        Promise.all(event.data.urls.map((url) => cache.add(new Request(url, { credentials: "same-origin" })).catch(() => null)))
      )
    );
  }
});

function wanted(url) {
  return (
    url.origin === self.location.origin &&
    (url.pathname.startsWith("/static/") ||
      /^\/tickets\/[^/]+\/door\/$/.test(url.pathname) ||
      /^\/api\/v1\/events\/[^/]+\/checkin-kit$/.test(url.pathname))
  );
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (!wanted(url)) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() => caches.match(request, { ignoreSearch: true }).then((hit) => hit || Response.error()))
  );
});
