// Client-side search over window.LABRUN_SEARCH (assets/search-index.js): every word of the query must occur in a
// section; sections whose title matches rank first. Plain JavaScript, no network.
(function () {
  var input = document.getElementById("q"), list = document.getElementById("results");
  if (!input || !list) return;
  var root = document.body.getAttribute("data-root") || "";
  var docs = window.LABRUN_SEARCH || [];
  function esc(s) { return s.replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; }); }
  function run() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    list.innerHTML = "";
    if (!words.length) { list.hidden = true; return; }
    var hits = [];
    docs.forEach(function (d) {
      var title = d.t.toLowerCase();
      if (!words.every(function (w) { return d.x.indexOf(w) >= 0 || title.indexOf(w) >= 0; })) return;
      var score = words.filter(function (w) { return title.indexOf(w) >= 0; }).length;
      var at = Math.max(0, d.x.indexOf(words[0]) - 40);
      hits.push({ d: d, score: score, snippet: d.x.slice(at, at + 120) });
    });
    hits.sort(function (a, b) { return b.score - a.score; });
    hits.slice(0, 20).forEach(function (h) {
      var li = document.createElement("li");
      li.innerHTML = '<a href="' + esc(root + h.d.u) + '">' + esc(h.d.t) + "<small>…" + esc(h.snippet) + "…</small></a>";
      list.appendChild(li);
    });
    if (!hits.length) list.innerHTML = "<li><a>No section mentions that.</a></li>";
    list.hidden = false;
  }
  input.addEventListener("input", run);
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") { list.hidden = true; } });
})();
