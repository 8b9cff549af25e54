// comercio dashboard: progressive enhancement of the explorer's filter form.
// On a filter change, fetch /explorer/view.json with the form's values and swap the table, the map SVG, the
// series SVG, the totals and the download links in place. Without JavaScript the form still works (GET).
"use strict";

(function () {
  const form = document.getElementById("filters");
  if (!form) return;
  const $ = (id) => document.getElementById(id);
  const text = (el, value) => { if (el) el.textContent = value == null ? "" : String(value); };
  let pending = null;

  function setFigure(id, fig) {
    const box = $(id);
    if (!box) return;
    box.replaceChildren();
    if (!fig) return;
    const holder = document.createElement("div");
    holder.className = "svg";
    holder.setAttribute("role", "img");
    holder.setAttribute("aria-label", fig.description);
    // The SVG is produced by our own server from our own data (vl-convert), never from user input.
    const doc = new DOMParser().parseFromString(fig.svg, "image/svg+xml");
    holder.appendChild(document.importNode(doc.documentElement, true));
    const caption = document.createElement("figcaption");
    caption.className = "desc";
    caption.textContent = fig.description;
    box.append(holder, caption);
  }

  function setRows(rows) {
    const body = document.querySelector("#table tbody");
    if (!body) return;
    const lang = document.documentElement.lang || "es";
    const keys = Array.from(document.querySelectorAll("#table thead th[data-key]"), (th) => th.dataset.key);
    body.replaceChildren(...rows.map((r) => {
      const tr = document.createElement("tr");
      tr.dataset.member = r.member;
      const cells = [r.rank, r.label, ...keys.map((k) => r[k])];
      cells.forEach((value, i) => {
        const cell = document.createElement(i === 1 ? "th" : "td");
        if (i === 1) {
          cell.scope = "row";
          if (/^\d{2}$/.test(r.member) && r.member !== "99") {
            const a = document.createElement("a");
            a.href = "/region/" + r.member + "?lang=" + lang;
            a.textContent = value;
            cell.appendChild(a);
          } else {
            cell.textContent = value;
          }
        } else {
          cell.textContent = value;
          if (i === 0) cell.className = "col-rank";
          if (i > 1) cell.className = "num col-" + keys[i - 2];
        }
        tr.appendChild(cell);
      });
      return tr;
    }));
  }

  function setMembers(members, selected) {
    const select = $("f-member");
    if (!select || !members) return;
    select.replaceChildren(...members.map(([value, label]) => {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = label;
      option.selected = value === selected;
      return option;
    }));
  }

  async function update(event) {
    if (event && event.target && event.target.id === "f-grouping" && $("f-member")) $("f-member").value = "";
    const params = new URLSearchParams(new FormData(form));
    const status = $("status");
    text(status, status.dataset.loading || "…");
    if (pending) pending.abort();
    pending = new AbortController();
    try {
      const res = await fetch("/explorer/view.json?" + params.toString(), { signal: pending.signal });
      const data = await res.json();
      if (!res.ok) {
        $("error").hidden = false;
        text($("error"), data.detail || data.error);
        $("view").hidden = true;
        text(status, "");
        return;
      }
      $("error").hidden = true;
      $("view").hidden = false;
      setRows(data.rows);
      setMembers(data.members, data.member);
      setFigure("map", data.map);
      setFigure("series", data.series);
      text($("period"), data.period);
      text($("total"), data.total);
      text($("total-growth"), data.total_growth);
      text($("dataset"), data.dataset);
      text($("map-note"), data.map_note);
      text($("coverage"), data.coverage);
      for (const kind of ["csv", "xlsx", "pdf", "api"]) {
        const a = $("dl-" + kind);
        if (a) a.href = data.links[kind];
      }
      history.replaceState(null, "", "/explorer?" + params.toString());
      text(status, status.dataset.updated || "✓");
      document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
    } catch (err) {
      if (err.name !== "AbortError") text($("error"), String(err));
    }
  }

  form.addEventListener("change", update);
  form.addEventListener("submit", (e) => { e.preventDefault(); update(); });
})();
