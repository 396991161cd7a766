// Draw every Plotly figure whose JSON sits in a <script type="application/json"> block.
// <div data-chart="id-of-the-json-block"></div>; no inline script (Content Security Policy).
// A figure's "locale" ({name, format}, built by reporting/charts.py from Django's
// translations) is registered as a Plotly locale module, so month names and number
// separators follow the page language.
(function () {
  function configFor(figure) {
    var config = { responsive: true, displayModeBar: false };
    if (figure.locale && figure.locale.name) {
      Plotly.register({
        moduleType: "locale",
        name: figure.locale.name,
        dictionary: {},
        format: figure.locale.format,
      });
      config.locale = figure.locale.name;
    }
    return config;
  }

  function draw(root) {
    if (typeof Plotly === "undefined") {
      return;
    }
    root.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.dataset.chart);
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      Plotly.newPlot(element, figure.data, figure.layout, configFor(figure));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
  });
})();
