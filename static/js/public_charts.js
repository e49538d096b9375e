/* Charts of the public result pages, drawn with the vendored Chartist from a json_script
   data island: <div class="pub-chart" data-source="island-id" data-chart="key"
   data-type="bar|hbar|line" [data-max="5"] [data-integer="true"]>. Each key of the island holds
   {labels: [...], values: ["4.05", null, ...]} (strings as published, shown as written). The
   same figures are in a table next to each chart, so a chart that fails to draw loses nothing. */
(function () {
  "use strict";

  var lang = document.documentElement.lang || "id";

  function number(value) {
    return value === null || value === undefined ? null : Number(value);
  }

  // "4.05" → "4,05" in Bahasa Indonesia; counts stay whole numbers.
  function localized(value, decimals) {
    return Number(value).toLocaleString(lang, {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    });
  }

  function options(el, labels) {
    var type = el.dataset.type;
    var opts = {
      low: 0,
      chartPadding: { top: 20, right: 28, bottom: 4, left: 4 },
      axisX: { showGrid: type === "hbar" },
      axisY: { showGrid: type !== "hbar" },
    };
    if (el.dataset.max) opts.high = Number(el.dataset.max);
    var values = type === "hbar" ? opts.axisX : opts.axisY;
    values.onlyInteger = el.dataset.integer === "true";
    values.labelInterpolationFnc = function (value) {
      return localized(value, values.onlyInteger ? 0 : 1);
    };
    if (type === "hbar") {
      opts.horizontalBars = true;
      opts.reverseData = true; // the first label on top, as in the table
      opts.axisY.offset = 76;
      opts.height = labels.length * 36 + 40 + "px";
    } else {
      opts.height = "240px";
      opts.axisY.offset = 32;
    }
    if (type === "line") {
      opts.fullWidth = true;
      opts.showArea = false;
      // The last point sits on the right edge and its year label starts there: leave it room.
      opts.chartPadding.right = 44;
    }
    return opts;
  }

  // Phones: a narrower value axis so the bars keep most of the 375 px.
  var responsive = [["screen and (max-width: 600px)", { axisY: { offset: 28 } }]];

  function valueLabels(chart, el, texts) {
    var horizontal = el.dataset.type === "hbar";
    var count = texts.length;
    chart.on("draw", function (data) {
      if (data.type !== "bar" && data.type !== "point") return;
      // reverseData flips the order the bars are drawn in; the texts follow it.
      var index = horizontal ? count - 1 - data.index : data.index;
      var text = texts[index];
      if (text === null || text === undefined) return;
      var attrs = horizontal
        ? { x: data.x2 + 4, y: data.y2 + 4 }
        : { x: data.type === "bar" ? data.x2 : data.x, y: (data.type === "bar" ? data.y2 : data.y) - 8 };
      var align = horizontal ? "" : " pub-value-mid";
      // The line's end points: keep their labels clear of the axis and inside the chart.
      if (data.type === "point" && index === 0) align = "";
      if (data.type === "point" && index === count - 1 && count > 1) align = " pub-value-end";
      var label = data.group.elem("text", attrs, "pub-value" + align);
      label.text(localized(text, String(text).indexOf(".") === -1 ? 0 : 2));
    });
  }

  function draw(el) {
    var island = document.getElementById(el.dataset.source);
    if (!island || !window.Chartist) return;
    var spec = JSON.parse(island.textContent)[el.dataset.chart];
    if (!spec) return;
    var data = { labels: spec.labels, series: [spec.values.map(number)] };
    var type = el.dataset.type;
    var opts = options(el, spec.labels);
    var chart =
      type === "line"
        ? new Chartist.LineChart(el, data, opts, responsive)
        : new Chartist.BarChart(el, data, opts, type === "hbar" ? [] : responsive);
    valueLabels(chart, el, spec.values);
    el.classList.add("pub-chart-drawn");
  }

  function drawAll() {
    document.querySelectorAll(".pub-chart[data-chart]").forEach(draw);
  }

  // The Content Security Policy refuses style attributes, and Chartist writes a few (the
  // SVG's size, its labels' overflow). Setting the same declarations through the element's
  // style object is allowed: Chartist's attr() is wrapped to do that.
  function styleThroughCssom(Svg) {
    var attr = Svg.prototype.attr;
    Svg.prototype.attr = function (attributes, ns) {
      if (!attributes || typeof attributes !== "object" || attributes.style === undefined) {
        return attr.apply(this, arguments);
      }
      var rest = Object.assign({}, attributes);
      delete rest.style;
      this._node.style.cssText += String(attributes.style);
      return attr.call(this, rest, ns);
    };
  }
  if (window.Chartist) styleThroughCssom(window.Chartist.Svg);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
