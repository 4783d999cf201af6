// The dashboard page: loads its words (GET api/texts), who is looking (GET api/me), then the views for the role.
// Every figure comes from the API; every word from the catalog. A refused or failed request replaces the whole page
// with one message, so nothing is ever half drawn.
import { initData, ready, user } from "./bridge.js";

const API = new URL("api/", document.baseURI);
const SVG_NS = "http://www.w3.org/2000/svg";
// The catalog keys, spelled out so that every key the page asks for can be found (tests/browser/test_page_texts.py).
const REFUSALS = {
  expired: "dash_error_expired",
  unauthorized: "dash_error_unauthorized",
  not_member: "dash_error_not_member",
  forbidden: "dash_error_forbidden",
  bad_request: "dash_error_bad_request",
  failed: "dash_error_failed",
};
const TABS = {
  overview: "dash_tab_overview",
  wards: "dash_tab_wards",
  chart: "dash_tab_chart",
  areas: "dash_tab_areas",
  review: "dash_tab_review",
  mine: "dash_tab_mine",
  followups: "dash_tab_followups",
};
const APPROVAL = {
  open: "dash_approval_open",
  confirmed: "dash_approval_confirmed",
  accepted: "dash_approval_accepted",
  returned: "dash_approval_returned",
};
const LEVELS = {
  good: "dash_legend_good",
  near: "dash_legend_near",
  low: "dash_legend_low",
  none: "dash_legend_none",
};
const PURPOSES = {
  phone: "dash_purpose_phone",
  visit: "dash_purpose_visit",
  accompany: "dash_purpose_accompany",
  link_check: "dash_purpose_link_check",
};
const FILTERS = { all: "dash_filter_all", missing: "dash_filter_missing", counted: "dash_filter_counted" };
const lang = !user.language_code || String(user.language_code).toLowerCase().startsWith("ja") ? "ja" : "en";
const locale = lang === "ja" ? "ja-JP" : "en-GB";

let words = {};
const state = {
  me: null,
  fy: null,
  asOf: null,
  ward: null, // a ward the city supervisor opened from 区別 (null: the member's own scope)
  view: null,
  indicators: null, // [{code, short_label, share}] from the last overview, for the chart's picker
  chartIndicator: null,
  areaQuery: "",
  areaFilter: "all",
  mine: null,
  renders: 0,
};

// Words and numbers
function t(key, values = {}) {
  const template = words[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

const numberFormat = new Intl.NumberFormat(locale);
const monthFormat = new Intl.DateTimeFormat(locale, { month: "long", timeZone: "UTC" });
const dayFormat = new Intl.DateTimeFormat(locale, { month: "long", day: "numeric", timeZone: "UTC" });
const axisMonthFormat = new Intl.DateTimeFormat(locale, { month: lang === "ja" ? "numeric" : "short", timeZone: "UTC" });
const monthYearFormat = new Intl.DateTimeFormat(locale, { year: "numeric", month: "long", timeZone: "UTC" });

function num(value) {
  return value == null ? "—" : numberFormat.format(value);
}

function signed(value, share) {
  if (value == null) return "—";
  const sign = value > 0 ? "+" : value < 0 ? "−" : "±";
  const size = Math.abs(value);
  return share ? `${sign}${size.toFixed(1)}${t("dash_points")}` : `${sign}${numberFormat.format(size)}`;
}

function parseDay(iso) {
  const [year, month, day] = iso.split("-").map(Number);
  return { year, month, day: day || 1 };
}

function utc({ year, month, day }) {
  return Date.UTC(year, month - 1, day);
}

function monthName(yearMonth) {
  return monthFormat.format(utc(parseDay(yearMonth)));
}

function dayName(iso) {
  return dayFormat.format(utc(parseDay(iso)));
}

function lastDay(year, month) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function iso(year, month, day) {
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

function figureText(iv, share) {
  if (!iv) return "—";
  return share ? (iv.percent == null ? "—" : `${iv.percent.toFixed(1)}%`) : num(iv.value);
}

// DOM
function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  setProps(element, props);
  element.append(...flat(children));
  return element;
}

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value != null) element.setAttribute(name, String(value));
  }
  element.append(...flat(children));
  return element;
}

