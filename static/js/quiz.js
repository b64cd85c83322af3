// Progressive enhancement for quizzes: on small screens, one question per screen with a
// progress bar and Back/Next; a countdown for timed attempts. Without JavaScript the whole
// quiz is one page and works the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-quiz]");
  if (!form) return;

  var timer = document.querySelector("[data-deadline]");
  if (timer) {
    var deadline = Date.parse(timer.getAttribute("data-deadline"));
    var out = document.createElement("span");
    out.className = "countdown";
    out.setAttribute("aria-live", "off");
    timer.appendChild(document.createTextNode(" "));
    timer.appendChild(out);
    var warned = false;
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      out.textContent = "Time left: " + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      if (left <= 60 && !warned) { warned = true; out.setAttribute("aria-live", "assertive"); out.setAttribute("role", "alert"); }
      if (left === 0) { clearInterval(handle); form.requestSubmit(); }
    };
    var handle = setInterval(tick, 1000);
    tick();
  }

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();  // answers to fix: start there (its links lead to each question)
  if (!window.matchMedia("(max-width: 47.99rem)").matches) return;
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));
  if (questions.length < 2 || summary) return;
  var submitBar = form.querySelector(".submit-bar");

  var progress = document.createElement("div");
  progress.className = "step-progress";
  // No live region: moving focus to each question's legend ("Question 2 of 8") already announces it.
  progress.innerHTML = '<p id="step-count"></p><progress aria-labelledby="step-count" max="' +
    questions.length + '"></progress>';
  form.insertBefore(progress, questions[0]);

  var nav = document.createElement("div");
  nav.className = "step-nav submit-bar";
  nav.innerHTML = '<button type="button" class="button" data-prev>Back</button>' +
    '<button type="button" class="button primary" data-next>Next</button>' +
    '<button type="submit" class="button primary" data-submit>Submit answers</button>';
  form.insertBefore(nav, submitBar);

  var current = 0;
  function show(i, focus) {
    current = Math.max(0, Math.min(questions.length - 1, i));
    questions.forEach(function (q, n) { q.toggleAttribute("data-step-hidden", n !== current); });
    var last = current === questions.length - 1;
    nav.querySelector("[data-prev]").disabled = current === 0;
    nav.querySelector("[data-next]").hidden = last;
    nav.querySelector("[data-submit]").hidden = !last;
    submitBar.hidden = true;
    progress.querySelector("p").textContent = "Question " + (current + 1) + " of " + questions.length;
    progress.querySelector("progress").value = current + 1;
    if (focus) {
      var legend = questions[current].querySelector("legend");
      legend.setAttribute("tabindex", "-1");
      legend.focus();
      window.scrollTo(0, form.offsetTop);
    }
  }
  nav.querySelector("[data-prev]").addEventListener("click", function () { show(current - 1, true); });
  nav.querySelector("[data-next]").addEventListener("click", function () { show(current + 1, true); });
  show(0, false);
})();
