/* The neutral summary's counter, in GSM-7 septets (what an SMS segment counts), against
   the limit the alert SMS leaves it (data-septet-limit). Progressive enhancement: without
   JavaScript the hint states the limit and the server refuses a longer summary. Counts
   as the server does (veille/gsm7.py): extended characters take two septets; characters
   GSM-7 lacks are transliterated there to one letter (e.g. "ê" -> "e"), so count one. */
(function () {
  "use strict";
  var EXTENDED = "^{}\\[~]|€\f";
  var field = document.querySelector("textarea[data-septet-limit]");
  var counter = document.getElementById("summary-count");
  if (!field || !counter) {
    return;
  }
  var limit = parseInt(field.getAttribute("data-septet-limit"), 10);

  function septets(text) {
    var used = 0;
    var words = text.split(/\s+/).filter(function (w) { return w.length > 0; }).join(" ");
    for (var i = 0; i < words.length; i += 1) {
      used += EXTENDED.indexOf(words.charAt(i)) >= 0 ? 2 : 1;
    }
    return used;
  }

  function update() {
    var used = septets(field.value);
    counter.textContent = used + " / " + limit + (used > limit ? " : trop long pour le SMS d'alerte" : "");
    counter.className = used > limit ? "hint over" : "hint";
    field.setAttribute("aria-invalid", used > limit ? "true" : "false");
  }

  counter.hidden = false;
  field.addEventListener("input", update);
  update();
})();
