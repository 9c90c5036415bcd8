// Staff map: markers per place from the JSON embedded in the page (no inline script,
// so the Content-Security-Policy can forbid them). Tiles come from the deployment.
(function () {
  "use strict";
  var element = document.getElementById("map");
  var data = document.getElementById("map-data");
  if (!element || !data || typeof L === "undefined") { return; }
  var places = JSON.parse(data.textContent);
  var map = L.map(element).setView([16.5, -2.5], 6);
  L.tileLayer(element.dataset.tiles, { maxZoom: 12, attribution: "" }).addTo(map);
  var bounds = [];
  places.forEach(function (place) {
    var list = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = place.place + " (" + place.reports.length + ")";
    list.appendChild(title);
    place.reports.forEach(function (report) {
      var line = document.createElement("div");
      var link = document.createElement("a");
      link.href = report.url;
      link.textContent = report.ref;
      line.appendChild(link);
      line.appendChild(document.createTextNode(" " + report.category));
      list.appendChild(line);
    });
    L.circleMarker([place.lat, place.lon], { radius: 6 + Math.min(place.reports.length, 10) })
      .addTo(map).bindPopup(list);
    bounds.push([place.lat, place.lon]);
  });
  if (bounds.length) { map.fitBounds(bounds, { maxZoom: 9, padding: [20, 20] }); }
})();
