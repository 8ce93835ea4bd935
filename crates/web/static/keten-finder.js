// After a search the answer (results, or what to fix) comes before the form, and the form's address ends in
// #resultaten, so without JavaScript the browser already shows it first. This moves keyboard and screen-reader
// focus to its heading too, so that it is read first and Tab goes on from there. Only after a search by the
// resident: an embed that opens with a list must not pull the focus away from the page around it.
(function () {
  "use strict";
  if (!/[?&]plaats=/.test(window.location.search)) { return; }
  var heading = document.getElementById("resultaten-kop");
  if (!heading) { return; }
  // After the browser has scrolled to #resultaten (which happens at load and would leave focus on the body).
  window.addEventListener("load", function () {
    window.setTimeout(function () { heading.focus(); }, 0);
  });
})();