function setProps(element, props) {
  for (const [name, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name in element) element[name] = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
}

function flat(children) {
  return children.flat(Infinity).filter((child) => child != null && child !== false);
}

// The API
class ApiError extends Error {
  constructor(status, code) {
    super(code);
    this.status = status;
    this.code = code;
  }
}

async function api(path, params = {}, init = {}) {
  const url = new URL(path, API);
  for (const [name, value] of Object.entries(params)) {
    if (value != null && value !== "") url.searchParams.set(name, value);
  }
  let response;
  try {
    response = await fetch(url, {
      ...init,
      cache: "no-store",
      headers: { Authorization: `tma ${initData}`, ...(init.headers || {}) },
    });
  } catch {
    throw new ApiError(0, "failed");
  }
  if (!response.ok) {
    let code = "failed";
    try {
      code = (await response.json()).error || code;
    } catch {
      // not JSON: a proxy's page
    }
    throw new ApiError(response.status, code);
  }
  return response.json();
}

function scopeParams() {
  return { fy: state.fy, as_of: state.asOf, ward: state.ward };
}

// The whole page
function refuse(error) {
  const code = error instanceof ApiError && error.code in REFUSALS ? error.code : "failed";
  const message = h("main", { id: "refusal", class: "refusal", role: "alert", dataset: { error: code } });
  message.append(h("p", {}, t(REFUSALS[code])));
  if (code === "failed") message.append(h("button", { type: "button", onclick: () => location.reload() }, t("dash_retry")));
  document.body.replaceChildren(message);
  document.body.dataset.state = "refused";
  ready();
}

function frame() {
  const me = state.me;
  const header = h(
    "header",
    { class: "top" },
    h(
      "div",
      { class: "title-row" },
      h("h1", { id: "scope-name" }),
      h("span", { class: "who" }, me.name),
    ),
    h("button", { type: "button", id: "back", class: "back", hidden: true, onclick: backToCity }, t("dash_back_to_city")),
  );
  if (me.supervisor) header.append(pickers());
  const tabs = h("nav", { class: "tabs", id: "tabs" });
  for (const view of viewsFor(me)) {
    tabs.append(
      h(
        "button",
        { type: "button", class: "tab", dataset: { view }, onclick: () => open(view) },
        t(TABS[view]),
      ),
    );
  }
  document.body.replaceChildren(header, h("main", { id: "view" }, h("p", { class: "loading" }, t("dash_loading"))), tabs);
  if (tabs.children.length < 2) tabs.hidden = true;
}

function viewsFor(me) {
  if (!me.supervisor) return ["mine", "followups"];
  return me.city ? ["overview", "wards", "chart", "areas", "review"] : ["overview", "chart", "areas", "review"];
}

function pickers() {
  const fy = h("select", { id: "fy", onchange: () => chooseYear(Number(fy.value)) });
  for (const year of state.me.fiscal_years) fy.append(h("option", { value: year }, t("dash_fy_option", { year })));
  fy.value = String(state.fy);
  const asOf = h("select", { id: "as-of", onchange: () => chooseDay(asOf.value) });
  fillDays(asOf);
  return h(
    "div",
    { class: "pickers" },
    h("label", {}, h("span", {}, t("dash_fiscal_year")), fy),
    h("label", {}, h("span", {}, t("dash_as_of")), asOf),
  );
}

/** Month ends of the fiscal year up to today, and today itself while its month runs. */
function asOfChoices(fy) {
  const today = parseDay(state.me.today);
  const choices = [];
  for (let step = 0; step < 12; step += 1) {
    const year = fy + (step >= 9 ? 1 : 0);
    const month = ((step + 3) % 12) + 1;
    const end = iso(year, month, lastDay(year, month));
    if (year === today.year && month === today.month) {
      if (end !== state.me.today) {
        choices.push({ value: state.me.today, label: t("dash_until_today", { date: dayName(state.me.today) }) });
        break;
      }
    }
    if (end > state.me.today) break;
    choices.push({ value: end, label: t("dash_month_end", { month: monthName(end) }) });
  }
  return choices;
}

function fillDays(select) {
  const choices = asOfChoices(state.fy);
  if (state.asOf && !choices.some((choice) => choice.value === state.asOf)) {
    choices.push({ value: state.asOf, label: dayName(state.asOf) });
  }
  select.replaceChildren(...choices.map((choice) => h("option", { value: choice.value }, choice.label)));
  select.value = state.asOf;
}

function chooseYear(fy) {
  state.fy = fy;
  const choices = asOfChoices(fy);
  state.asOf = fy === state.me.default.fy ? state.me.default.as_of : (choices.at(-1)?.value ?? iso(fy + 1, 3, 31));
  fillDays(document.getElementById("as-of"));
  show();
}

function chooseDay(value) {
  state.asOf = value;
  show();
}

function open(view) {
  if (view === "wards") state.ward = null;
  state.view = view;
  show();
}

function drill(ward) {
  state.ward = ward;
  state.view = "overview";
  show();
}

function backToCity() {
  state.ward = null;
  state.view = "wards";
  show();
}

function wardName(code) {
  return state.me.wards.find((ward) => ward.code === code)?.name ?? code;
}

function scopeName() {
  if (state.ward) return wardName(state.ward);
  if (!state.me.supervisor || !state.me.city) return state.me.ward?.name ?? t("dash_city");
  return t("dash_city");
}

const VIEWS = {
  overview: () => api("overview", scopeParams()).then(overview),
  wards: () => api("wards", { fy: state.fy, as_of: state.asOf }).then(wardsTable),
  chart: chartView,
  areas: () => api("coverage", scopeParams()).then(coverage),
  review: () => api("review", { month: reviewMonth(), ward: state.ward }).then(review),
  mine: () => mineData().then(mine),
  followups: () => mineData().then(followups),
};

/** The month whose confirmation 確認 shows: the server's (the last month that can be confirmed) unless the member
chose another day. */
function reviewMonth() {
  return state.asOf === state.me.default.as_of ? null : state.asOf.slice(0, 7);
}

/** Draws the chosen view once all its data is in; a newer choice made meanwhile wins. */
async function show() {
  const render = ++state.renders;
  document.body.dataset.state = "loading";
  let content;
  try {
    content = await VIEWS[state.view]();
  } catch (error) {
    if (render === state.renders) refuse(error);
    return;
  }
  if (render !== state.renders) return;
  document.getElementById("scope-name").textContent = scopeName();
  document.getElementById("back").hidden = !state.ward;
  for (const tab of document.querySelectorAll(".tab")) {
    const current = tab.dataset.view === state.view;
    tab.classList.toggle("current", current);
    if (current) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  const main = document.getElementById("view");
  main.replaceChildren(content);
  main.dataset.view = state.view;
  document.body.dataset.view = state.view;
  document.body.dataset.state = "ready";
  if (render === 1) {
    performance.mark("dashboard-ready");
    ready();
  }
}

// 概要
function overview(data) {
  state.indicators = data.indicators.map(({ code, short_label, share }) => ({ code, short_label, share }));
  const summary = h(
    "section",
    { class: "card summary", id: "summary" },
    h("p", { class: "as-of" }, h("strong", {}, data.as_of_label), " ", data.final ? badge("final", "dash_final") : badge("provisional", "dash_provisional")),
    data.computed_at ? h("p", { class: "note computed", id: "computed-at" }, t("dash_computed_at", { time: data.computed_at.slice(11, 16) })) : null,
    completenessLine(data.completeness),
    approvalLine(data.approval),
    data.flagged_waiting > 0
      ? h(
          "button",
          { type: "button", class: "link flagged", onclick: () => open("review") },
          t("dash_flagged_waiting", { count: num(data.flagged_waiting) }),
        )
      : null,
    sheetButton(),
  );
  const list = h("ul", { class: "indicators", id: "indicators" });
  for (const indicator of data.indicators) list.append(indicatorCard(indicator, data.no_data));
  const baseline = data.indicators.some((indicator) => indicator.now?.baseline);
  return h(
    "div",
    {},
    summary,
    data.no_data ? h("p", { class: "note no-data" }, t("dash_no_data")) : null,
    list,
    baseline ? h("p", { class: "note" }, t("dash_baseline_note")) : null,
  );
}

function badge(kind, key) {
  return h("span", { class: `badge ${kind}` }, t(key));
}

function completenessLine(completeness) {
  if (!completeness) return null;
  const done = completeness.reported >= completeness.expected;
  return h(
    "p",
    { class: `completeness ${done ? "done" : "short"}` },
    h("span", {}, t("dash_reported_month", { month: monthName(completeness.month) })),
    " ",
    h(
      "strong",
      { class: "reported" },
      t("dash_reported", { reported: num(completeness.reported), expected: num(completeness.expected) }),
    ),
  );
}

function approvalLine(approval) {
  if (!approval) return null;
  const states = Object.values(approval.states || {});
  if (states.length === 0) return null;
  const line = h("p", { class: "approval" }, h("span", {}, t("dash_approval")), " ");
  if (states.length === 1) {
    line.append(h("span", { class: `state ${states[0]}` }, approvalWord(states[0])));
    return line;
  }
  const counts = new Map();
  for (const value of states) counts.set(value, (counts.get(value) || 0) + 1);
  for (const [value, count] of counts) {
    line.append(
      h("span", { class: `state ${value}` }, t("dash_approval_count", { state: approvalWord(value), count })),
    );
  }
  return line;
}

function indicatorCard(indicator, noData) {
  const share = indicator.share;
  return h(
    "li",
    { class: "indicator card", dataset: { code: indicator.code } },
    h(
      "div",
      { class: "ind-head" },
      h("span", { class: "code" }, indicator.code),
      h("span", { class: "label", title: indicator.label }, indicator.short_label),
    ),
    h("p", { class: "figure now" }, noData ? "—" : indicator.notation),
    h(
      "dl",
      { class: "compare" },
      h(
        "div",
        {},
        h("dt", {}, t("dash_change_month")),
        h("dd", { class: `change ${trend(indicator.change)}` }, signed(indicator.change, share)),
      ),
      h(
        "div",
        {},
        h("dt", {}, t("dash_last_year")),
        h("dd", { class: "last-year" }, indicator.last_year ? indicator.last_year_notation : "—"),
      ),
      h(
        "div",
        {},
        h("dt", {}, t("dash_change_last_year")),
        h(
          "dd",
          { class: `change-last-year ${trend(indicator.change_last_year)}` },
          signed(indicator.change_last_year, share),
        ),
      ),
    ),
  );
}

function approvalWord(value) {
  return APPROVAL[value] ? t(APPROVAL[value]) : value;
}

function trend(value) {
  return value == null ? "flat" : value > 0 ? "up" : value < 0 ? "down" : "flat";
}

function sheetButton() {
  const status = h("span", { class: "sheet-status", id: "sheet-status", role: "status" });
  const button = h("button", { type: "button", class: "primary", id: "send-sheet" }, t("dash_send_sheet"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.className = "sheet-status";
    status.textContent = t("dash_sending");
    try {
      const answer = await api("sheet", {}, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ fy: state.fy, as_of: state.asOf, ward: state.ward }),
      });
      status.textContent = t("dash_sheet_sent", { file: answer.file_name });
      status.classList.add("sent");
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        refuse(error);
        return;
      }
      status.textContent = t("dash_sheet_failed");
      status.classList.add("failed");
    } finally {
      button.disabled = false;
    }
  });
  return h("div", { class: "sheet" }, button, status);
}

