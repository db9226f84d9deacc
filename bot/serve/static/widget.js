/*
 * Report assistant chat widget: a floating button that opens the assistant's compact chat
 * (/embed) in an iframe. Add one line to a page of an allowed origin (BOT_ALLOWED_ORIGINS):
 *
 *   <script src="https://HOST/widget.js" defer></script>
 *
 * Optional data- attributes on that tag:
 *   data-label="问报告"          text of the button's tooltip and the panel title
 *   data-position="left"         button bottom-left instead of bottom-right
 *   data-open="true"             start with the chat open
 *
 * The iframe talks only to its own server (same origin), so no key or secret is ever needed on
 * the page. Everything the widget adds lives in a shadow root: the page's styles do not leak in.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__reportAssistantWidget) return;
  window.__reportAssistantWidget = true;

  // /embed/ next to widget.js, so a server behind a path prefix (https://host/bot/) works too
  var embedUrl = new URL("embed/", new URL(script.src, window.location.href)).href;
  var label = script.getAttribute("data-label") || "问报告 / Ask the reports";
  var side = script.getAttribute("data-position") === "left" ? "left" : "right";

  var host = document.createElement("div");
  host.setAttribute("data-report-assistant", "");
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;

  var css =
    ":host{all:initial}" +
    ".btn{position:fixed;bottom:20px;" + side + ":20px;z-index:2147483000;width:56px;height:56px;" +
    "border-radius:50%;border:0;cursor:pointer;background:#2563eb;color:#fff;font-size:26px;line-height:56px;" +
    "box-shadow:0 4px 14px rgba(0,0,0,.25);padding:0}" +
    ".btn:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}" +
    ".panel{position:fixed;bottom:88px;" + side + ":20px;z-index:2147483000;width:400px;height:600px;" +
    "max-width:calc(100vw - 40px);max-height:calc(100vh - 110px);display:none;flex-direction:column;" +
    "background:#fff;border-radius:12px;overflow:hidden;box-shadow:0 8px 30px rgba(0,0,0,.3)}" +
    ".panel.open{display:flex}" +
    ".head{display:flex;align-items:center;justify-content:space-between;padding:8px 12px;" +
    "background:#2563eb;color:#fff;font:600 14px/1.4 system-ui,sans-serif}" +
    ".close{background:none;border:0;color:#fff;font-size:20px;cursor:pointer;padding:0 4px}" +
    "iframe{flex:1;border:0;width:100%}" +
    "@media (max-width:480px){.panel{bottom:0;" + side + ":0;width:100vw;height:100vh;max-width:none;" +
    "max-height:none;border-radius:0}}";
  var style = document.createElement("style");
  style.textContent = css;
  root.appendChild(style);

  var button = document.createElement("button");
  button.className = "btn";
  button.type = "button";
  button.title = label;
  button.setAttribute("aria-label", label);
  button.setAttribute("aria-expanded", "false");
  button.textContent = "\uD83D\uDCAC"; // speech balloon

  var panel = document.createElement("div");
  panel.className = "panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", label);
  var head = document.createElement("div");
  head.className = "head";
  var title = document.createElement("span");
  title.textContent = label;
  var close = document.createElement("button");
  close.className = "close";
  close.type = "button";
  close.setAttribute("aria-label", "Close");
  close.textContent = "\u00D7";
  head.appendChild(title);
  head.appendChild(close);
  panel.appendChild(head);

  var frame = null; // created on first open: the chat loads only when someone wants it
  function setOpen(open) {
    if (open && !frame) {
      frame = document.createElement("iframe");
      frame.src = embedUrl;
      frame.title = label;
      frame.setAttribute("allow", "clipboard-write");
      panel.appendChild(frame);
    }
    panel.classList.toggle("open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.textContent = open ? "\u00D7" : "\uD83D\uDCAC";
  }
  button.addEventListener("click", function () {
    setOpen(!panel.classList.contains("open"));
  });
  close.addEventListener("click", function () {
    setOpen(false);
    button.focus();
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && panel.classList.contains("open")) setOpen(false);
  });

  root.appendChild(panel);
  root.appendChild(button);
  function mount() {
    document.body.appendChild(host);
    if (script.getAttribute("data-open") === "true") setOpen(true);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
