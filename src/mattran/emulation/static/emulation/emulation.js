// mattran emulation pages: behaviours as event listeners (the Content-Security-Policy
// forbids inline scripts and handlers without a nonce).
(function () {
  "use strict";

  // <form data-confirm="…"> (or a submit button with data-confirm) asks before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var text = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) {
      event.preventDefault();
    }
  });

  // Progress charts: one Chart.js bar chart per criterion, from <script id="progress-charts">.
  function drawCharts() {
    var source = document.getElementById("progress-charts");
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var charts = JSON.parse(source.textContent);
    var fmt = new Intl.NumberFormat("vi-VN");
    charts.forEach(function (c) {
      var el = document.getElementById(c.id);
      if (!el) {
        return;
      }
      new window.Chart(el, {
        data: {
          labels: c.labels,
          datasets: [
            {
              type: "bar",
              label: c.valueLabel,
              data: c.values,
              backgroundColor: c.met.map(function (m) {
                return m ? "rgba(25,135,84,.75)" : "rgba(255,193,7,.8)";
              }),
            },
            {
              type: "line",
              label: c.targetLabel,
              data: c.targets,
              borderColor: "#b3261e",
              backgroundColor: "#b3261e",
              pointStyle: "line",
              pointRadius: 8,
              showLine: false,
            },
          ],
        },
        options: {
          maintainAspectRatio: false,
          animation: false,
          scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return fmt.format(v); } } } },
          plugins: {
            tooltip: {
              callbacks: {
                label: function (ctx) { return ctx.dataset.label + ": " + fmt.format(ctx.parsed.y); },
              },
            },
          },
        },
      });
    });
  }
  document.addEventListener("DOMContentLoaded", drawCharts);
})();