// 区別
function progress(cell) {
  if (!cell) return "none";
  if (cell.ratio != null) return cell.ratio >= 1 ? "good" : cell.ratio >= 0.9 ? "near" : "low";
  if (cell.points != null) return cell.points >= 0 ? "good" : cell.points >= -5 ? "near" : "low";
  return "none";
}

function wardsTable(data) {
  const head = h(
    "tr",
    {},
    h("th", { class: "ward-col", scope: "col" }, t("dash_ward")),
    data.indicators.map((indicator) =>
      h(
        "th",
        { scope: "col", title: indicator.short_label },
        h("span", { class: "code" }, indicator.code),
        h("span", { class: "short" }, indicator.short_label),
      ),
    ),
    h("th", { scope: "col" }, t("dash_completeness")),
    h("th", { scope: "col" }, t("dash_approval")),
  );
  const body = h("tbody");
  for (const ward of data.wards) {
    const go = () => drill(ward.code);
    const row = h(
      "tr",
      { dataset: { ward: ward.code } },
      h("th", { class: "ward-col", scope: "row" }, h("button", { type: "button", class: "ward-link", onclick: go }, ward.name)),
    );
    for (const indicator of data.indicators) {
      const cell = ward.cells[indicator.code];
      const level = progress(cell);
      row.append(
        h(
          "td",
          { class: `cell ${level}`, dataset: { code: indicator.code, level } },
          h("button", { type: "button", onclick: go }, figureText(cell?.now, indicator.share)),
        ),
      );
    }
    const completeness = ward.completeness;
    row.append(
      h("td", { class: "reported" }, completeness ? `${num(completeness.reported)}/${num(completeness.expected)}` : "—"),
      h("td", {}, ward.approval ? h("span", { class: `state ${ward.approval}` }, approvalWord(ward.approval)) : "—"),
    );
    body.append(row);
  }
  return h(
    "div",
    {},
    h("p", { class: "hint" }, t("dash_wards_hint")),
    legend(),
    h("div", { class: "table-wrap" }, h("table", { class: "wards", id: "wards-table" }, h("thead", {}, head), body)),
  );
}

