// keten: progressive map. Runs only when Leaflet (from npm, see package.json)
// has loaded; without it, or without tiles, the list and the OpenStreetMap
// links on the page remain the way to find a place.
(function () {
  "use strict";
  if (!window.L) { return; }
  document.querySelectorAll(".keten-map[data-markers]").forEach(function (el) {
    var markers;
    try { markers = JSON.parse(el.getAttribute("data-markers")); } catch (e) { return; }
    if (!markers.length) { return; }
    el.hidden = false;
    var map = window.L.map(el, { scrollWheelZoom: false });
    window.L.tileLayer(el.getAttribute("data-tiles"), {
      maxZoom: 19,
      attribution: "&copy; OpenStreetMap"
    }).addTo(map);
    var bounds = [];
    markers.forEach(function (m) {
      var marker = window.L.marker([m.lat, m.lon], { title: m.name, alt: m.name }).addTo(map);
      if (m.url) {
        var link = document.createElement("a");
        link.href = m.url;
        link.textContent = m.name;
        marker.bindPopup(link);
      }
      bounds.push([m.lat, m.lon]);
    });
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
  });
})();
