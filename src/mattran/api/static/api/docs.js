// Starts Swagger UI (served from the drf-spectacular-sidecar package) on the API schema.
// A static file, so the page needs no inline script under the Content-Security-Policy.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: node.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    deepLinking: true,
    persistAuthorization: false,
    validatorUrl: null, // never call the public validator service
  });
})();
