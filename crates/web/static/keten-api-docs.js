// keten: the OpenAPI document in a readable viewer (swagger-ui-dist from npm, see package.json). Without it, or
// without JavaScript, the page's own list of operations and the link to /api/openapi.json remain.
(function () {
  "use strict";
  var el = document.getElementById("api-viewer");
  if (!el || !window.SwaggerUIBundle) { return; }
  el.hidden = false;
  window.SwaggerUIBundle({
    url: el.getAttribute("data-url"),
    domNode: el,
    // Reading only: no "Try it out" from a public page, and no badge from an outside validator.
    supportedSubmitMethods: [],
    validatorUrl: null,
    deepLinking: false,
    defaultModelsExpandDepth: -1
  });
})();
