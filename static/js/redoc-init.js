// Starts ReDoc on the API reference page. A static file, because the page's
// Content-Security-Policy runs no inline script; the schema URL and ReDoc's options come from
// the container's data attributes (templates/drf_spectacular/redoc.html).
(() => {
  const container = document.getElementById("redoc-container");
  const options = JSON.parse(container.dataset.settings);
  Redoc.init(container.dataset.schemaUrl, options, container);
})();
