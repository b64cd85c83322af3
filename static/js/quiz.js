// Progressive enhancement for quizzes: one question per screen on small screens, with a
// progress indicator. Without JavaScript the whole quiz is one page and works the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-quiz]");
  if (!form || !window.matchMedia("(max-width: 47.99rem)").matches) return;
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));
  if (questions.length < 2 || document.getElementById("error-summary")) return;
  var submitBar = form.querySelector(".submit-bar");
  var nav = document.createElement("div");
  nav.className = "step-nav submit-bar";
  nav.innerHTML = '<button type="button" class="button" data-prev>Back</button>' +
    '<p class="step-count" aria-live="polite"></p>' +
    '<button type="button" class="button primary" data-next>Next</button>';
  form.insertBefore(nav, submitBar);
  var current = 0;
  function show(i) {
    current = Math.max(0, Math.min(questions.length - 1, i));
    questions.forEach(function (q, n) { q.toggleAttribute("data-step-hidden", n !== current); });
    var last = current === questions.length - 1;
    nav.querySelector("[data-prev]").disabled = current === 0;
    nav.querySelector("[data-next]").hidden = last;
    submitBar.hidden = !last;
    nav.querySelector(".step-count").textContent = "Question " + (current + 1) + " of " + questions.length;
  }
  nav.querySelector("[data-prev]").addEventListener("click", function () { show(current - 1); questions[current].querySelector("legend").scrollIntoView(); });
  nav.querySelector("[data-next]").addEventListener("click", function () { show(current + 1); questions[current].querySelector("legend").scrollIntoView(); });
  show(0);
})();
