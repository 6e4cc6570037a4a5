// The NewsLens chart component (dashboard/plotly_component.py): draws a plotly figure with the trimmed bundle,
// sends point selections back, and preloads the bundle. dashboard/plotly_component.py prepends the constants
// PLOT_CLASS (CSS class of each chart's div), PENDING_CLASS (also on it while it waits out of view) and
// DEFAULT_HEIGHT (px, when the figure sets none), and the script dashboard/static/date_keys.js (installDateKeys),
// which the preload element runs.

// A <script src> run; resolves to window.Plotly once it has run.
function runScript(src, fetchPriority) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.fetchPriority = fetchPriority;
    script.onload = () => resolve(window.Plotly);
    script.onerror = () => reject(new Error("could not load " + src));
    document.head.appendChild(script);
  });
}

// One bundle per page, shared by every chart: window.__newslensPlotly, a promise of window.Plotly.
function loadPlotly(url) {
  if (!window.__newslensPlotly) {
    // the page's first visit also lazy-loads dozens of Streamlit widget chunks over HTTP/1.1's 6 connections:
    // ask for this one first
    window.__newslensPlotly = runScript(url, "high").catch((error) => {
      window.__newslensPlotly = null;  // let the next render try again
      throw error;
    });
  }
  return window.__newslensPlotly;
}

// The bundle sent with the session's first run (preload()): gzip bytes in the element's data, so the first visit
// does not wait for an HTTP connection; falls back to the URL if anything goes wrong.
function plotlyFromBytes(gzipped, url) {
  if (!window.__newslensPlotly) {
    window.__newslensPlotly = (async () => {
      const stream = new Blob([gzipped]).stream().pipeThrough(new DecompressionStream("gzip"));
      const code = await new Response(stream).blob();
      return await runScript(URL.createObjectURL(new Blob([code], { type: "text/javascript" })), "auto");
    })().catch(() => {
      window.__newslensPlotly = null;
      return loadPlotly(url);
    });
  }
  return window.__newslensPlotly;
}

// `fn` in an idle period (at the latest after `timeoutMs`, when given), or after `fallbackMs` in a browser without
// requestIdleCallback.
function whenIdle(fn, timeoutMs, fallbackMs) {
  if (!window.requestIdleCallback) return setTimeout(fn, fallbackMs);
  return timeoutMs ? requestIdleCallback(fn, { timeout: timeoutMs }) : requestIdleCallback(fn);
}

// The other pages' widget code (Streamlit's lazily loaded chunks: the table, the select box...), fetched once per
// tab when the page it opened on is drawn and nothing runs, so a first switch to those pages does not wait for
// it. A <link rel="modulepreload"> fetches and compiles a module without running it; its URL is relative to the
// app's root, as Streamlit's own index.html writes them.
function prefetchWhenIdle(chunks) {
  if (window.__newslensPrefetched || !chunks.length) return;
  window.__newslensPrefetched = true;
  const later = (fn) => whenIdle(fn, 5000, 2000);
  const step = () => {
    if (appRunning() || [...waitingCharts()].some(stillWaiting)) {
      setTimeout(() => later(step), 500);
      return;
    }
    const base = new URL(".", document.baseURI);
    for (const chunk of chunks) {
      const link = document.createElement("link");
      if (chunk.endsWith(".css")) {
        link.rel = "preload";  // fetched into the cache, applied only when the page that needs it adds it
        link.as = "style";
      } else {
        link.rel = "modulepreload";
      }
      link.crossOrigin = "anonymous";
      link.href = new URL(chunk, base).href;
      document.head.appendChild(link);
    }
  };
  setTimeout(() => later(step), 1000);
}

// Once the page is idle, put the bundle in the HTTP cache and say so in a cookie: the next session is then sent
// only the URL (preload() reads the cookie), and loads it from the cache.
function rememberBundle(head) {
  whenIdle(() => fetch(head.preload, { priority: "low" }).then((response) => {
    if (response.ok) {
      document.cookie = `${head.cookie}=${head.version}; path=/; max-age=31536000; SameSite=Lax`;
    }
  }).catch(() => {}), 0, 2000);
}