function legend() {
  return h(
    "ul",
    { class: "legend", id: "legend" },
    Object.keys(LEVELS).map((level) =>
      h("li", {}, h("span", { class: `swatch ${level}` }), t(LEVELS[level])),
    ),
  );
}

// グラフ
async function chartView() {
  if (!state.indicators) {
    const data = await api("overview", scopeParams());
    state.indicators = data.indicators.map(({ code, short_label, share }) => ({ code, short_label, share }));
  }
  const indicator = state.chartIndicator || state.indicators[0].code;
  const data = await api("chart", { ...scopeParams(), indicator });
  const picker = h("select", {
    id: "indicator",
    onchange: () => {
      state.chartIndicator = picker.value;
      show();
    },
  });
  for (const choice of state.indicators) {
    picker.append(h("option", { value: choice.code }, `${choice.code} ${choice.short_label}`));
  }
  picker.value = indicator;
  const unit = data.indicator.share ? t("dash_percent_unit") : data.indicator.unit;
  return h(
    "div",
    {},
    h("label", { class: "picker" }, h("span", {}, t("dash_indicator")), picker),
    h(
      "figure",
      { class: "card chart" },
      lineChart(data),
      h("figcaption", {}, chartLegend(data), h("p", { class: "hint" }, t("dash_chart_caption", { indicator: data.indicator.label, unit }))),
    ),
  );
}

