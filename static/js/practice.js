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
  // Same folding as resetlab.grading.normalise_text: case, accents, punctuation and spacing.
  function normalise(text) {
    return text.normalize("NFKD").toLowerCase().normalize("NFKD").replace(/\p{Mn}/gu, "")
      .replace(/[\p{P}\p{S}\p{Z}\s]/gu, " ").trim().split(/\s+/).filter(Boolean).join(" ");
  }
  function texts(q) {
    var all = {};
    [q.options, q.items, q.lefts, q.rights].forEach(function (list) {
      list.forEach(function (c) { all[c.id] = c.text; });
    });
    return all;
  }

  function choice(type, name, value, label) {
    var wrap = el("label", {"class": "choice"});
    wrap.appendChild(el("input", {type: type, name: name, value: value}));
    wrap.appendChild(document.createTextNode(" "));
    wrap.appendChild(el("span", {}, label));
    return wrap;
  }
  function pick(id, label, values) {
    var wrap = el("div", {"class": "pick"});
    wrap.appendChild(el("label", {"for": id}, label));
    var select = el("select", {id: id, name: id});
    values.forEach(function (v) { select.appendChild(el("option", {value: v[0]}, v[1])); });
    wrap.appendChild(select);
    return wrap;
  }
  // The answer controls, with the same markup as templates/_macros/question.html.
  function inputs(q, box) {
    if (q.type === "single" || q.type === "multi") {
      if (q.type === "multi") box.appendChild(el("p", {"class": "hint"}, "Choose every answer that is right. Wrong ticks cancel right ones."));
      shuffle(q.options).forEach(function (c) {
        box.appendChild(choice(q.type === "single" ? "radio" : "checkbox", "answer", c.id, c.text));
      });
    } else if (q.type === "truefalse") {
      box.appendChild(choice("radio", "answer", "true", "True"));
      box.appendChild(choice("radio", "answer", "false", "False"));
    } else if (q.type === "text" || q.type === "numeric") {
      box.appendChild(el("label", {"for": "pa"}, "Your answer" + (q.type === "numeric" && q.unit ? " (" + q.unit + ")" : "")));
      var input = el("input", {type: "text", id: "pa", name: "answer", autocomplete: "off",
        maxlength: q.type === "text" ? "200" : "20"});
      if (q.type === "numeric") input.setAttribute("inputmode", "numeric");
      else { input.setAttribute("autocapitalize", "none"); input.setAttribute("spellcheck", "false"); }
      box.appendChild(input);
    } else if (q.type === "order") {
      box.appendChild(el("p", {"class": "hint"}, "Give each item a position: 1 is the earliest."));
      var positions = [["", "Position…"]].concat(q.items.map(function (_, i) { return [String(i + 1), String(i + 1)]; }));
      shuffle(q.items).forEach(function (c) { box.appendChild(pick("pa-" + c.id, c.text, positions)); });
    } else if (q.type === "match") {
      box.appendChild(el("p", {"class": "hint"}, "Match each item on the left with one choice."));
      var rights = [["", "Choose…"]].concat(shuffle(q.rights).map(function (c) { return [c.id, c.text]; }));
      q.lefts.forEach(function (c) { box.appendChild(pick("pa-" + c.id, c.text, rights)); });
    }
  }

  // The canonical answer (as resetlab.answers.to_json stores it), or {problem: "..."}.
  function readAnswer(q, form) {
    var checked = Array.prototype.filter.call(form.querySelectorAll("input[name=answer]"), function (i) { return i.checked; })
      .map(function (i) { return i.value; });
    var value = form.querySelector("input[name=answer][type=text]");
    if (q.type === "single") return checked.length ? {answer: checked[0]} : {problem: "Choose an answer."};
    if (q.type === "multi") return checked.length ? {answer: checked.sort()} : {problem: "Choose at least one answer."};
    if (q.type === "truefalse") return checked.length ? {answer: checked[0] === "true"} : {problem: "Choose True or False."};
    if (q.type === "text") {
      var text = value.value.trim();
      return text ? {answer: text} : {problem: "Type an answer."};
    }
    if (q.type === "numeric") {
      var raw = value.value.replace(/[ ,]/g, "");
      var number = Number(raw);
      return raw && isFinite(number) ? {answer: number} : {problem: "Enter a number, for example 2009."};
    }
    if (q.type === "order") {
      var placed = q.items.map(function (c) { return [c.id, form.querySelector("#pa-" + c.id).value]; });
      if (placed.some(function (p) { return !p[1]; })) return {problem: "Give every item a position."};
      var used = {};
      placed.forEach(function (p) { used[p[1]] = true; });
      if (Object.keys(used).length !== placed.length) return {problem: "Use each position once: two items share a position."};
      placed.sort(function (a, b) { return Number(a[1]) - Number(b[1]); });
      return {answer: placed.map(function (p) { return p[0]; })};
    }
    var chosen = {};
    var missing = false;
    q.lefts.forEach(function (c) {
      var v = form.querySelector("#pa-" + c.id).value;
      if (v) chosen[c.id] = v; else missing = true;
    });
    return missing ? {problem: "Match every item on the left."} : {answer: chosen};
  }

  // Same rules as resetlab/grading.py; the server's grade is the one that is recorded.
  function score(q, answer) {
    if (q.type === "single") return answer === q.key ? 1 : 0;
    if (q.type === "truefalse") return answer === q.key ? 1 : 0;
    if (q.type === "text") {
      var reply = normalise(answer);
      return reply && q.accepted.some(function (a) { return normalise(a) === reply; }) ? 1 : 0;
    }
    if (q.type === "numeric") return Math.abs(answer - q.key) <= q.tolerance + 1e-9 ? 1 : 0;
    if (q.type === "multi") {
      var hits = answer.filter(function (id) { return q.key.indexOf(id) !== -1; }).length;
      return Math.max(0, (hits - (answer.length - hits)) / q.key.length);
    }
    if (q.type === "order") {
      return answer.filter(function (id, i) { return q.key[i] === id; }).length / q.key.length;
    }
    var lefts = Object.keys(q.key);
    return lefts.filter(function (left) { return answer[left] === q.key[left]; }).length / lefts.length;
  }

  function describe(q, answer) {
    var t = texts(q);
    if (q.type === "single") return t[answer];
    if (q.type === "multi") return answer.map(function (id) { return t[id]; }).join("; ");
    if (q.type === "truefalse") return answer ? "True" : "False";
    if (q.type === "numeric") return String(answer) + (q.unit && q.unit !== "year" ? " (" + q.unit + ")" : "");
    if (q.type === "order") return answer.map(function (id) { return t[id]; }).join(" → ");
    if (q.type === "match") return q.lefts.map(function (c) { return c.text + " → " + (t[answer[c.id]] || "—"); }).join("; ");
    return answer;
  }
  function describeKey(q) {
    if (q.type === "text") return q.accepted.join(" or ");
    if (q.type === "numeric") return String(q.key) + (q.tolerance ? " (±" + q.tolerance + ")" : "");
    return describe(q, q.key);
  }

  function progress(box) {
    var bar = el("div", {"class": "step-progress"});
    bar.appendChild(el("p", {}, "Question " + (current + 1) + " of " + order.length));
    var meter = el("progress", {max: String(order.length)});
    meter.value = current + 1;
    bar.appendChild(meter);
    box.appendChild(bar);
  }

  function focus(node) {
    node.setAttribute("tabindex", "-1");
    node.focus();
  }

  function showQuestion(moveFocus) {
    var q = order[current];
    app.textContent = "";
    progress(app);
    var form = el("form", {"class": "quiz", novalidate: ""});
    var set = el("fieldset", {"class": "question", "aria-describedby": "pq-prompt"});
    var legend = el("legend", {}, "Question " + (current + 1) + " of " + order.length);
    set.appendChild(legend);
    var prompt = el("div", {"class": "prompt", id: "pq-prompt"});
    prompt.innerHTML = q.prompt_html;  // rendered and sanitised (nh3) on the server at start-up
    set.appendChild(prompt);
    var error = el("p", {"class": "error", id: "pq-error", role: "alert"});
    set.appendChild(error);
    inputs(q, set);
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
      var read = readAnswer(q, form);
      if (read.problem) {
        error.textContent = read.problem;
        set.classList.add("has-error");
        set.setAttribute("aria-describedby", "pq-prompt pq-error");
        return;
      }
      var sure = !form.querySelector("input[name=unsure]").checked;
      offline.enqueue({id: newId(), question_id: q.id, content_hash: q.content_hash, answer: read.answer,
        sure: sure, answered_at: new Date().toISOString()});
      showFeedback(q, read.answer, score(q, read.answer));
    });
    app.appendChild(form);
    if (moveFocus) focus(legend);
  }

  function showFeedback(q, answer, s) {
    if (s >= 1) right += 1;
    app.textContent = "";
    progress(app);
    var list = el("div", {"class": "review"});
    var card = el("article", {"class": "card " + (s >= 1 ? "right" : (s > 0 ? "partial" : "wrong"))});
    var verdict = el("p", {"class": "verdict"},
      s >= 1 ? "✓ Right" : (s > 0 ? "◐ Partly right (" + Math.round(s * 100) + "%)" : "✗ Not right"));
    card.appendChild(verdict);
    var prompt = el("div", {"class": "prompt"});
    prompt.innerHTML = q.prompt_html;
    card.appendChild(prompt);
    var answers = el("dl", {"class": "answers"});
    answers.appendChild(el("dt", {}, "Your answer"));
    answers.appendChild(el("dd", {}, describe(q, answer)));
    if (s < 1) {
      answers.appendChild(el("dt", {}, "Right answer"));
      answers.appendChild(el("dd", {}, describeKey(q)));
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
