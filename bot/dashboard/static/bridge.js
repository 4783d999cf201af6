// The small bridge to the Telegram client, in place of Telegram's telegram-web-app.js (which would come from
// Telegram's site): the launch parameters from the URL fragment, the theme as CSS variables, and the events the
// client understands, posted the way Telegram's own script posts them.

const STORAGE_KEY = "__dashboard_launch_params";
const WEB_ORIGIN = "https://web.telegram.org";

function readLaunchParams() {
  const fragment = window.location.hash.replace(/^#/, "");
  const params = new URLSearchParams(fragment);
  if (params.has("tgWebAppData")) {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, fragment);
    } catch {
      // storage refused (private mode): the fragment is read again on the next load
    }
    return params;
  }
  try {
    const kept = window.sessionStorage.getItem(STORAGE_KEY); // a reload after the fragment was changed
    if (kept) return new URLSearchParams(kept);
  } catch {
    // no storage: nothing kept
  }
  return params;
}

function parseJson(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const launch = readLaunchParams();
const official = window.Telegram && window.Telegram.WebApp; // present only if a client injected it

/** The raw init data, exactly as Telegram signed it: it goes into `Authorization: tma …` unchanged. */
export const initData = launch.get("tgWebAppData") || (official && official.initData) || "";
export const platform = launch.get("tgWebAppPlatform") || "unknown";
export const version = launch.get("tgWebAppVersion") || "6.0";

const fields = new URLSearchParams(initData);
/** The Telegram user the init data names (not trusted: the server checks the signature). */
export const user = parseJson(fields.get("user")) || {};

// Theme
const THEME_KEYS = [
  "bg_color",
  "text_color",
  "hint_color",
  "link_color",
  "button_color",
  "button_text_color",
  "secondary_bg_color",
  "header_bg_color",
  "accent_text_color",
  "section_bg_color",
  "section_header_text_color",
  "subtitle_text_color",
  "destructive_text_color",
];
const COLOUR = /^#[0-9a-f]{6}$/i;

function isDark(hex) {
  const n = Number.parseInt(hex.slice(1), 16);
  const luminance = 0.299 * ((n >> 16) & 255) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
  return luminance < 120;
}

/** Sets `--tg-theme-<key>` for each colour Telegram gave (others keep style.css's defaults). */
export function applyTheme(theme) {
  const root = document.documentElement;
  for (const key of THEME_KEYS) {
    const value = theme && theme[key];
    const name = `--tg-theme-${key.replace(/_/g, "-")}`;
    if (typeof value === "string" && COLOUR.test(value)) root.style.setProperty(name, value);
    else root.style.removeProperty(name);
  }
  const background = theme && typeof theme.bg_color === "string" && COLOUR.test(theme.bg_color) ? theme.bg_color : null;
  currentBackground = background;
  root.dataset.scheme = background ? (isDark(background) ? "dark" : "light") : systemScheme();
}

let currentBackground = null;
const darkQuery = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

function systemScheme() {
  return darkQuery && darkQuery.matches ? "dark" : "light";
}

if (darkQuery) {
  darkQuery.addEventListener("change", () => {
    if (!currentBackground) document.documentElement.dataset.scheme = systemScheme(); // no theme from Telegram
  });
}

// Events to the client
/** Posts an event to the Telegram client: the mobile proxy, the desktop notify hook, or the web client's parent. */
export function postEvent(eventType, eventData) {
  const proxy = window.TelegramWebviewProxy;
  if (proxy && typeof proxy.postEvent === "function") {
    proxy.postEvent(eventType, JSON.stringify(eventData)); // undefined when there is no data, as Telegram's script
    return;
  }
  const external = window.external;
  if (external && typeof external.notify === "function") {
    external.notify(JSON.stringify({ eventType, eventData }));
    return;
  }
  if (window.parent && window.parent !== window) {
    window.parent.postMessage(JSON.stringify({ eventType, eventData }), WEB_ORIGIN);
  }
}

// Events from the client
function receiveEvent(eventType, eventData) {
  if (eventType === "theme_changed" && eventData && eventData.theme_params) applyTheme(eventData.theme_params);
}

window.addEventListener("message", (event) => {
  if (event.source !== window.parent || window.parent === window) return; // only the web client that framed us
  const message = typeof event.data === "string" ? parseJson(event.data) : event.data;
  if (message && typeof message.eventType === "string") receiveEvent(message.eventType, message.eventData);
});
// Mobile and desktop clients call window.Telegram.WebView.receiveEvent(type, data).
window.Telegram = window.Telegram || {};
if (!window.Telegram.WebView) window.Telegram.WebView = { receiveEvent };

applyTheme(parseJson(launch.get("tgWebAppThemeParams")) || (official && official.themeParams) || null);

/** Tells the client the page is drawn and may fill the screen (as Telegram.WebApp.ready() and expand() do). */
export function ready() {
  postEvent("web_app_ready");
  postEvent("web_app_expand");
}

postEvent("web_app_request_theme");
