// With JavaScript the notice's buttons answer in place: the choice is posted and the
// notice closes, with no page reload. Without JavaScript the same forms redirect back.
(function () {
  "use strict";
  var notice = document.querySelector("[data-consent-notice]");
  if (!notice || !window.fetch) { return; }
  notice.addEventListener("submit", function (event) {
    var form = event.target;
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) { form.submit(); return; }
      notice.hidden = true;
      var main = document.getElementById("main");
      if (main) { main.setAttribute("tabindex", "-1"); main.focus({ preventScroll: true }); }
    }).catch(function () { form.submit(); });
  });
})();
