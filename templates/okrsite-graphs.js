/* okrsite: big alignment graphs stay readable.
 *
 * A graph wider than the column would be shrunk until its text is a few
 * pixels high. Such a graph instead keeps a readable scale (1 pt of the
 * drawing = READABLE px on screen) inside a frame the reader pans (drag)
 * and zooms (buttons, double-click), with svg-pan-zoom (vendored, BSD-2,
 * see svg-pan-zoom.LICENSE.txt). Node links stay focusable: a focused node
 * is panned into view. "Open full size" opens the standalone drawing.
 *
 * Material's instant navigation swaps page content without a reload, so
 * this runs on its document$ observable when present, else on load.
 */
(function () {
  "use strict";
  var READABLE = 1.25; // screen px per pt: 10 pt labels at 12.5 px
  var MIN_SCALE = 0.8; // below this, labels would drop under ~10 px: pan/zoom

  function widthPt(svg) {
    var box = svg.viewBox && svg.viewBox.baseVal;
    return box && box.width ? box.width : 0;
  }

  function button(label, text, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "okr-graph__button";
    b.setAttribute("aria-label", label);
    b.title = label;
    b.textContent = text;
    b.addEventListener("click", action);
    return b;
  }

  function toolbar(block, pz, fullUrl) {
    var bar = document.createElement("div");
    bar.className = "okr-graph__toolbar";
    bar.appendChild(button("Zoom in", "+", function () { pz.zoomIn(); }));
    bar.appendChild(button("Zoom out", "\u2212", function () { pz.zoomOut(); }));
    bar.appendChild(button("Fit: show the whole graph", "Fit", function () { pz.fit(); pz.center(); }));
    bar.appendChild(button("1:1, readable size", "1:1", function () { readable(pz); }));
    if (fullUrl) {
      var a = document.createElement("a");
      a.className = "okr-graph__full";
      a.href = fullUrl;
      a.textContent = "Open full size";
      bar.appendChild(a);
    }
    block.insertBefore(bar, block.firstChild);
  }

  function readable(pz) {
    var sizes = pz.getSizes();
    pz.zoom(pz.getZoom() * READABLE / sizes.realZoom);
    // Start at the top, horizontally centred: alignment trees put the
    // company at the top middle, so the top-left corner is often empty.
    sizes = pz.getSizes();
    var drawn = sizes.viewBox.width * sizes.realZoom;
    pz.pan({ x: (sizes.width - drawn) / 2, y: 0 });
  }

  function keepFocusedInView(svg, pz) {
    svg.addEventListener("focusin", function (event) {
      var target = event.target;
      if (!target || !target.getBoundingClientRect) return;
      var frame = svg.getBoundingClientRect();
      var box = target.getBoundingClientRect();
      var dx = 0, dy = 0, pad = 16;
      if (box.left < frame.left) dx = frame.left - box.left + pad;
      else if (box.right > frame.right) dx = frame.right - box.right - pad;
      if (box.top < frame.top) dy = frame.top - box.top + pad;
      else if (box.bottom > frame.bottom) dy = frame.bottom - box.bottom - pad;
      if (dx || dy) pz.panBy({ x: dx, y: dy });
    });
  }

  function enhance(block, svg, fullUrl, frame) {
    var column = block.clientWidth;
    var natural = widthPt(svg) * (96 / 72);
    if (!natural || column / natural >= MIN_SCALE || typeof svgPanZoom !== "function") return;
    var heightPt = svg.viewBox.baseVal.height;
    var tall = Math.min(window.innerHeight * 0.75, heightPt * READABLE + 16);
    frame.style.width = "100%";
    frame.style.maxWidth = "none";
    frame.style.height = Math.max(240, tall) + "px";
    if (frame !== svg) { svg.style.width = "100%"; svg.style.height = "100%"; }
    else { svg.style.maxWidth = "none"; }
    var pz = svgPanZoom(svg, {
      zoomEnabled: true,
      mouseWheelZoomEnabled: false, // the wheel keeps scrolling the page
      dblClickZoomEnabled: true,
      controlIconsEnabled: false,
      zoomScaleSensitivity: 0.25, // a click on a button is a visible step
      fit: false,
      center: false,
      minZoom: 0.1,
      maxZoom: 20,
    });
    block.classList.add("okr-graph--pannable");
    readable(pz);
    toolbar(block, pz, fullUrl);
    keepFocusedInView(svg, pz);
  }

  function init(root) {
    var blocks = (root || document).querySelectorAll(".okr-graph");
    Array.prototype.forEach.call(blocks, function (block) {
      if (block.dataset.okrPanzoom) return;
      block.dataset.okrPanzoom = "1";
      var svg = block.querySelector("svg.okrsite-graph");
      if (svg) {
        enhance(block, svg, block.getAttribute("data-full") || "", svg);
        return;
      }
      var object = block.querySelector("object.okr-graph__file");
      if (!object) return;
      var start = function () {
        var doc = object.contentDocument;
        var inner = doc && doc.documentElement;
        if (inner && inner.localName === "svg") {
          enhance(block, inner, object.getAttribute("data"), object);
        }
      };
      if (object.contentDocument && object.contentDocument.documentElement &&
          object.contentDocument.documentElement.localName === "svg") start();
      else object.addEventListener("load", start);
    });
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(function () { init(document); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