/** A round step for 4 grid lines above the largest value: whole numbers for counts, up to 100% for shares. */
function gridStep(largest, share) {
  const rough = Math.max(largest, share ? 4 : 1) / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const steps = power >= 1 || share ? [1, 2, 2.5, 5, 10] : [1, 2, 5, 10];
  const step = steps.map((factor) => factor * power).find((candidate) => candidate >= rough) ?? 10 * power;
  const whole = share ? step : Math.max(1, Math.ceil(step));
  return share ? Math.min(whole, 25) : whole;
}

function lineChart(data) {
  const width = 340;
  const height = 220;
  const left = 46;
  const right = 10;
  const top = 14;
  const bottom = 30;
  const share = data.indicator.share;
  const values = [...data.this_year, ...data.last_year, data.last_year_same_day].filter((value) => value != null);
  const step = gridStep(Math.max(...values, 0), share);
  const ceiling = 4 * step;
  const x = (index) => left + (index * (width - left - right)) / 11;
  const y = (value) => top + (1 - value / ceiling) * (height - top - bottom);
  const label = (value) => (share ? `${value}%` : numberFormat.format(value));
  const partial = data.partial_month ? data.months.indexOf(data.partial_month) : -1;

  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "line-chart",
    id: "chart-svg",
    role: "img",
    "aria-label": data.indicator.label,
  });
  if (partial >= 0) {
    const half = (width - left - right) / 22;
    chart.append(
      svg("rect", { class: "partial-band", x: x(partial) - half, y: top, width: 2 * half, height: height - top - bottom }),
    );
  }
  for (let tick = 0; tick <= 4; tick += 1) {
    const value = step * tick;
    chart.append(
      svg("line", { class: "grid", x1: left, x2: width - right, y1: y(value), y2: y(value) }),
      svg("text", { class: "axis y", x: left - 6, y: y(value) + 4 }, label(Number.isInteger(value) ? value : value.toFixed(1))),
    );
  }
  data.months.forEach((month, index) => {
    chart.append(svg("text", { class: "axis x", x: x(index), y: height - 10 }, axisMonthFormat.format(utc(parseDay(month))).replace(/月$/, "")));
  });
  chart.append(
    series(data.last_year, data.months, "last-year", x, y, -1, label),
    series(data.this_year, data.months, "this-year", x, y, partial, label),
  );
  if (partial >= 0 && data.last_year_same_day != null) {
    chart.append(
      svg(
        "circle",
        { class: "same-day", cx: x(partial), cy: y(data.last_year_same_day), r: 4 },
        svg("title", {}, t("dash_same_day_last_year", { value: label(data.last_year_same_day) })),
      ),
    );
  }
  return chart;
}