function selectedPoints(event) {
  return ((event && event.points) || []).map((p) => ({
    curve_number: p.curveNumber,
    point_index: p.pointIndex,
    x: p.x, y: p.y, z: p.z, location: p.location,
    customdata: p.customdata === undefined ? null : p.customdata,
  }));
}

// Drawn charts kept for reuse, most recently used last: a page switch back, or a filter undone, sends a figure
// this tab has already drawn. Moving its drawn div back costs nothing; drawing it again costs 20-400 ms of main
// thread per chart (the Topics page's article map: ~300 ms). Keyed by the whole payload (figure, config,
// selectable); a div in the page is never taken from where it is shown, and a div that holds a selection is not
// kept (Python would see no selection on the new element while the chart showed one). The budget is in DOM
// elements (what a kept chart costs: the article map ~2,400, a bar chart ~250), so a tab keeps the charts of
// several pages and filters: the last filter's charts on every page (about 25 charts in all) and more.
const KEEP_ELEMENTS = 40000;

function drawnCharts() {
  if (!window.__newslensDrawn) window.__newslensDrawn = new Map();
  return window.__newslensDrawn;
}

// Note `plot` (drawn, or shown again) as the most recently used; the least recently used charts beyond the
// budget are let go (purged unless they are on the page).
function keepDrawn(plot) {
  const kept = drawnCharts();
  kept.delete(plot.newslensPayload);
  if (!plot.newslensDrawn || plot.newslensSelected) return;
  kept.set(plot.newslensPayload, plot);
  let elements = 0;
  for (const div of kept.values()) elements += div.newslensElements;
  for (const [text, old] of kept) {
    if (elements <= KEEP_ELEMENTS || old === plot) break;
    kept.delete(text);
    elements -= old.newslensElements;
    if (!old.isConnected && window.Plotly) window.Plotly.purge(old);
  }
}

// A drawn chart of `text` that is not on the page (left by a page switch or a filter change), or null.
function takeDrawn(text) {
  const plot = drawnCharts().get(text);
  return plot && !plot.isConnected ? plot : null;
}

function newPlotDiv(height) {
  const plot = document.createElement("div");
  plot.className = PLOT_CLASS;
  plot.style.width = "100%";
  plot.style.height = height + "px";  // reserve the space before plotly.js has drawn
  return plot;
}

// Show `plot` in `parentElement`, in place of the chart shown there (kept for reuse).
function show(parentElement, plot) {
  const current = parentElement.querySelector("." + PLOT_CLASS);
  if (current === plot) return;
  if (current) {
    current.replaceWith(plot);
  } else {
    parentElement.appendChild(plot);
  }
}

function wire(plot, Plotly) {
  plot.on("plotly_selected", (event) => {
    if (event === undefined) return;  // plotly.js sends undefined while a drag starts
    plot.newslensSelected = selectedPoints(event).length > 0;
    if (plot.newslensSelected) drawnCharts().delete(plot.newslensPayload);
    plot.newslensSend("selection", { revision: plot.newslensRevision, points: selectedPoints(event) });
  });
  plot.on("plotly_deselect", () => {
    plot.newslensSelected = false;
    keepDrawn(plot);
    plot.newslensSend("selection", { revision: plot.newslensRevision, points: [] });
  });
  // redraw when the container's width changes (sidebar toggled, window resized, a kept chart shown again at
  // another width); the observer's first call, right after the draw, is skipped: the chart was drawn at that width
  new ResizeObserver(() => {
    const width = plot.offsetWidth;
    if (width > 0 && width !== plot.newslensWidth) {
      plot.newslensWidth = width;
      Plotly.Plots.resize(plot);
    }
  }).observe(plot);
}

