// The System page: say so when a refresh of the status block got no answer (the server or its
// database is down), instead of silently showing the last good state.
(function () {
  "use strict";
  var stale = document.getElementById("system-stale");
  if (!stale) { return; }
  function fromStatus(event) {
    var target = event.detail && event.detail.elt;
    return target && target.id === "system-status";
  }
  document.body.addEventListener("htmx:responseError", function (event) {
    if (fromStatus(event)) { stale.classList.remove("d-none"); }
  });
  document.body.addEventListener("htmx:sendError", function (event) {
    if (fromStatus(event)) { stale.classList.remove("d-none"); }
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail && event.detail.target && event.detail.target.id === "system-status") {
      stale.classList.add("d-none");
    }
  });
})();
