/* The grading queue, keyboard first: digits pick a rubric level, Enter saves and moves on, every
   change is saved as you go. Without this script the form still works with its buttons. */
(function () {
  "use strict";
  var form = document.querySelector("form.grade-form");
  if (!form) return;
  var criteria = Array.prototype.slice.call(form.querySelectorAll("fieldset.criterion"));
  var status = form.querySelector(".autosave-status");
  var total = document.getElementById("grade-total");
  var comment = form.querySelector("textarea[name=comment]");
  var next = form.querySelector("button[value=next]");
  var timer = null;
  var dirty = false;
  // Not form.action: the buttons are named "action", and form.action would be them.
  var target = form.getAttribute("action") || window.location.href;

  function say(text) { if (status) status.textContent = text; }

  function checked(set) { return set.querySelector("input[type=radio]:checked"); }

  function showTotal() {
    var points = 0, complete = true;
    criteria.forEach(function (set) {
      var pick = checked(set);
      if (pick) points += Number(pick.getAttribute("data-points")); else complete = false;
    });
    if (total) {
      total.textContent = complete ? points + " of " + total.getAttribute("data-max") + " points"
        : "Pick a level for each criterion (" + total.getAttribute("data-max") + " points in all).";
    }
  }

  var inflight = null;  // one autosave at a time, so an older one never lands after a newer one

  function save() {
    clearTimeout(timer);
    if (!dirty) return inflight || Promise.resolve();
    if (inflight) return inflight.then(save);
    dirty = false;
    say("Saving…");
    inflight = fetch(target, {method: "POST", body: autosaved(), credentials: "same-origin",
                              headers: {"X-Autosave": "1", "Accept": "application/json"}})
      .then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, body: body}; },
                                    function () { return {ok: false, body: {}}; });
      })
      .then(function (reply) {
        if (reply.ok && reply.body.saved) {
          say(reply.body.status === "graded" ? "Saved: " + reply.body.points + " of " + reply.body.max_points
            + " points." : "Saved as a draft.");
        } else if (reply.body.error) {  // the server refused on purpose: trying again would not help
          say("Not saved: " + reply.body.error);
        } else {
          dirty = true;
          say("Not saved: the server did not accept it. Your choices are still here: press Save.");
        }
      }, function () {
        dirty = true;
        say("Not saved yet (no connection?). Your choices are still here: press Save to try again.");
      })
      .then(function () { inflight = null; });
    return inflight;
  }

  function autosaved() {  // what an autosave sends: never a saved comment to keep, never another action
    var data = new FormData(form);
    data.delete("snippet");
    data.delete("keep_comment");
    data.set("action", "save");
    return data;
  }

  function later() { dirty = true; clearTimeout(timer); timer = setTimeout(save, 1200); }

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.name === "snippet") {  // a saved comment: add its text to the comment box at once
      if (target.checked && comment) {
        comment.value = (comment.value.trim() ? comment.value.trim() + "\n\n" : "") + target.getAttribute("data-text");
        target.checked = false;
        say("Comment added.");
        later();
      }
      return;
    }
    if (target.type === "radio") { showTotal(); dirty = true; clearTimeout(timer); timer = setTimeout(save, 250); return; }
    later();
  });
  if (comment) comment.addEventListener("input", later);
  var sending = false;
  form.addEventListener("submit", function (event) {  // let a running autosave finish first
    clearTimeout(timer);
    dirty = false;
    if (!inflight || sending) return;
    event.preventDefault();
    var button = event.submitter;
    inflight.then(function () { sending = true; form.requestSubmit(button); });
  });
  window.addEventListener("pagehide", function () {
    if (dirty) {  // a last save when leaving with a change not yet sent
      clearTimeout(timer);
      fetch(target, {method: "POST", body: autosaved(), credentials: "same-origin", keepalive: true,
                          headers: {"X-Autosave": "1", "Accept": "application/json"}});
    }
  });

  function typing(node) {
    if (!node) return false;
    var tag = node.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" || (tag === "INPUT" && !/^(radio|checkbox)$/.test(node.type));
  }

  function current() {
    var active = document.activeElement;
    var inside = active && active.closest ? active.closest("fieldset.criterion") : null;
    if (inside) return inside;
    return criteria.filter(function (set) { return !checked(set); })[0] || criteria[0];
  }

  function focusCriterion(set) {
    var target = checked(set) || set.querySelector("input[type=radio]");
    if (target) target.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.metaKey) return;
    var active = document.activeElement;
    if (event.key === "Enter" && event.ctrlKey && active === comment) {
      event.preventDefault();
      next.click();
      return;
    }
    if (event.ctrlKey || typing(active)) return;
    if (/^[0-9]$/.test(event.key) && criteria.length) {
      var set = current();
      // The level worth that many points; when none is (points of 5, 10...), the level in that place.
      var radio = set.querySelector('input[type=radio][data-points="' + event.key + '"]')
        || set.querySelectorAll("input[type=radio]")[Number(event.key)];
      event.preventDefault();
      if (!radio) {
        say("No level with " + event.key + " points, nor a level in that place, in " + set.querySelector("legend").firstChild.textContent.trim() + ".");
        return;
      }
      radio.checked = true;
      radio.dispatchEvent(new Event("change", {bubbles: true}));
      var after = criteria[criteria.indexOf(set) + 1];
      if (after) focusCriterion(after); else next.focus();
      return;
    }
    if (event.key === "Enter") {
      var tag = active ? active.tagName : "";
      if (tag === "BUTTON" || tag === "A" || tag === "SUMMARY") return;  // they do their own thing
      event.preventDefault();
      next.click();
    }
  });

  var heading = document.getElementById("response-h");
  if (heading && !document.querySelector(".has-error")) heading.focus();
})();
