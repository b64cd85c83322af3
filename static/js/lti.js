/* LTI pages, no inline script (the CSP forbids it):
   - the cookie check: keep going in this frame when the browser keeps our cookies, else offer a new tab;
   - the Deep Linking answer: post the signed form to the LMS (the button works without JavaScript). */
(function () {
  "use strict";
  var check = document.getElementById("lti-cookie-check");
  if (check) {
    document.cookie = "lti1p3_test_cookie=1; path=/; SameSite=None; Secure; Partitioned";
    if (document.cookie.indexOf("lti1p3_test_cookie=1") !== -1) {
      window.location.replace(check.getAttribute("data-next"));
    } else {
      document.getElementById("lti-cookies-blocked").hidden = false;
    }
  }
  var answer = document.querySelector("form[data-autosubmit]");
  if (answer) { answer.submit(); }
})();
