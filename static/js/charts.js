// Draw every Plotly figure whose JSON sits in a <script type="application/json"> block.
// <div data-chart="id-of-the-json-block"></div>; no inline script (Content Security Policy).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source || typeof Plotly === "undefined") {
      return;
    }
    var figure = JSON.parse(source.textContent);
    Plotly.newPlot(element, figure.data, figure.layout, { responsive: true, displayModeBar: false });
  });
});
