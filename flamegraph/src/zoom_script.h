// The flame graph's inline script: a click on a frame widens it, its
// callers and its callees to the full width and hides the rest; a click on
// the bottom frame ("all") shows everything again. Frames carry their span
// in samples (data-x, data-w); names fitted to the new widths as the
// renderer fits them (about 7 pixels a character at font size 12).
#pragma once

namespace flamegraph {

constexpr const char* kZoomScript = R"JS(
function fit(name, w) {
  var n = Math.floor((w - 6) / 7);
  if (n < 3) return '';
  return name.length <= n ? name : name.substring(0, n - 2) + '..';
}
function zoom(g) {
  var x = +g.getAttribute('data-x'), w = +g.getAttribute('data-w');
  var all = document.querySelectorAll('g.f');
  for (var i = 0; i < all.length; i++) {
    var f = all[i], fx = +f.getAttribute('data-x'), fw = +f.getAttribute('data-w');
    var a = Math.max(fx, x), b = Math.min(fx + fw, x + w);
    if (b <= a) { f.style.display = 'none'; continue; }
    f.style.display = '';
    var r = f.querySelector('rect'), t = f.querySelector('text');
    var px = PAD + (a - x) * PLOT / w, pw = (b - a) * PLOT / w;
    r.setAttribute('x', px.toFixed(2));
    r.setAttribute('width', pw.toFixed(2));
    t.setAttribute('x', (px + 3).toFixed(2));
    var title = f.querySelector('title').textContent;
    t.textContent = fit(title.substring(0, title.lastIndexOf(' (')), pw);
  }
}
document.addEventListener('click', function (e) {
  var g = e.target.closest ? e.target.closest('g.f') : null;
  if (g) zoom(g);
});
)JS";

}  // namespace flamegraph
