// Progressive enhancement for quizzes. Without JavaScript the whole quiz is one page, "Save and leave"
// keeps the answers on the server and submitting with blanks asks on a confirmation page. With it:
// - answers are saved to the server as the learner goes (on change, debounced, and on Next), and on the
//   device when the connection is gone, then sent when it is back;
// - a dialog asks before submitting with questions unanswered;
// - a countdown stays in view on timed attempts, is announced politely at 5 and 1 minutes, and submits
//   the saved answers when time runs out (the server's clock decides in any case);
// - on small screens, one question per screen with a progress bar and Back/Next.
(function () {
  "use strict";
  var form = document.querySelector("form[data-quiz]");
  if (!form) return;
  var saveUrl = form.getAttribute("data-save");
  var storeKey = "resetlab.draft." + form.getAttribute("data-attempt");
  var serverSavedAt = Date.parse(form.getAttribute("data-saved-at") || "") || 0;
  var status = form.querySelector("[data-save-status]");
  var submitting = false;

  function clock(date) {
    return String(date.getHours()).padStart(2, "0") + ":" + String(date.getMinutes()).padStart(2, "0");
  }
  function say(text) { if (status) status.textContent = text; }

  // --- the form's answers as name/value pairs, and back -------------------------------------
  function pairs() {
    var out = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && typeof value === "string") out.push([name, value]);
    });
    return out;
  }
  function restore(saved) {
    var byName = {};
    saved.forEach(function (p) { (byName[p[0]] = byName[p[0]] || []).push(p[1]); });
    form.querySelectorAll("input, select, textarea").forEach(function (field) {
      if (!field.name || field.name === "csrf_token") return;
      var values = byName[field.name] || [];
      if (field.type === "radio" || field.type === "checkbox") field.checked = values.indexOf(field.value) !== -1;
      else if (field.tagName === "SELECT" || field.tagName === "TEXTAREA" || field.type === "text") {
        field.value = values[0] || "";
      }
    });
    form.querySelectorAll("textarea[data-words]").forEach(function (area) {  // words.js recounts
      area.dispatchEvent(new Event("input", {bubbles: true}));
    });
  }

  // --- saving: the server when it answers, this device when it does not -------------------
  function keepLocally(saved) {
    try { localStorage.setItem(storeKey, JSON.stringify({at: Date.now(), pairs: saved})); } catch (e) { /* full */ }
  }
  function dropLocal() { try { localStorage.removeItem(storeKey); } catch (e) { /* private mode */ } }
  function localDraft() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { return null; }
  }
  var inFlight = null;
  function save() {
    if (!saveUrl || submitting) return Promise.resolve();
    var saved = pairs();
    var body = new FormData(form);
    inFlight = fetch(saveUrl, {method: "POST", body: body, credentials: "same-origin",
                               headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (response.ok) {
          dropLocal();
          say("Answers saved " + clock(new Date()) + ".");
          return;
        }
        return response.json().then(function (data) {
          say(data && data.error ? data.error : "These answers could not be saved. Reload the page.");
        }, function () { say("These answers could not be saved. Reload the page."); });
      })
      .catch(function () {
        keepLocally(saved);
        say("Saved on this device: your answers will be sent when you are back online.");
      });
    return inFlight;
  }
  var timer = null;
  function saveSoon() {
    keepLocally(pairs());  // a closed tab or a dead battery loses nothing
    clearTimeout(timer);
    timer = setTimeout(save, 1200);
  }
  form.addEventListener("change", saveSoon);
  form.addEventListener("input", function (event) {
    if (event.target.type === "text" || event.target.tagName === "TEXTAREA") saveSoon();
  });
  window.addEventListener("online", function () { if (localDraft()) save(); });
  var pending = localDraft();
  if (pending && pending.at > serverSavedAt) {  // answered offline (or the tab died) after the last save
    restore(pending.pairs);
    say("Answers restored from this device.");
    save();
  }

  // --- submitting with care ----------------------------------------------------------------
  var dialog = document.querySelector("dialog[data-confirm]");
  function answered(question) {
    if (question.querySelector("input:checked:not([name^=g])")) return true;
    var selects = question.querySelectorAll("select");
    for (var i = 0; i < selects.length; i++) if (selects[i].value) return true;
    var texts = question.querySelectorAll("input[type=text], textarea");
    for (var j = 0; j < texts.length; j++) if (texts[j].value.trim()) return true;
    return false;
  }
  function confirmAndSubmit() {
    var confirm = document.createElement("input");
    confirm.type = "hidden";
    confirm.name = "confirm";
    confirm.value = "1";
    form.appendChild(confirm);
    submitting = true;
    dropLocal();
    form.submit();
  }
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.hasAttribute("formaction")) { submitting = true; return; }  // save and leave
    if (submitting) return;
    var blank = questions.filter(function (q) { return !answered(q); });
    if (!blank.length || !dialog || typeof dialog.showModal !== "function") { submitting = true; dropLocal(); return; }
    event.preventDefault();
    dialog.querySelector("[data-unanswered]").textContent =
      blank.length + (blank.length === 1 ? " question" : " questions");
    dialog.showModal();
    dialog.querySelector("[data-back]").onclick = function () {
      dialog.close();
      var first = blank[0];
      if (stepper) stepper(questions.indexOf(first), true);
      else { var legend = first.querySelector("legend"); legend.setAttribute("tabindex", "-1"); legend.focus(); }
    };
    dialog.querySelector("[data-submit-anyway]").onclick = function () { dialog.close(); confirmAndSubmit(); };
  });

  // --- the countdown on timed attempts -------------------------------------------------------
  var clockBox = document.querySelector("[data-deadline]");
  if (clockBox) {
    var deadline = Date.parse(clockBox.getAttribute("data-deadline"));
    var out = clockBox.querySelector("[data-countdown]");
    var announce = clockBox.querySelector("[data-timer-announce]");
    var told = {};
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      out.textContent = " · time left " + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      [[300, "5 minutes left."], [60, "1 minute left. Your answers are saved and will be handed in when time runs out."]]
        .forEach(function (step) {
          if (left <= step[0] && left > 0 && !told[step[0]]) {
            told[step[0]] = true;
            announce.textContent = step[1];
            if (step[0] === 60) clockBox.classList.add("urgent");
          }
        });
      if (left === 0 && !submitting) {
        clearInterval(handle);
        (inFlight || Promise.resolve()).then(function () { confirmAndSubmit(); });
      }
    };
    var handle = setInterval(tick, 1000);
    tick();
  }

  // --- one question per screen on small screens ----------------------------------------------
  var stepper = null;
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();  // answers to fix: start there (its links lead to each question)
  if (!window.matchMedia("(max-width: 47.99rem)").matches) return;
  if (questions.length < 2 || summary) return;
  var submitBar = form.querySelector(".submit-bar");
  var submitButton = submitBar.querySelector("[data-submit]");

  var progress = document.createElement("div");
  progress.className = "step-progress";
  // No live region: moving focus to each question's legend ("Question 2 of 8") already announces it.
  progress.innerHTML = '<p id="step-count"></p><progress aria-labelledby="step-count" max="' +
    questions.length + '"></progress>';
  form.insertBefore(progress, questions[0]);

  var nav = document.createElement("div");
  nav.className = "step-nav";
  nav.innerHTML = '<button type="button" class="button" data-prev>Back</button>' +
    '<button type="button" class="button primary" data-next>Next</button>';
  submitBar.insertBefore(nav, submitButton || null);

  var current = 0;
  stepper = function (i, focus) {
    current = Math.max(0, Math.min(questions.length - 1, i));
    questions.forEach(function (q, n) { q.toggleAttribute("data-step-hidden", n !== current); });
    var last = current === questions.length - 1;
    nav.querySelector("[data-prev]").disabled = current === 0;
    nav.querySelector("[data-next]").hidden = last;
    if (submitButton) submitButton.hidden = !last;
    progress.querySelector("p").textContent = "Question " + (current + 1) + " of " + questions.length;
    progress.querySelector("progress").value = current + 1;
    if (focus) {
      var legend = questions[current].querySelector("legend");
      legend.setAttribute("tabindex", "-1");
      legend.focus();
      window.scrollTo(0, form.offsetTop);
    }
  };
  nav.querySelector("[data-prev]").addEventListener("click", function () { stepper(current - 1, true); });
  nav.querySelector("[data-next]").addEventListener("click", function () {
    clearTimeout(timer);
    save();
    stepper(current + 1, true);
  });
  stepper(0, false);
})();
