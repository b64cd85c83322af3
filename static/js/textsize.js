// Text size: a select in the footer (hidden without JavaScript) that scales every rem of the page
// up to 200%. The choice is kept in localStorage and applied as a class on <html>.
(function () {
  "use strict";
  var KEY = "resetlab.textSize", SIZES = ["100", "125", "150", "175", "200"], root = document.documentElement;
  function apply(size) {
    SIZES.forEach(function (s) { root.classList.toggle("text-" + s, s === size && s !== "100"); });
  }
  var saved = null;
  try { saved = localStorage.getItem(KEY); } catch (e) { /* storage blocked: default size */ }
  if (SIZES.indexOf(saved) === -1) saved = "100";
  apply(saved);
  var box = document.querySelector("[data-textsize]");
  if (!box) return;
  var select = box.querySelector("select");
  select.value = saved;
  select.addEventListener("change", function () {
    apply(select.value);
    try { localStorage.setItem(KEY, select.value); } catch (e) { /* kept for this page only */ }
  });
  box.hidden = false;
})();
