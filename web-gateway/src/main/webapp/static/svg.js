// Makes SVG elements for the status page's map and charts; text goes in through textContent only.
(function () {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";

  function el(name, attributes, parent) {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  }

  window.RoamstoreSvg = { el: el };
})();
