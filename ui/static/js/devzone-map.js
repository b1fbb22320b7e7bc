/* The planner's map helpers (first-party, served from /app/static/js/devzone-map.js).
 *
 * window.devzone.style(spec, props) and window.devzone.tip(spec, props) style and label
 * every GeoJSON layer from one table per layer (see ui/map/elements.py), so a page's size
 * grows with the number of features, not with features × styles. Loaded once per map
 * frame, after Leaflet and its plugins (inside the bundle when it exists).
 *
 * window.devzone.panes(map) makes two panes under Leaflet's overlay pane: images (hillshade,
 * coverage) at the bottom, the context layers above them; the parcels and drawings stay in
 * the overlay pane, on top, whenever the context layers arrive.
 * window.devzone.load(map, layer, url, name) fills a layer from a GeoJSON file the server
 * publishes (ui/map_files.py): the files are fetched at once, in parallel, and added in the
 * order the layers were made, after the parcels have painted, one task each. A file that
 * cannot be loaded is named in a notice on the map.
 */
(function () {
  if (!document.getElementById('devzone-css')) {
    var css = document.createElement('style');
    css.id = 'devzone-css';
    // a compact layer control (12 px labels: larger ones hid a third of a narrow map);
    // the map fills its frame, so a page can size the frame (e.g. to the window's height)
    css.textContent = '.leaflet-control-layers-expanded{padding:4px 8px 4px 6px;font-size:12px;'
      + 'line-height:1.35}.leaflet-control-layers label{margin:0;font-size:12px}'
      + '.leaflet-control-layers-selector{margin:0 3px 0 0;vertical-align:-2px}'
      + '.leaflet-control-layers-separator{margin:3px -8px 3px -6px}'
      + '#map_div{height:100vh !important}';
    document.head.appendChild(css);
  }
  if (window.devzone) { return; }

  function esc(v) {
    return String(v).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }

  function failed(map, name) {
    if (!map._devzoneFailed) {
      var box = L.control({position: 'bottomleft'});
      box.onAdd = function () {
        var div = L.DomUtil.create('div', 'devzone-failed');
        div.style.cssText = 'background:#fff;color:#b10026;padding:3px 6px;font-size:12px;'
          + 'border:1px solid #b10026;border-radius:3px';
        return div;
      };
      box.addTo(map);
      map._devzoneFailed = box;
      map._devzoneFailedNames = [];
    }
    map._devzoneFailedNames.push(name);
    map._devzoneFailed.getContainer().textContent =
      (window.devzone.failedText || 'Not loaded: ') + map._devzoneFailedNames.join(', ');
  }

  function nextTask() {
    return new Promise(function (resolve) { setTimeout(resolve, 0); });
  }

  function afterPaint() {
    return new Promise(function (resolve) {
      requestAnimationFrame(function () { setTimeout(resolve, 0); });
    });
  }

  window.devzone = {
    esc: esc,
    panes: function (map) {
      var z = {devzoneImages: 350, devzoneLayers: 390};  // tiles 200, overlay pane 400
      for (var name in z) {
        if (!map.getPane(name)) { map.createPane(name).style.zIndex = z[name]; }
      }
    },
    load: function (map, layer, url, name) {
      var data = fetch(url, {credentials: 'same-origin'}).then(function (r) {
        if (!r.ok) { throw new Error(url + ': HTTP ' + r.status); }
        return r.json();
      });
      // the parcels are drawn by the same script, after the layers are made: they paint
      // first, then each layer is added in a task of its own (a page stays responsive)
      window.devzone.pending += 1;
      map._devzoneQueue = (map._devzoneQueue || afterPaint()).then(function () {
        return data.then(function (d) { layer.addData(d); }, function (e) {
          console.error('devzone: layer ' + name + ' not loaded', e);
          failed(map, name);
        });
      }).then(function () {
        window.devzone.pending -= 1;
        if (!window.devzone.pending) { window.devzone.loadedAt = performance.now(); }
        return nextTask();
      });
      return map._devzoneQueue;
    },
    pending: 0,      // layer files not yet drawn
    loadedAt: null,  // when the last one was (performance.now(); for bench/first_paint.py)
    style: function (spec, p) {
      var s = Object.assign({}, spec.base);
      if (spec.by) {
        var c = spec.colors[p[spec.by]];
        if (c === undefined) { c = spec.other; }
        for (var i = 0; c && i < spec.paint.length; i++) { s[spec.paint[i]] = c; }
      }
      if (spec.color_prop && p[spec.color_prop]) {
        s.fillColor = p[spec.color_prop];
      }
      if (spec.dash_by) {
        var d = spec.dashes[p[spec.dash_by]];
        if (d) { s.dashArray = d; }
      }
      return s;
    },
    tip: function (spec, p) {
      var rows = [];
      for (var i = 0; i < spec.f.length; i++) {
        var k = spec.f[i][0], label = spec.f[i][1], group = spec.f[i][2];
        var v = p[k];
        if (v === null || v === undefined || v === '') { continue; }
        if (group && spec.v[group] && spec.v[group][v] !== undefined) { v = spec.v[group][v]; }
        rows.push(label ? '<b>' + esc(label) + '</b> ' + esc(v) : esc(v));
      }
      return rows.join('<br>');
    }
  };
}());
