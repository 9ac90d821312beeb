// Starts Swagger UI on /docs. A file of its own, not an inline script, so the page's
// Content-Security-Policy can allow scripts from this origin only.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    // The default validator is a third party's service: nothing leaves this origin.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    persistAuthorization: false,
  });
});
