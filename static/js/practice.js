// Offline practice: one question at a time from the bank's practice pack, feedback on the device,
// every answer queued in localStorage (offline.js sends the queue when there is a connection).
// The server regrades each answer; the key here only gives instant feedback.
(function () {
  "use strict";
  var root = document.querySelector("[data-practice]");
  var app = root && root.querySelector("[data-practice-app]");
  var offline = window.ResetLabOffline;
  if (!app || !offline) return;
  var status = root.querySelector("[data-sync-status]");
  var pack = null;
  var order = [];
  var current = 0;
  var right = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function shuffle(list) {
    var copy = list.slice();
    for (var i = copy.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1));
      var t = copy[i]; copy[i] = copy[j]; copy[j] = t;
    }
    return copy;
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  // Same folding as normalise_text in resetlab/core/questions/types/text.py.
  function normalise(text) {
    return text.normalize("NFKD").toLowerCase().normalize("NFKD").replace(/\p{Mn}/gu, "")
      .replace(/[\p{P}\p{S}\p{Z}\s]/gu, " ").trim().split(/\s+/).filter(Boolean).join(" ");
  }

  // The form's fields as the server reads a quiz form: name -> list of values (blank ones left out).
  function formValues(form) {
    var values = {};
    form.querySelectorAll("input, select").forEach(function (field) {
      if (!field.name || field.name === "unsure") return;
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) return;
      var value = field.value.trim();
      if (!value) return;
      (values[field.name] = values[field.name] || []).push(value);
    });
    return values;
  }
  function first(values, name) { return (values[name] || [""])[0]; }

  // Instant feedback from the pack's check, in one of four generic rules that the question types on
  // the server describe (resetlab/core/questions, offline_check). The server regrades on sync.
  var RULES = {
    choice: {
      missing: function (c, v) { return v[c.field] ? "" : "Choose an answer."; },
      score: function (c, v) {
        var chosen = v[c.field] || [];
        var hits = chosen.filter(function (id) { return c.key.indexOf(id) !== -1; }).length;
        return Math.max(0, (hits - (chosen.length - hits)) / c.key.length);
      }
    },
    text: {
      missing: function (c, v) { return first(v, c.field) ? "" : "Type an answer."; },
      score: function (c, v) {
        var reply = normalise(first(v, c.field));
        return reply && c.accepted.some(function (a) { return normalise(a) === reply; }) ? 1 : 0;
      }
    },
    number: {
      missing: function (c, v) {
        var raw = first(v, c.field).replace(/[ ,]/g, "");
        return raw && isFinite(Number(raw)) ? "" : "Enter a number, for example 2009.";
      },
      score: function (c, v) {
        return Math.abs(Number(first(v, c.field).replace(/[ ,]/g, "")) - c.key) <= c.tolerance + 1e-9 ? 1 : 0;
      }
    },
    fields: {
      missing: function (c, v) {
        return Object.keys(c.key).every(function (name) { return first(v, name); }) ? "" : "Answer every part.";
      },
      score: function (c, v) {
        var names = Object.keys(c.key);
        return names.filter(function (name) { return first(v, name) === c.key[name]; }).length / names.length;
      }
    }
  };

  // The learner's answer in words, read off the controls they used.
  function describe(form) {
    var parts = [];
    form.querySelectorAll("input:checked, select").forEach(function (field) {
      if (field.name === "unsure") return;
      if (field.tagName === "SELECT") {
        if (!field.value) return;
        var label = form.querySelector("label[for='" + field.id + "']");
        parts.push((label ? label.textContent + " → " : "") + field.options[field.selectedIndex].text);
      } else {
        var text = field.closest("label");
        parts.push(text ? text.textContent.trim() : field.value);
      }
    });
    form.querySelectorAll("input[type=text]").forEach(function (field) {
      if (field.value.trim()) parts.push(field.value.trim());
    });
    return parts.join("; ");
  }

  function progress(box) {
    var bar = el("div", {"class": "step-progress"});
    bar.appendChild(el("p", {id: "pq-count"}, "Question " + (current + 1) + " of " + order.length));
    var meter = el("progress", {max: String(order.length), "aria-labelledby": "pq-count"});  // as quiz.js
    meter.value = current + 1;
    bar.appendChild(meter);
    box.appendChild(bar);
  }

  function focus(node) {
    node.setAttribute("tabindex", "-1");
    node.focus();
  }

  // The source excerpt a question is asked about (rendered by the server's own macro), or nothing.
  function stimulus(q) {
    var box = el("div", {"class": "stimulus"});
    box.innerHTML = q.stimulus_html || "";
    return box;
  }

  function showQuestion(moveFocus) {
    var q = order[current];
    app.textContent = "";
    progress(app);
    var form = el("form", {"class": "quiz", novalidate: ""});
    var set = el("fieldset", {"class": "question", "aria-describedby": "pq-prompt"});
    var legend = el("legend", {}, "Question " + (current + 1) + " of " + order.length);
    set.appendChild(legend);
    set.appendChild(stimulus(q));
    var prompt = el("div", {"class": "prompt", id: "pq-prompt"});
    prompt.innerHTML = q.prompt_html;  // rendered and sanitised (nh3) on the server at start-up
    set.appendChild(prompt);
    var error = el("p", {"class": "error", id: "pq-error", role: "alert"});
    set.appendChild(error);
    var controls = el("div", {"class": "controls"});
    controls.innerHTML = q.inputs_html;  // the quiz page's own controls, rendered by the server
    set.appendChild(controls);
    var unsure = el("label", {"class": "unsure"});
    unsure.appendChild(el("input", {type: "checkbox", name: "unsure", value: "1"}));
    unsure.appendChild(document.createTextNode(" I'm not sure: add it to my review"));
    set.appendChild(unsure);
    form.appendChild(set);
    var bar = el("div", {"class": "submit-bar"});
    bar.appendChild(el("button", {type: "submit", "class": "button primary"}, "Check my answer"));
    form.appendChild(bar);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var rule = RULES[q.check.rule];
      var values = formValues(form);
      var problem = rule ? rule.missing(q.check, values) : "";
      if (problem) {
        error.textContent = problem;
        set.classList.add("has-error");
        set.setAttribute("aria-describedby", "pq-prompt pq-error");
        return;
      }
      var sure = !form.querySelector("input[name=unsure]").checked;
      offline.enqueue({id: newId(), question_id: q.id, content_hash: q.content_hash, form: values,
        sure: sure, answered_at: new Date().toISOString()});
      showFeedback(q, describe(form), rule ? rule.score(q.check, values) : null);
    });
    app.appendChild(form);
    if (moveFocus) focus(legend);
  }

  function showFeedback(q, answer, s) {
    if (s >= 1) right += 1;
    app.textContent = "";
    progress(app);
    var list = el("div", {"class": "review"});
    var card = el("article", {"class": "card " + (s === null ? "" : s >= 1 ? "right" : (s > 0 ? "partial" : "wrong"))});
    var verdict = el("p", {"class": "verdict"}, s === null ? "Saved: compare your answer with the model below" :
      s >= 1 ? "✓ Right" : (s > 0 ? "◐ Partly right (" + Math.round(s * 100) + "%)" : "✗ Not right"));
    card.appendChild(verdict);
    card.appendChild(stimulus(q));
    var prompt = el("div", {"class": "prompt"});
    prompt.innerHTML = q.prompt_html;
    card.appendChild(prompt);
    var answers = el("dl", {"class": "answers"});
    answers.appendChild(el("dt", {}, "Your answer"));
    answers.appendChild(el("dd", {}, answer));
    if (s === null || s < 1) {
      answers.appendChild(el("dt", {}, "Right answer"));
      answers.appendChild(el("dd", {}, q.key_text));
    }
    card.appendChild(answers);
    var explanation = el("div", {"class": "explanation"});
    explanation.innerHTML = q.explanation_html;
    card.appendChild(explanation);
    var reread = el("p");
    reread.appendChild(el("a", {href: q.section.url}, "Reread: " + q.section.title));
    card.appendChild(reread);
    list.appendChild(card);
    app.appendChild(list);
    var last = current === order.length - 1;
    var next = el("button", {type: "button", "class": "button primary"}, last ? "See how you did" : "Next question");
    next.addEventListener("click", function () {
      current += 1;
      if (last) showEnd(); else showQuestion(true);
    });
    app.appendChild(next);
    focus(verdict);
  }

  function showEnd() {
    app.textContent = "";
    var heading = el("h2", {}, "You answered " + order.length + " questions: " + right + " fully right.");
    app.appendChild(heading);
    var again = el("button", {type: "button", "class": "button primary"}, "Practise again");
    again.addEventListener("click", start);
    app.appendChild(again);
    focus(heading);
  }

  function start(event) {
    order = shuffle(pack.questions);
    current = 0;
    right = 0;
    showQuestion(Boolean(event));
  }

  function showStatus(event) {
    var pending = event && event.detail ? event.detail.pending : offline.pending();
    var last = event && event.detail ? event.detail.last : offline.last();
    var text = pending ? pending + (pending === 1 ? " answer is" : " answers are") + " waiting on this device to sync." :
      "All your practice answers are saved.";
    if (last && last.rejected.length) {
      text += " " + last.rejected.length + " could not be saved: " + last.rejected[0].reason + ".";
    }
    status.textContent = offline.pending() || last ? text : "";
  }
  document.addEventListener("resetlab:queue", showStatus);

  fetch(root.getAttribute("data-pack"), {credentials: "same-origin"})
    .then(function (response) {
      if (!response.ok) throw new Error("no pack");
      return response.json();
    })
    .then(function (data) {
      pack = data;
      root.querySelector("[data-nojs]").hidden = true;
      app.hidden = false;
      start(null);
      showStatus();
    })
    .catch(function () {
      root.querySelector("[data-nojs]").hidden = true;
      app.hidden = false;
      app.appendChild(el("p", {"class": "error"}, "These practice questions are not on this device yet. " +
        "Open this page once while you have a connection, and they will be here offline."));
    });
})();