/** One year's line: solid through whole months, dotted into the month still in progress (a hollow point). */
function series(values, months, name, x, y, partial, label) {
  const group = svg("g", { class: `series ${name}`, "data-series": name });
  const whole = [];
  values.forEach((value, index) => {
    if (value == null) return;
    if (index !== partial) whole.push([index, value]);
  });
  const path = whole.map(([index, value], at) => `${at ? "L" : "M"}${x(index).toFixed(1)},${y(value).toFixed(1)}`);
  group.append(svg("path", { class: "line", d: path.join(" ") }));
  if (partial >= 0 && values[partial] != null) {
    const before = partial > 0 && values[partial - 1] != null ? [x(partial - 1), y(values[partial - 1])] : null;
    if (before) {
      group.append(
        svg("path", { class: "line unfinished", d: `M${before[0]},${before[1]} L${x(partial)},${y(values[partial])}` }),
      );
    }
  }
  values.forEach((value, index) => {
    if (value == null) return;
    group.append(
      svg(
        "circle",
        { class: index === partial ? "point unfinished" : "point", cx: x(index), cy: y(value), r: index === partial ? 4 : 3 },
        svg("title", {}, `${monthName(months[index])} ${label(value)}`),
      ),
    );
  });
  return group;
}

function chartLegend(data) {
  return h(
    "ul",
    { class: "legend chart-legend" },
    h("li", {}, h("span", { class: "key this-year" }), t("dash_this_year")),
    h("li", {}, h("span", { class: "key last-year" }), t("dash_last_year_series")),
    data.partial_month ? h("li", {}, h("span", { class: "key unfinished" }), t("dash_partial_month")) : null,
    data.partial_month && data.last_year_same_day != null
      ? h(
          "li",
          {},
          h("span", { class: "key same-day" }),
          t("dash_same_day_last_year", { value: data.indicator.share ? `${data.last_year_same_day}%` : num(data.last_year_same_day) }),
        )
      : null,
  );
}

