/* With JavaScript on, the long grouped list of places becomes three short chained lists
   (region, then cercle, then commune), each with "I do not know". The original <select>
   stays in the form, hidden, and carries the answer: without this script it is the
   picker itself. */
(function () {
  "use strict";
  var original = document.getElementById("id_place");
  if (!original || !original.getElementsByTagName) {
    return;
  }
  var groups = original.getElementsByTagName("optgroup");
  if (groups.length < 2) {
    return;
  }
  var unknown = original.getAttribute("data-unknown") || "?";
  var regions = [];
  var cerclesOf = {};
  var communesOf = {};
  var cercleRegion = {};
  var i;
  var j;

  for (i = 0; i < groups.length; i++) {
    var group = groups[i];
    var regionId = group.getAttribute("data-r");
    var options = group.getElementsByTagName("option");
    if (!regionId) {
      for (j = 0; j < options.length; j++) {
        regions.push([options[j].value, options[j].text]);
      }
      continue;
    }
    var label = group.getAttribute("label");
    var cut = label.indexOf(" — ");
    var cercle = options[0].value;
    (cerclesOf["r" + regionId] = cerclesOf["r" + regionId] || []).push([cercle, cut >= 0 ? label.slice(cut + 3) : label]);
    cercleRegion[cercle] = "r" + regionId;
    communesOf[cercle] = [];
    for (j = 1; j < options.length; j++) {
      communesOf[cercle].push([options[j].value, options[j].text]);
      cercleRegion[options[j].value] = cercle;
    }
  }

  function makeSelect(id, labelText) {
    var wrap = document.createElement("div");
    wrap.className = "place-level";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.appendChild(document.createTextNode(labelText));
    var select = document.createElement("select");
    select.id = id;
    wrap.appendChild(label);
    wrap.appendChild(select);
    return { wrap: wrap, select: select };
  }

  function fill(select, items, value) {
    select.options.length = 0;
    select.options.add(new Option(unknown, ""));
    for (var k = 0; k < items.length; k++) {
      select.options.add(new Option(items[k][1], items[k][0]));
    }
    select.value = value || "";
    select.disabled = items.length === 0;
  }

  var region = makeSelect("place-region", original.getAttribute("data-label-region"));
  var cercle = makeSelect("place-cercle", original.getAttribute("data-label-cercle"));
  var commune = makeSelect("place-commune", original.getAttribute("data-label-commune"));

  function sync() {
    original.value = commune.select.value || cercle.select.value || region.select.value || "";
  }

  // Start from the answer already given (a form shown again keeps it).
  var start = original.value;
  var startCommune = start.charAt(0) === "c" ? start : "";
  var startCercle = startCommune ? cercleRegion[startCommune] : start.charAt(0) === "k" ? start : "";
  var startRegion = startCercle ? cercleRegion[startCercle] : start.charAt(0) === "r" ? start : "";

  fill(region.select, regions, startRegion);
  fill(cercle.select, cerclesOf[startRegion] || [], startCercle);
  fill(commune.select, communesOf[startCercle] || [], startCommune);

  region.select.addEventListener("change", function () {
    fill(cercle.select, cerclesOf[region.select.value] || [], "");
    fill(commune.select, [], "");
    sync();
  });
  cercle.select.addEventListener("change", function () {
    fill(commune.select, communesOf[cercle.select.value] || [], "");
    sync();
  });
  commune.select.addEventListener("change", sync);

  var picker = document.createElement("div");
  picker.className = "place-picker";
  picker.appendChild(region.wrap);
  picker.appendChild(cercle.wrap);
  picker.appendChild(commune.wrap);
  original.parentNode.insertBefore(picker, original);
  original.hidden = true;
  original.setAttribute("aria-hidden", "true");
  original.tabIndex = -1;
  var question = document.querySelector("label[for='id_place']");
  if (question) {
    question.htmlFor = "place-region";
  }
})();
