/* rouei review page: list, filters, keyboard navigation and span highlighting.
   The data is the JSON in #rouei-data and each notice's text is in #rouei-texts, all gzipped
   and base64-encoded; the browser's DecompressionStream inflates the data at load and a
   notice's text when it is first shown (every text at load on a small page).
   Notice text is only ever inserted as text nodes. */
"use strict";
(function () {
  let DATA = null, NOTICES = [], PACKED = [];
  const PREFETCH_BELOW = 2000000;  // packed text characters under which all texts inflate at load
  const pending = new Map();       // notice index -> promise of its text being inflated
  const FIELD_NAMES = { dates: "date", counts: "count", data_types: "data type", causes: "cause" };
  const SCORE_FIELDS = { dates: ["dates", "date_roles"], counts: ["counts"],
    data_types: ["data_types_leaked", "data_types_not_leaked"], causes: ["causes"] };
  const GOLD_WORDS = { correct: "correct", extra: "extra (not in gold)", role: "value correct, role wrong" };
  const $ = (id) => document.getElementById(id);
  const items = $("items"), doc = $("doc"), tip = $("tip");
  let visible = [];      // indices of the notices the filters let through, in list order
  let current = -1;      // index into NOTICES of the notice shown

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v; else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  function checkedFields() {
    return Array.from(document.querySelectorAll("input[name=field]:checked")).map((i) => i.value);
  }

  function statusOf(n) {
    if (n.missing) return ["missing"];
    if (n.error) return ["error"];
    return n.summary.status.length ? n.summary.status : ["no incidents"];
  }

  /* ---- the list ------------------------------------------------------------------- */

  function listItem(n, i) {
    const s = n.summary;
    const range = s.from ? (s.from === s.to ? s.from : s.from + " – " + s.to) : "no dates";
    const badges = el("span", { class: "badges" });
    for (const st of statusOf(n)) badges.append(el("span", { class: "badge " + st.replace(/ /g, "-") }, st));
    if (n.gold) {
      const bad = Object.values(n.gold).some((g) => g.status !== "correct");
      badges.append(el("span", { class: "badge s-" + (bad ? "missed" : "correct") }, bad ? "gold ✗" : "gold ✓"));
    }
    return el("li", { id: "item-" + i, "data-doc": n.id, role: "option", "aria-selected": "false" },
      el("span", { class: "id" }, n.id),
      el("span", { class: "org" }, n.org || n.title || "(organisation unknown)"),
      el("span", { class: "meta" }, [range, s.count || "no count", s.causes.join(", ") || "no cause",
        n.incidents.length + " incident" + (n.incidents.length === 1 ? "" : "s")].join(" · ")),
      el("br"), badges);
  }

  function fillSelect(select, values) {
    for (const v of Array.from(values).sort()) select.append(el("option", { value: v }, v));
  }

  function goldMatches(n, want, fields) {
    if (!want) return true;
    if (!n.gold) return false;
    const keys = fields.flatMap((f) => SCORE_FIELDS[f]);
    const sts = keys.map((k) => n.gold[k].status);
    if (want === "correct") return sts.every((s) => s === "correct");
    return sts.some((s) => s.split("+").includes(want));
  }

  function applyFilters() {
    const fields = checkedFields();
    const cause = $("f-cause").value, status = $("f-status").value, gold = $("f-gold").value;
    const q = $("f-search").value.trim().toLowerCase();
    const all = fields.length === 4;
    visible = [];
    NOTICES.forEach((n, i) => {
      let ok = !cause || n.summary.causes.includes(cause);
      ok = ok && (!status || statusOf(n).includes(status));
      ok = ok && goldMatches(n, gold, fields);
      ok = ok && (all || n.spans.some((s) => fields.includes(s.f)) ||
        (n.gold && fields.some((f) => SCORE_FIELDS[f].some((k) => n.gold[k].missed.length))));
      ok = ok && (!q || [n.id, n.org, n.title].some((t) => t && t.toLowerCase().includes(q)));
      if (ok) visible.push(i);
    });
    $("shown").value = visible.length + " of " + NOTICES.length + " notices shown";
    paintList();
    if (current >= 0) renderDoc(current);  // field checkboxes change the highlights too
    if (!visible.includes(current)) select(visible.length ? visible[0] : -1, false);
  }

  /* The list holds only the rows in view (and a few around them): thousands of rows laid
     out at once would take seconds. Rows share one height (the first row's, measured at
     start), so positions are arithmetic. */
  const SPARE = 8;
  let ROW = 96;
  const listBox = $("list"), rows = [];
  let painted = "";

  function row(i) {
    if (!rows[i]) {
      rows[i] = listItem(NOTICES[i], i);
      rows[i].style.height = ROW + "px";
    }
    rows[i].setAttribute("aria-selected", i === current ? "true" : "false");
    return rows[i];
  }

  function paintList(force) {
    const top = listBox.scrollTop, height = listBox.clientHeight || innerHeight;
    const a = Math.max(0, Math.floor(top / ROW) - SPARE);
    const b = Math.min(visible.length, Math.ceil((top + height) / ROW) + SPARE);
    const key = a + ":" + b + ":" + visible.length + ":" + visible[a] + ":" + current;
    if (key === painted && !force) return;
    painted = key;
    items.style.height = visible.length * ROW + "px";
    items.style.paddingTop = a * ROW + "px";
    items.replaceChildren(...visible.slice(a, b).map(row));
  }

  function showRow(i) {
    const at = visible.indexOf(i);
    if (at < 0) return;
    const y = at * ROW, height = listBox.clientHeight || innerHeight;
    if (y < listBox.scrollTop) listBox.scrollTop = y;
    else if (y + ROW > listBox.scrollTop + height) listBox.scrollTop = y + ROW - height;
  }

  function select(i, focusItem) {
    current = i;
    if (i < 0) {
      paintList();
      doc.replaceChildren(el("p", { class: "empty" }, "No notice matches the filters."));
      return;
    }
    showRow(i);
    paintList();
    if (focusItem !== false && location.hash !== "#" + encodeURIComponent(NOTICES[i].id)) {
      history.replaceState(null, "", "#" + encodeURIComponent(NOTICES[i].id));
    }
    renderDoc(i);
  }

  function step(delta) {
    if (!visible.length) return;
    const at = visible.indexOf(current);
    const next = at < 0 ? 0 : Math.min(visible.length - 1, Math.max(0, at + delta));
    select(visible[next]);
  }

  /* ---- one notice ----------------------------------------------------------------- */

  function spanLine(s) {
    let line = FIELD_NAMES[s.f] + ": " + s.v + (s.r ? " · " + s.r : "");
    line += " · incident " + s.i.join(", ");
    if (s.g) line += " · gold: " + GOLD_WORDS[s.g];
    if (s.bad) line += "\n⚠ " + s.bad;
    return line + "\n“" + s.t + "”";
  }

  function segments(text, spans) {
    // Split the text at every span boundary; each piece knows the spans that cover it.
    const cuts = new Set([0, text.length]);
    for (const s of spans) { cuts.add(s.s); cuts.add(s.e); }
    const pts = Array.from(cuts).sort((a, b) => a - b);
    const out = [];
    for (let k = 0; k + 1 < pts.length; k++) {
      const a = pts[k], b = pts[k + 1];
      const cover = spans.filter((s) => s.s <= a && s.e >= b);
      cover.sort((x, y) => (x.e - x.s) - (y.e - y.s));  // innermost first
      out.push([a, b, cover]);
    }
    return out;
  }

  function textView(n, fields) {
    const many = n.incidents.length > 1;
    const pre = el("pre", { class: "text" + (many ? " many" : ""), id: "text" });
    const shown = [];
    n.spans.forEach((s, k) => {
      if (fields.includes(s.f) && Number.isInteger(s.s) && Number.isInteger(s.e) &&
          s.s >= 0 && s.s < s.e && s.e <= n.text.length) shown.push(Object.assign({ k }, s));
    });
    for (const [a, b, cover] of segments(n.text, shown)) {
      const piece = n.text.slice(a, b);
      if (!cover.length) { pre.append(piece); continue; }
      const top = cover[0];
      let cls = "hl f-" + top.f + (top.nl ? " nl" : "") + (cover.length > 1 ? " multi" : "");
      if (cover.some((s) => s.bad)) cls += " bad";
      if (top.g) cls += " g-" + top.g;
      pre.append(el("mark", { class: cls, tabindex: "0", "data-k": cover.map((s) => s.k).join(" "),
        "data-f": cover.map((s) => s.f).join(" "), "data-v": cover.map((s) => s.v).join(" | "),
        "data-r": cover.map((s) => s.r).join(" | "),
        "data-inc": many ? Array.from(new Set(cover.flatMap((s) => s.i))).join(",") : null,
        "aria-label": cover.map(spanLine).join("\n") }, piece));
    }
    return pre;
  }

  function jump(k) {
    const m = doc.querySelector('mark[data-k~="' + k + '"]');
    if (m) { m.scrollIntoView({ block: "center" }); m.focus(); }
  }

  function incidentsTable(n, fields) {
    const t = el("table", { class: "incidents" }, el("tr", {}, el("th", {}, "incident"), el("th", {}, "status"),
      ...fields.map((f) => el("th", {}, FIELD_NAMES[f] + "s"))));
    for (const inc of n.incidents) {
      const row = el("tr", { "data-incident": inc.n }, el("td", {}, String(inc.n) + (inc.org ? " " + inc.org : "")),
        el("td", {}, inc.status || ""));
      for (const f of fields) {
        const cell = el("td");
        n.spans.forEach((s, k) => {
          if (s.f !== f || !s.i.includes(inc.n)) return;
          const a = el("a", { href: "#", class: "jump", "data-k": k, title: s.t },
            s.v + (s.r ? " (" + s.r + ")" : "") + (s.bad ? " ⚠" : ""));
          a.addEventListener("click", (ev) => { ev.preventDefault(); jump(k); });
          cell.append(a, " ");
        });
        row.append(cell);
      }
      t.append(row);
    }
    return t;
  }

  function goldTable(n) {
    // One column per scored field: its status, then what gold has that we missed and what we added.
    const fmt = (xs) => xs.map((x) => (Array.isArray(x) ? x.join(" ") : String(x))).join(", ");
    const entries = Object.entries(n.gold);
    const t = el("table", { class: "goldfields" },
      el("tr", {}, el("th", {}, "gold"), ...entries.map(([f]) => el("th", {}, f.replace(/_/g, " ")))),
      el("tr", {}, el("th", {}, "status"), ...entries.map(([f, g]) => el("td", { "data-field": f, "data-status": g.status },
        el("span", { class: "badge s-" + g.status.split("+")[0] }, g.status)))));
    for (const [key, label] of [["missed", "missed (gold only)"], ["extra", "extra (predicted only)"]]) {
      if (entries.some(([, g]) => g[key].length)) {
        t.append(el("tr", {}, el("th", {}, label), ...entries.map(([, g]) => el("td", {}, fmt(g[key])))));
      }
    }
    return t;
  }

  function renderDoc(i) {
    const n = NOTICES[i], fields = checkedFields();
    const parts = [el("h2", {}, n.title || n.id),
      el("p", { class: "sub" }, [n.id, n.org, n.published].filter(Boolean).join(" · "), " ",
        n.url && /^https?:\/\//.test(n.url) ? el("a", { href: n.url, rel: "noreferrer noopener", target: "_blank" }, "source") : null)];
    if (n.missing) parts.push(el("p", { class: "errorbox" }, "In gold but missing from the predictions: every gold item counts as missed."));
    if (n.error) parts.push(el("p", { class: "errorbox" }, "Error record — " + n.error.kind + ": " + n.error.message));
    if (n.incidents.length) {
      // many incidents make a long table: fold it so the text stays in view
      const box = el("details", { open: n.incidents.length <= 3, class: "incidents" },
        el("summary", {}, n.incidents.length + " incident" + (n.incidents.length === 1 ? "" : "s")),
        incidentsTable(n, fields));
      parts.push(box);
    }
    if (n.gold) parts.push(goldTable(n));
    const bad = n.spans.filter((s) => s.bad);
    if (bad.length) {
      parts.push(el("div", { class: "problem", id: "mismatches" }, el("strong", {}, bad.length + " span(s) do not match the text:"),
        el("ul", {}, ...bad.map((s) => el("li", {}, FIELD_NAMES[s.f] + " " + s.v + ": " + s.bad)))));
    }
    if (n.text === undefined) {
      parts.push(el("p", { class: "loading" }, "Loading the text…"));
      loadText(i).then(() => { if (current === i) renderDoc(i); });
    } else if (n.text !== null) parts.push(textView(n, fields));
    else if (!n.error || n.problem) parts.push(el("p", { class: "problem" }, "Text not available: " + (n.problem || "unknown reason")));
    doc.replaceChildren(...parts);
  }

  /* ---- tooltip and keys ----------------------------------------------------------- */

  function showTip(m) {
    tip.textContent = m.getAttribute("aria-label");
    tip.hidden = false;
    const r = m.getBoundingClientRect();
    const top = r.bottom + 6 + tip.offsetHeight > innerHeight ? r.top - tip.offsetHeight - 6 : r.bottom + 6;
    tip.style.left = Math.max(4, Math.min(r.left, innerWidth - tip.offsetWidth - 4)) + "px";
    tip.style.top = Math.max(4, top) + "px";
  }
  const hideTip = () => { tip.hidden = true; };
  for (const ev of ["mouseover", "focusin"]) {
    doc.addEventListener(ev, (e) => { const m = e.target.closest("mark.hl"); if (m) showTip(m); });
  }
  for (const ev of ["mouseout", "focusout"]) {
    doc.addEventListener(ev, (e) => { if (e.target.closest("mark.hl")) hideTip(); });
  }

  document.addEventListener("keydown", (e) => {
    const typing = e.target.matches("input[type=search], select");
    if (e.key === "Escape") { hideTip(); if (typing) e.target.blur(); return; }
    if (typing || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "j" || e.key === "ArrowDown") { e.preventDefault(); step(1); }
    else if (e.key === "k" || e.key === "ArrowUp") { e.preventDefault(); step(-1); }
    else if (e.key === "/") { e.preventDefault(); $("f-search").focus(); }
  });

  /* ---- start ---------------------------------------------------------------------- */

  async function inflate(b64) {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let k = 0; k < bin.length; k++) bytes[k] = bin.charCodeAt(k);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }

  function loadText(i) {
    const n = NOTICES[i];
    if (n.text !== undefined) return Promise.resolve();
    if (!pending.has(i)) {
      pending.set(i, inflate(PACKED[i]).then((t) => { n.text = t; }, (err) => {
        n.text = null;
        n.problem = "the embedded text cannot be read: " + err;
      }));
    }
    return pending.get(i);
  }

  async function loadData() {
    const node = $("rouei-data"), texts = $("rouei-texts");
    const data = JSON.parse(node.dataset.encoding === "gzip+base64" ? await inflate(node.textContent.trim())
      : node.textContent);
    PACKED = texts ? JSON.parse(texts.textContent) : [];
    node.textContent = "";  // the packed copies are not needed once read
    if (texts) texts.textContent = "";
    data.notices.forEach((n, i) => { if (!("text" in n) && !PACKED[i]) n.text = null; });
    return data;
  }

  async function start() {
    DATA = await loadData();
    NOTICES = DATA.notices;
    const first = NOTICES.findIndex((n) => "#" + encodeURIComponent(n.id) === location.hash);
    const total = PACKED.reduce((a, t) => a + (t ? t.length : 0), 0);
    // a small page inflates every text now, so showing a notice never waits
    await Promise.all(total < PREFETCH_BELOW ? NOTICES.map((n, i) => loadText(i))
      : NOTICES.length ? [loadText(Math.max(first, 0))] : []);
    if (DATA.gold) document.body.classList.add("has-gold");
    let queued = false;
    listBox.addEventListener("scroll", () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => { queued = false; paintList(); });
    });
    window.addEventListener("resize", () => paintList());
    if (NOTICES.length) {  // the height a row takes with this page's fonts
      const probe = listItem(NOTICES[0], 0);
      items.append(probe);
      ROW = Math.ceil(probe.getBoundingClientRect().height) || ROW;
      probe.remove();
    }
    items.addEventListener("click", (e) => {
      const li = e.target.closest("li");
      if (li) select(Number(li.id.slice(5)));
    });
    fillSelect($("f-cause"), new Set(NOTICES.flatMap((n) => n.summary.causes)));
    fillSelect($("f-status"), new Set(NOTICES.flatMap(statusOf)));
    $("filters").addEventListener("submit", (e) => e.preventDefault());
    $("filters").addEventListener("input", applyFilters);
    $("filters").addEventListener("change", applyFilters);
    window.addEventListener("hashchange", () => {
      const i = NOTICES.findIndex((n) => "#" + encodeURIComponent(n.id) === location.hash);
      if (i >= 0 && i !== current) select(i, false);
    });
    applyFilters();
    if (first >= 0 && visible.includes(first)) select(first, false);
    document.body.dataset.ready = "true";
  }

  start().catch((err) => {
    doc.replaceChildren(el("p", { class: "errorbox" }, "Cannot read the page's data: " + err));
    throw err;
  });
})();