// 地域
function coverage(data) {
  const codes = data.indicators;
  const summary = h(
    "table",
    { class: "coverage-wards", id: "coverage-wards" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { class: "ward-col", scope: "col" }, t("dash_ward")),
        h("th", { scope: "col" }, t("dash_areas_total")),
        codes.map((code) => h("th", { scope: "col" }, code)),
      ),
    ),
    h(
      "tbody",
      {},
      data.wards.map((ward) =>
        h(
          "tr",
          { dataset: { ward: ward.code } },
          h(
            "th",
            { class: "ward-col", scope: "row" },
            h("button", { type: "button", class: "ward-link", onclick: () => searchFor(ward.name) }, ward.name),
          ),
          h("td", {}, num(ward.areas)),
          codes.map((code) => h("td", { class: "counted", dataset: { code } }, `${num(ward.counted[code])}/${num(ward.areas)}`)),
        ),
      ),
    ),
  );
  const search = h("input", {
    type: "search",
    id: "area-search",
    placeholder: t("dash_search"),
    "aria-label": t("dash_search"),
    value: state.areaQuery,
    autocomplete: "off",
  });
  const shown = h("p", { class: "hint", id: "areas-shown", role: "status" });
  const list = h("ul", { class: "areas", id: "area-list" });
  const wardNames = new Map(data.wards.map((ward) => [ward.code, ward.name]));
  for (const area of data.areas) {
    const missing = codes.some((code) => !area.counted[code]);
    const name = wardNames.get(area.ward) ?? wardName(area.ward);
    list.append(
      h(
        "li",
        {
          class: `area ${missing ? "missing" : "counted"}`,
          dataset: { area: area.code, search: `${area.name} ${name} ${area.code}`.toLowerCase() },
        },
        h("div", { class: "area-name" }, h("strong", {}, area.name), h("span", { class: "ward" }, name)),
        h(
          "div",
          { class: "chips" },
          codes.map((code) =>
            area.counted[code]
              ? h("span", { class: "chip ok", dataset: { code } }, t("dash_counted_in", { code, month: monthName(area.counted[code]) }))
              : h("span", { class: "chip missing", dataset: { code } }, t("dash_not_yet", { code })),
          ),
        ),
      ),
    );
  }
  const empty = h("p", { class: "note", id: "areas-empty", hidden: true }, t("dash_no_match"));
  const filters = h("div", { class: "segmented", role: "radiogroup" });
  for (const value of Object.keys(FILTERS)) {
    filters.append(
      h(
        "button",
        {
          type: "button",
          role: "radio",
          class: "segment",
          dataset: { filter: value },
          onclick: () => {
            state.areaFilter = value;
            apply();
          },
        },
        t(FILTERS[value]),
      ),
    );
  }
  function apply() {
    const query = state.areaQuery.trim().toLowerCase();
    let count = 0;
    for (const item of list.children) {
      const matches =
        (!query || item.dataset.search.includes(query)) &&
        (state.areaFilter === "all" || item.classList.contains(state.areaFilter));
      item.hidden = !matches;
      if (matches) count += 1;
    }
    for (const button of filters.children) button.setAttribute("aria-checked", String(button.dataset.filter === state.areaFilter));
    shown.textContent = t("dash_areas_shown", { shown: num(count), total: num(list.children.length) });
    empty.hidden = count > 0;
  }
  function searchFor(text) {
    search.value = text;
    state.areaQuery = text;
    apply();
    search.scrollIntoView({ block: "start" });
  }
  search.addEventListener("input", () => {
    state.areaQuery = search.value;
    apply();
  });
  apply();
  return h(
    "div",
    {},
    h("p", { class: "hint" }, t("dash_coverage_hint")),
    h("div", { class: "table-wrap" }, summary),
    h("div", { class: "area-tools" }, search, filters),
    shown,
    list,
    empty,
  );
}

