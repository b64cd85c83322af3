// Offline support on every page: a banner while the device is offline, the service worker, and
// sending practice answers queued on this device (see practice.js) once there is a connection.
// Progressive enhancement: without JavaScript every page works the same, online.
(function () {
  "use strict";
  var script = document.currentScript;
  var QUEUE = "resetlab.practice.queue";
  var BATCH = 200;
  var MESSAGE = "You are offline — lessons you opened are still here; " +
    "practice answers will sync when you reconnect.";

  var banner = document.createElement("p");
  banner.className = "offline-banner";
  banner.setAttribute("role", "status");
  var main = document.querySelector("main") || document.body;
  main.insertBefore(banner, main.firstChild);  // inside the main landmark, above the page's content
  function showState() {
    banner.textContent = navigator.onLine ? "" : MESSAGE;
  }

  function readQueue() {
    try {
      var queue = JSON.parse(localStorage.getItem(QUEUE) || "[]");
      return Array.isArray(queue) ? queue.filter(function (item) { return item && typeof item.id === "string"; }) : [];
    } catch (e) {
      return [];
    }
  }
  var last = null;
  function writeQueue(queue) {
    localStorage.setItem(QUEUE, JSON.stringify(queue));
    document.dispatchEvent(new CustomEvent("resetlab:queue", {detail: {pending: queue.length, last: last}}));
  }

  function token() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  // A page kept by the service worker may carry an old token: fetch a fresh one from the server.
  function refreshToken() {
    return fetch("/offline", {credentials: "same-origin", cache: "no-store"})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector('meta[name="csrf-token"]');
        var meta = document.querySelector('meta[name="csrf-token"]');
        if (fresh && meta) meta.setAttribute("content", fresh.getAttribute("content"));
      });
  }
  function post(batch, retry) {
    return fetch(script.getAttribute("data-sync"), {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token()},
      body: JSON.stringify({items: batch})
    }).then(function (response) {
      if (response.status === 400 && retry) return refreshToken().then(function () { return post(batch, false); });
      if (!response.ok) throw new Error("sync refused: " + response.status);
      return response.json();
    });
  }

  var running = null;
  // Send queued answers; acknowledged ones (accepted, duplicates, rejected) leave the queue.
  function sync() {
    if (running) return running;
    var queue = readQueue();
    if (!navigator.onLine || !queue.length || !script.getAttribute("data-sync")) return Promise.resolve(false);
    running = post(queue.slice(0, BATCH), true).then(function (result) {
      var done = {};
      result.accepted.concat(result.duplicates).forEach(function (id) { done[id] = true; });
      result.rejected.forEach(function (r) { done[r.id] = true; });
      last = result;
      var left = readQueue().filter(function (item) { return !done[item.id]; });  // kept: answers queued meanwhile
      writeQueue(left);
      running = null;
      return left.length && Object.keys(done).length ? sync() : true;
    }, function () {
      running = null;
      return false;
    });
    return running;
  }

  function enqueue(item) {
    var queue = readQueue();
    queue.push(item);
    writeQueue(queue);
    return sync();
  }

  window.ResetLabOffline = {enqueue: enqueue, sync: sync, pending: function () { return readQueue().length; },
    last: function () { return last; }};

  // Logging out on a shared phone: forget the pages kept for this account, and any practice answers
  // still queued (they would otherwise sync to whoever uses the phone next).
  var logout = document.querySelector('form[action$="/auth/logout"]');
  if (logout) {
    logout.addEventListener("submit", function () { writeQueue([]); });
  }
  if (logout && window.caches) {
    logout.addEventListener("submit", function () {
      caches.delete("resetlab-pages");
      caches.keys().then(function (keys) {
        keys.forEach(function (key) {
          if (key.indexOf("resetlab-shell-") === 0) caches.open(key).then(function (c) { c.delete("/"); });
        });
      });
    });
  }

  // On the offline page: say which lessons are kept on this device.
  if (window.caches) {
    Array.prototype.forEach.call(document.querySelectorAll("a[data-kept]"), function (link) {
      caches.match(link.getAttribute("href"), {ignoreVary: true}).then(function (found) {
        if (found) link.insertAdjacentText("afterend", " — kept on this device");
      });
    });
  }

  window.addEventListener("online", function () { showState(); sync(); });
  window.addEventListener("offline", showState);
  showState();
  sync();
  if ("serviceWorker" in navigator && script.getAttribute("data-sw")) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(script.getAttribute("data-sw"), {scope: "/"}).catch(function () {});
    });
  }
})();
