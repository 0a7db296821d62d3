// mattran charts (Chart.js), drawn from data in <script type="application/json">
// elements. A static file, not an inline script: public pages are cached, and a
// cached page would carry an old CSP nonce that no longer matches the header.
(function () {
  "use strict";

  var fmt = new Intl.NumberFormat("vi-VN");

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // <canvas data-chart="fund-months" data-source="chart-data">: money in and out per month.
  function fundMonths(canvas) {
    var d = readJson(canvas.getAttribute("data-source"));
    if (!d) {
      return;
    }
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: d.labels,
        datasets: [
          { label: "Thu", data: d.in, backgroundColor: "#2e7d32" },
          { label: "Chi", data: d.out, backgroundColor: "#b3261e" },
        ],
      },
      options: {
        maintainAspectRatio: false,
        scales: { y: { ticks: { callback: function (v) { return fmt.format(v); } } } },
        plugins: {
          tooltip: {
            callbacks: {
              label: function (c) {
                return c.dataset.label + ": " + fmt.format(c.raw) + "\u00a0đ";
              },
            },
          },
        },
      },
    });
  }

  // <canvas data-chart="units" data-source="chart-data">: one indicator at a
  // time across the child units, sorted largest first, horizontal bars with
  // every unit's name. The indicator is chosen in <select data-chart-indicator>.
  function units(canvas) {
    var d = readJson(canvas.getAttribute("data-source"));
    if (!d || !d.datasets.length) {
      return;
    }
    var box = canvas.parentElement;
    var select = document.querySelector("select[data-chart-indicator]");
    var chart = null;

    function draw(index) {
      var ds = d.datasets[index];
      var rows = d.labels.map(function (label, i) {
        return { label: label, value: ds.data[i] };
      });
      rows.sort(function (a, b) {
        if (a.value === null) return b.value === null ? a.label.localeCompare(b.label, "vi") : 1;
        if (b.value === null) return -1;
        return b.value - a.value || a.label.localeCompare(b.label, "vi");
      });
      // One bar line per unit, whatever the number of units: no label is skipped.
      box.style.height = Math.max(160, rows.length * 26 + 60) + "px";
      var config = {
        type: "bar",
        data: {
          labels: rows.map(function (r) { return r.label; }),
          datasets: [{
            label: ds.label,
            data: rows.map(function (r) { return r.value; }),
            backgroundColor: "#1e5bb3",
          }],
        },
        options: {
          indexAxis: "y",
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          scales: {
            y: { ticks: { autoSkip: false } },
            x: { beginAtZero: true, ticks: { callback: function (v) { return fmt.format(v); } } },
          },
          plugins: {
            legend: { display: false },
            tooltip: {
              callbacks: {
                label: function (c) {
                  return c.raw === null ? "—" : fmt.format(c.raw);
                },
              },
            },
          },
        },
      };
      if (chart) {
        chart.destroy();
      }
      chart = new window.Chart(canvas, config);
      canvas.setAttribute("data-drawn-indicator", ds.label);
    }

    if (select) {
      select.addEventListener("change", function () {
        draw(parseInt(select.value, 10) || 0);
      });
    }
    draw(select ? parseInt(select.value, 10) || 0 : 0);
  }

  var kinds = { "fund-months": fundMonths, units: units };

  function start() {
    if (typeof window.Chart === "undefined") {
      return;
    }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var draw = kinds[canvas.getAttribute("data-chart")];
      if (draw) {
        draw(canvas);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
