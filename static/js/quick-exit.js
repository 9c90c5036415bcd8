/* Quick exit, with JavaScript on: leave for a neutral page with location.replace, so the
   page being read is replaced in the history instead of staying one "back" away.
   Escape does the same. Without JavaScript the same link still leaves (rel=noreferrer).
   On pages showing a receipt or a status (answers to a POST), the history entry is
   turned into a plain one, so "back" or "reload" later shows an empty form rather than
   offering to send the form again and show the code. */
(function () {
  "use strict";
  var link = document.getElementById("quick-exit");
  if (!link) {
    return;
  }
  var target = link.getAttribute("data-exit-url") || link.href;

  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    // Hide the page at once: the next page may take seconds to load on 2G.
    document.documentElement.className += " leaving";
    window.location.replace(target);
  }

  link.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc" || event.keyCode === 27) {
      leave(event);
    }
  });

  if (/\bforget-post\b/.test(document.body.className) && window.history && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.href);
  }
})();