// 確認
function review(data) {
  const month = monthYearFormat.format(utc(parseDay(data.month)));
  const states = h(
    "ul",
    { class: "ward-states", id: "ward-states" },
    data.wards.map((ward) =>
      h(
        "li",
        { dataset: { ward: ward.code, state: ward.state } },
        h("span", {}, ward.name),
        h("span", { class: `state ${ward.state}` }, approvalWord(ward.state)),
      ),
    ),
  );
  const flagged = h(
    "ul",
    { class: "flagged-list", id: "flagged-list" },
    data.flagged.map((entry) =>
      h(
        "li",
        { class: "card", dataset: { id: entry.id } },
        h("div", { class: "row" }, h("strong", {}, dayName(entry.day)), h("span", {}, wardName(entry.ward))),
        h("div", {}, entry.kind_label),
        h(
          "div",
          { class: "row" },
          h("span", { class: "count" }, t("dash_flagged_count", { count: num(entry.count), low: num(entry.usual.low), high: num(entry.usual.high) })),
          entry.logged_by ? h("span", { class: "hint" }, t("dash_logged_by", { name: entry.logged_by })) : null,
        ),
      ),
    ),
  );
  const more = data.flagged_total - data.flagged.length;
  return h(
    "div",
    {},
    h("h2", {}, t("dash_flagged_title", { count: num(data.flagged_total) })),
    data.flagged.length ? flagged : h("p", { class: "note" }, t("dash_flagged_none")),
    more > 0 ? h("p", { class: "hint" }, t("dash_flagged_more", { count: num(more) })) : null,
    h("h2", {}, t("dash_review_month", { month })),
    states,
  );
}

// A worker's page
async function mineData() {
  if (!state.mine) state.mine = await api("mine");
  return state.mine;
}

function mine(data) {
  const month = monthYearFormat.format(utc(parseDay(data.month)));
  const entries = h(
    "ul",
    { class: "entries", id: "entries" },
    data.entries.map((entry) =>
      h(
        "li",
        { class: `card entry${entry.voided ? " voided" : ""}`, dataset: { id: entry.id } },
        h("div", { class: "row" }, h("strong", {}, dayName(entry.day)), h("span", { class: "count" }, t("dash_count", { count: num(entry.count) }))),
        h("div", { class: "kind" }, entry.kind_label),
        h(
          "div",
          { class: "chips" },
          entry.household ? h("span", { class: "chip" }, t("dash_household", { code: entry.household })) : null,
          entry.corrected ? h("span", { class: "chip corrected" }, t("dash_corrected")) : null,
          entry.voided ? h("span", { class: "chip missing" }, t("dash_voided")) : null,
        ),
      ),
    ),
  );
  return h(
    "div",
    {},
    h("h2", {}, t("dash_mine_title", { month })),
    data.entries.length ? entries : h("p", { class: "note" }, t("dash_mine_none")),
  );
}

function followups(data) {
  const list = h(
    "ul",
    { class: "followups", id: "followups" },
    data.followups.map((item) =>
      h(
        "li",
        { class: `card followup${item.overdue ? " overdue" : ""}`, dataset: { id: item.id } },
        h(
          "div",
          { class: "row" },
          h("strong", {}, t("dash_household", { code: item.household })),
          h("span", { class: "due" }, t("dash_due_on", { date: dayName(item.due_on) })),
        ),
        item.purpose ? h("div", { class: "purpose" }, PURPOSES[item.purpose] ? t(PURPOSES[item.purpose]) : item.purpose) : null,
        h(
          "div",
          { class: "chips" },
          item.overdue ? h("span", { class: "chip missing" }, t("dash_overdue")) : null,
          item.quiet ? h("span", { class: "chip quiet" }, t("dash_quiet", { days: num(item.quiet) })) : null,
        ),
      ),
    ),
  );
  return h("div", {}, h("h2", {}, t("dash_tab_followups")), data.followups.length ? list : h("p", { class: "note" }, t("dash_followups_none")));
}

// Start
async function start() {
  try {
    const response = await fetch(new URL(`texts?lang=${lang}`, API), { cache: "no-store" });
    if (!response.ok) throw new Error(String(response.status));
    words = (await response.json()).texts;
  } catch {
    document.getElementById("fallback").hidden = false; // the one message the page holds itself
    document.body.dataset.state = "refused";
    ready();
    return;
  }
  document.documentElement.lang = lang;
  document.title = t("dash_title");
  try {
    state.me = await api("me");
  } catch (error) {
    refuse(error);
    return;
  }
  state.fy = state.me.default.fy;
  state.asOf = state.me.default.as_of;
  state.view = state.me.supervisor ? "overview" : "mine";
  frame();
  await show();
}

start();
