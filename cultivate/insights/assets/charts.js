// Draws each dashboard chart from the Vega-Lite spec in the page (a JSON script element named by the figure's
// data-chart). Expressions run through vega-interpreter, so the content security policy needs no unsafe-eval.
// The table beside each chart holds the same figures, so a chart that cannot be drawn says so and nothing is lost.
// `make install` bundles this file with the npm packages it imports into one minified script (esbuild), served as
// insights/build/charts.js: one request instead of one per ES module (ADR 00XX asset pipeline).
import vegaEmbed from "vega-embed";
import { expressionInterpreter } from "vega-interpreter";

const options = {
  ast: true,
  expr: expressionInterpreter,
  actions: false,
  renderer: "svg",
  defaultStyle: false,
  tooltip: false,
};

for (const figure of document.querySelectorAll("[data-chart]")) {
  const source = document.getElementById(figure.dataset.chart);
  const target = figure.querySelector(".app-chart__canvas");
  if (!source || !target) continue;
  vegaEmbed(target, JSON.parse(source.textContent), options)
    .then(() => figure.classList.add("app-chart--drawn"))
    .catch(() => {
      target.textContent = "The chart could not be drawn. The table below has the same figures.";
    });
}
