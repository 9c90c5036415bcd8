// Staff map: everything from the platform itself, nothing from a third party.
// Basemap: the borders of Mali and its neighbours (static/map/, Natural Earth) drawn as
// GeoJSON, with the region and cercle seats of the gazetteer; tiles only if the deployment
// sets MAP_TILE_URL. Reports from the JSON embedded in the page (no inline script, so the
// Content-Security-Policy can forbid them), grouped at their cercle's seat.
(function () {
  "use strict";
  var element = document.getElementById("map");
  var data = document.getElementById("map-data");
  var seatsData = document.getElementById("map-seats");
  if (!element || !data || typeof L === "undefined") { return; }
  var places = JSON.parse(data.textContent);
  var seats = seatsData ? JSON.parse(seatsData.textContent) : [];
  // Mali's extent: the whole country in view first, whatever the reports.
  var MALI = [[10.1, -12.3], [25.0, 4.3]];
  var map = L.map(element, { zoomSnap: 0.25, fadeAnimation: false, zoomAnimation: false });
  map.fitBounds(MALI, { padding: [8, 8] });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Frontières : Natural Earth · Chefs-lieux : GeoNames");
  if (element.dataset.tiles) {
    L.tileLayer(element.dataset.tiles, { maxZoom: 12, attribution: "Tuiles : déploiement" }).addTo(map);
  }
  fetch(element.dataset.borders, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (borders) {
      var layer = L.geoJSON(borders, {
        style: function (feature) {
          return feature.properties.mali
            ? { color: "#17324d", weight: 2, fillColor: "#fdfbf3", fillOpacity: 1 }
            : { color: "#8a97a5", weight: 1, fillColor: "#e9edf1", fillOpacity: 1 };
        },
        interactive: false
      }).addTo(map);
      layer.bringToBack();
      element.dataset.bordersLoaded = "1";
    });

  seats.forEach(function (seat) {
    var region = seat.kind === "region";
    L.circleMarker([seat.lat, seat.lon], {
      radius: region ? 4 : 2.5, color: region ? "#17324d" : "#6b7a89", weight: 1,
      fillColor: region ? "#17324d" : "#ffffff", fillOpacity: 1, interactive: region
    }).addTo(map).bindTooltip(seat.name, { direction: "right", permanent: region, className: "seat-label" });
  });

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
    L.circleMarker([place.lat, place.lon], {
      radius: 6 + Math.min(place.reports.length, 10), color: "#a40000", weight: 2,
      fillColor: "#e0483e", fillOpacity: 0.75
    }).addTo(map).bindPopup(list);
  });
})();