// Charts out of view wait. A page's first visit or a new filter draws the charts in view first: what the user
// waits on. The others are drawn one at a time once the app is idle, or when scrolled into view, whichever is
// first (Grafana lazy-loads its panels the same way). Drawing costs 40-500 ms of main thread per chart; the Topics
// page's two lower charts were ~450 ms of its ~1 s. A waiting chart's div (PENDING_CLASS, its height reserved)
// replaces the chart shown there at once, so a chart of the previous filter is never on screen under the new one.
// A margin around the view (say 200 px) would draw the Topics page's third chart, which starts ~180 px below it.
const NEAR_VIEW_PX = 0;

// The element whose scrolling moves `element` (Streamlit scrolls its main area, not the document), or null.
function scrollRoot(element) {
  for (let node = element.parentElement; node && node !== document.body; node = node.parentElement) {
    const overflow = getComputedStyle(node).overflowY;
    if (overflow === "auto" || overflow === "scroll") return node;
  }
  return null;
}

function nearObserver(root) {
  const observers = window.__newslensNear || (window.__newslensNear = new Map());
  let observer = observers.get(root);
  if (!observer) {
    observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) {
          drawNext(entry.target);
        } else {
          holdNext(entry.target);
        }
      }
    }, { root, rootMargin: `${NEAR_VIEW_PX}px 0px` });
    observers.set(root, observer);
  }
  return observer;
}

function waitingCharts() {
  if (!window.__newslensWaiting) window.__newslensWaiting = new Set();
  return window.__newslensWaiting;
}

// Whether `element` is in the view of `root` (the scrolling element, or null: the window) now.
function inView(element, root) {
  const box = element.getBoundingClientRect();
  const view = root ? root.getBoundingClientRect() : { top: 0, bottom: window.innerHeight };
  return box.height > 0 && box.bottom > view.top - NEAR_VIEW_PX && box.top < view.bottom + NEAR_VIEW_PX;
}

// Draw `next` in `parentElement` now if it is in view, else once it comes into view or the app is idle. In view
// is decided here, at once (waiting for the observer's first report, at the next frame, delayed the first
// charts by the rest of the page's rendering: ~200-300 ms on Topics); the observer then watches the others.
function drawWhenNear(parentElement, next) {
  const root = scrollRoot(parentElement);
  parentElement.newslensNext = next;
  next.observer = nearObserver(root);
  next.observer.unobserve(parentElement);
  if (inView(parentElement, root)) {
    drawNext(parentElement);
    return;
  }
  holdNext(parentElement);
  next.observer.observe(parentElement);  // its first report says where the element is once laid out
}

function drawNext(parentElement) {
  const next = parentElement.newslensNext;
  if (!next) return;
  parentElement.newslensNext = null;
  next.observer.unobserve(parentElement);
  waitingCharts().delete(parentElement);
  const { plot, figure, layout, config, Plotly } = next;
  try {
    show(parentElement, plot);  // the chart shown until now stays on screen until this one is drawn (same task)
    plot.classList.remove(PENDING_CLASS);
    Plotly.newPlot(plot, figure.data || [], layout, config).catch((error) => failed(parentElement, plot, error));
    plot.newslensDrawn = true;
    plot.newslensElements = plot.getElementsByTagName("*").length;
    plot.newslensWidth = plot.offsetWidth;
    wire(plot, Plotly);
    keepDrawn(plot);
  } catch (error) {
    failed(parentElement, plot, error);
  }
}

function holdNext(parentElement) {
  const next = parentElement.newslensNext;
  if (!next) return;
  next.plot.classList.add(PENDING_CLASS);
  show(parentElement, next.plot);
  waitingCharts().add(parentElement);
  drainWhenIdle();
}

// A chart noted as waiting that is still to be drawn: on the page, its figure not drawn yet.
function stillWaiting(parent) {
  return parent.isConnected && !!parent.newslensNext;
}

