/* A live word count under every written-answer box (the server counts words the same way). */
(function () {
  "use strict";
  var WORDLIKE = /[\p{L}\p{N}]/u;
  function count(area) {
    var shown = document.getElementById(area.id + "-count");
    if (!shown) return;
    var words = area.value.split(/\s+/).filter(function (t) { return WORDLIKE.test(t); }).length;
    var max = Number(area.getAttribute("data-max")) || 0, min = Number(area.getAttribute("data-min")) || 0;
    var note = max && words > max ? " — " + (words - max) + " over the limit of " + max
      : (min && words < min ? " (at least " + min + " asked)" : "");
    shown.textContent = words + (words === 1 ? " word" : " words") + note;
    shown.classList.toggle("over", Boolean(max && words > max));
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-words]")) count(event.target);
  });
  document.querySelectorAll("textarea[data-words]").forEach(count);
})();
