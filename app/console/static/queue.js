// The handoff queue: polls the queue's JSON every 5 seconds and shows how many conversations wait
// (in the page title and its badge), with a link to reload when a new one arrived.
(function () {
  "use strict";
  var table = document.getElementById("queue");
  var badge = document.getElementById("queue-badge");
  var news = document.getElementById("queue-news");
  if (!table) { return; }
  var known = {};
  table.getAttribute("data-ids").split(" ").forEach(function (id) { if (id) { known[id] = true; } });
  var base = document.title.replace(/^\(\d+\) /, "");
  function show(data) {
    var waiting = data.waiting || 0;
    document.title = waiting > 0 ? "(" + waiting + ") " + base : base;
    if (badge) { badge.textContent = String(waiting); }
    var fresh = (data.ids || []).some(function (id) { return !known[String(id)]; });
    if (fresh && news) { news.hidden = false; }
  }
  function poll() {
    fetch("/console/conversations.json", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { show(data); } })
      .catch(function () {});
  }
  setInterval(poll, 5000);
})();