function appRunning() {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute("data-test-script-state") === "running";
}

// Draw the waiting charts one per idle period, top first, once the script run is over (a chart still to come
// from the server, in view, goes first).
function drainWhenIdle() {
  if (window.__newslensDraining) return;
  window.__newslensDraining = true;
  const later = (fn) => whenIdle(fn, 1000, 50);
  const step = () => {
    const waiting = [...waitingCharts()].filter((parent) => {
      const keep = stillWaiting(parent);
      if (!keep) waitingCharts().delete(parent);
      return keep;
    });
    if (!waiting.length) {
      window.__newslensDraining = false;
      return;
    }
    // a chart of the page being left (Streamlit shows it stale until the new page replaces it) is not drawn
    const current = waiting.filter((parent) => !parent.closest('[data-stale="true"]'));
    if (appRunning() || !current.length) {
      setTimeout(() => later(step), 100);
      return;
    }
    current.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
    drawNext(current[0]);
    later(step);
  };
  later(step);
}

function failed(parentElement, plot, error) {
  plot.newslensDrawn = false;
  plot.classList.remove(PENDING_CLASS);
  show(parentElement, plot);
  plot.textContent = "This chart could not be drawn: " + error.message + ". Reload the page to try again.";
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  if (!data) return;
  if (typeof data !== "string" && data[0] === 0x7b && data[2] === 0x70) {  // '{"p': preload()'s element
    const split = data.indexOf(0x0a);  // JSON header, newline, optional gzipped bundle
    const head = JSON.parse(new TextDecoder().decode(split < 0 ? data : data.subarray(0, split)));
    installDateKeys();  // once per tab
    if (!head.preload) {
      return;  // static serving off: charts go to st.plotly_chart, nothing to preload
    }
    if (split < 0) {
      loadPlotly(head.preload).catch(() => {});
    } else {
      plotlyFromBytes(data.subarray(split + 1), head.preload).then(() => rememberBundle(head));
    }
    prefetchWhenIdle(head.chunks || []);
    return;
  }
  const text = typeof data === "string" ? data : new TextDecoder().decode(data);
  parentElement.newslensWanted = text;
  const current = parentElement.querySelector("." + PLOT_CLASS);
  if (current && current.newslensPayload === text) {
    current.newslensSend = setStateValue;
    return;  // a rerun sent the same figure: keep the drawing and any selection on it
  }
  const kept = takeDrawn(text);
  if (kept) {
    kept.newslensSend = setStateValue;
    show(parentElement, kept);
    keepDrawn(kept);
    return;
  }
  const payload = JSON.parse(text);
  const figure = payload.figure;
  const layout = Object.assign({}, figure.layout || {});
  delete layout.width;  // the container decides the width
  layout.autosize = true;
  layout.height = layout.height || DEFAULT_HEIGHT;
  if (payload.selectable) {
    layout.clickmode = "event+select";
  }
  const plot = newPlotDiv(layout.height);
  plot.newslensPayload = text;
  plot.newslensRevision = payload.revision;
  plot.newslensSend = setStateValue;
  if (!current) {
    parentElement.appendChild(plot);  // the space is reserved while plotly.js loads
  }
  // On a page's first load the preload element (sent first, carrying the bundle) may run after the first charts:
  // wait up to 150 ms for it rather than fetch the bundle a second way.
  const plotlyReady = window.__newslensPlotly || new Promise((resolve) => {
    const since = performance.now();
    const check = () => (window.__newslensPlotly || performance.now() - since > 150
      ? resolve() : setTimeout(check, 10));
    check();
  }).then(() => loadPlotly(payload.bundle));
  plotlyReady.then((Plotly) => {
    if (parentElement.newslensWanted !== text) {
      return;  // a newer figure arrived while plotly.js loaded
    }
    drawWhenNear(parentElement, { plot, figure, layout, config: payload.config, Plotly });
  }).catch((error) => failed(parentElement, plot, error));
}
