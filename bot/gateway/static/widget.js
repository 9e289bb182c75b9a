/* マイナサポートBot web chat widget: plain JS, no dependencies, no build step.
 *
 *   <script src="https://GATEWAY/static/widget.js" defer></script>
 * adds a floating chat button and panel to any page; with data-mount="#id" on the tag the chat is
 * drawn inside that element instead (the page at "/"). The widget talks to the gateway the script
 * was loaded from (POST api/chat, api/feedback), lives in a shadow root so the host page's CSS does
 * not leak in, and keeps a random sender id per browser in localStorage. Every user or bot text is
 * put in the page with textContent / text nodes, never parsed as HTML.
 */
(function () {
  "use strict";
  const script = document.currentScript;
  if (!script || window.MynaSupportWidget) return;

  const BASE = new URL("../", script.src).href;  // widget.js lives at <gateway>/static/
  const KEYS = { sender: "mynasupport.sender_id", large: "mynasupport.large_text", tickets: "mynasupport.ticket_tokens" };
  const POLL_MS = 15000;
  const TIMEOUT_MS = 20000;
  const SHORT_SCREEN_PX = 560;  // below this visible height (e.g. a phone with its keyboard open) the chrome folds away
  const URGENT = "お急ぎの場合は、マイナンバー総合フリーダイヤル（0120-95-0178）にお問い合わせください。";
  const T = {
    title: "マイナサポートBot",
    inlineTitle: "チャットで質問する",  // beside the page's own heading; on a phone the bar says T.title
    open: "チャットで質問",
    close: "閉じる",
    large: "文字を大きく",
    log: "会話の記録",
    input: "質問を入力",
    placeholder: "例：カードをなくした",
    send: "送信",
    hint: "Enterで送信、Shift+Enterで改行。",
    privacy: "氏名・マイナンバー・暗証番号は入力しないでください。",
    welcome: "こんにちは。マイナサポートBotです。マイナンバーカードの取得や管理について、国のマニュアルなど公的な資料をもとにお答えします。知りたいことを、そのまま入力してください。",
    faq: "よくある質問を見る",
    you: "あなた：",
    bot: "マイナサポートBot：",
    error: "エラー：",
    sources: "出典",
    related: "関連する質問",
    helpful: "この回答は役に立ちましたか？",
    yes: "役に立った",
    no: "役に立たなかった",
    thanks: "ご意見ありがとうございました。",
    thinking: "回答を準備しています…",
    unreachable: "サーバーに接続できませんでした。通信状態を確かめて、しばらくしてからもう一度お試しください。" + URGENT,
    serverError: "サーバーでエラーが発生しました。しばらくしてからもう一度お試しください。" + URGENT,
    feedbackError: "ご意見を送れませんでした。",
    ticket: "担当者への取り次ぎを受け付けました。担当者の回答はこの画面に表示されます。受付番号：",
    staff: "担当者：",
  };
  const PHONE = /0\d{1,4}-\d{1,4}-\d{3,4}/g;
  // Icons as SVG paths (Material Icons, Apache-2.0): emoji fonts are missing on some machines.
  const ICONS = {
    chat: "M20 2H4c-1.1 0-2 .9-2 2v18l4-4h14c1.1 0 2-.9 2-2V4c0-1.1-.9-2-2-2z",
    thumb: "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 " +
      "7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z",
  };

  const storage = {
    get(key) {
      try { return window.localStorage.getItem(key); } catch (e) { return null; }
    },
    set(key, value) {
      try { window.localStorage.setItem(key, value); } catch (e) { /* storage blocked: not remembered */ }
    },
  };

  /** The browser's random sender id (not personal), created once and kept in localStorage. */
  function senderId() {
    let id = storage.get(KEYS.sender);
    if (!id || !/^w-[0-9a-f]{32}$/.test(id)) {
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      id = "w-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
      storage.set(KEYS.sender, id);
    }
    return id;
  }

  /** Tokens of this browser's handoff tickets (the gateway gives each once; it fetches the staff answer). */
  function ticketTokens() {
    try {
      const tokens = JSON.parse(storage.get(KEYS.tickets) || "[]");
      return Array.isArray(tokens) ? tokens.filter((t) => typeof t === "string" && /^[\w-]{20,100}$/.test(t)) : [];
    } catch (e) { return []; }
  }

  function keepTicketToken(token) {
    if (typeof token !== "string") return;
    storage.set(KEYS.tickets, JSON.stringify([...ticketTokens().filter((t) => t !== token), token].slice(-10)));
  }

  /** A new element with attributes and optional text (as textContent). */
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    if (text != null) node.textContent = text;
    return node;
  }

  /** A decorative SVG icon (hidden from screen readers); `flip` turns it upside down (👎). */
  function icon(name, flip) {
    const NS = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon" + (flip ? " flip" : ""));
    const path = document.createElementNS(NS, "path");
    path.setAttribute("d", ICONS[name]);
    svg.append(path);
    return svg;
  }

  /** Append `text` to `node` as text nodes; phone numbers (not FAX numbers) become tel: links. */
  function appendText(node, text) {
    let last = 0;
    for (const match of text.matchAll(PHONE)) {
      node.append(text.slice(last, match.index));
      const before = text.slice(Math.max(0, match.index - 6), match.index);
      if (/FAX|ＦＡＸ|ファクス/i.test(before)) node.append(match[0]);
      else node.append(el("a", { href: "tel:" + match[0].replace(/-/g, "") }, match[0]));
      last = match.index + match[0].length;
    }
    node.append(text.slice(last));
  }

  /** What the bubble says: the answer without its 「出典：…」 (`body`, from the server) when the sources
   *  are shown as a list; else the whole text. */
  function answerText(message) {
    return message.sources.length && typeof message.body === "string" ? message.body : message.text;
  }

  /** The list of sources; numbered ［1］［2］… when the text's marks refer to them (a guided check's result:
   *  its citation lists 「［n］…」, one source per number). */
  function sourceLines(sources, numbered) {
    const lines = [...new Set(sources.map((s) => [s.document, s.section, s.page ? "p." + s.page : ""].filter(Boolean).join("　")))];
    return numbered ? lines.map((line, i) => `［${i + 1}］${line}`) : lines;
  }

  /** The message to show for a failed request: the server's own words for a 4xx. */
  function errorText(status, body) {
    const detail = body && body.detail;
    const said = typeof detail === "string" ? detail
      : Array.isArray(detail) ? detail.map((d) => (d && d.message) || "").filter(Boolean).join(" ") : "";
    if (status >= 400 && status < 500 && said) return said;
    if (status >= 500) return T.serverError;
    return T.unreachable;
  }

  /** POST JSON to the gateway; resolves to {ok, status, body}; network failures and timeouts → status 0. */
  async function post(path, payload) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    try {
      const response = await fetch(BASE + path, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(payload),
        credentials: "omit",
        signal: controller.signal,
      });
      const body = await response.json().catch(() => null);
      return { ok: response.ok, status: response.status, body };
    } catch (e) {
      return { ok: false, status: 0, body: null };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Build the widget in a shadow root; inline inside `mount`, or floating when `mount` is null. */
  function build(mount) {
    const inline = Boolean(mount);
    const sender = senderId();
    const host = el("div", { class: "mynasupport-widget" + (inline ? " inline" : ""), lang: "ja" });
    host.style.display = "none";  // until widget.css has loaded
    const root = host.attachShadow({ mode: "open" });
    const css = el("link", { rel: "stylesheet", href: BASE + "static/widget.css" });
    const show = () => { host.style.display = ""; };
    css.addEventListener("load", show);
    css.addEventListener("error", show);

    const frame = el("div", { class: "msb " + (inline ? "inline" : "floating"), lang: "ja" });
    const panel = el("section", {
      id: "msb-panel", class: "panel", "aria-labelledby": "msb-title",
      role: inline ? "region" : "dialog",
    });
    const bar = el("div", { class: "bar" });
    const title = el("h2", { id: "msb-title" });
    if (inline) title.append(el("span", { class: "wide" }, T.inlineTitle), el("span", { class: "narrow" }, T.title));
    else title.textContent = T.title;
    bar.append(title);
    const large = el("button", { type: "button", class: "switch", role: "switch", "aria-checked": "false" }, T.large);
    bar.append(large);
    const log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": T.log, tabindex: "0" });
    const form = el("form", { class: "form", novalidate: "" });
    const input = el("textarea", {
      id: "msb-input", rows: "1", placeholder: T.placeholder, "aria-describedby": "msb-hint",
      autocomplete: "off", enterkeyhint: "send",
    });
    const sendButton = el("button", { type: "submit", class: "send" }, T.send);
    const row = el("div", { class: "row" });
    row.append(input, sendButton);
    const hint = el("p", { id: "msb-hint", class: "hint" });
    hint.append(el("span", { class: "privacy" }, T.privacy), el("span", { class: "keys" }, T.hint));
    form.append(el("label", { for: "msb-input", class: "sr" }, T.input), row, hint);
    panel.append(bar, log, form);

    let launcher = null;
    if (!inline) {
      launcher = el("button", { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "msb-panel" });
      launcher.append(icon("chat"), el("span", {}, T.open));
      const close = el("button", { type: "button", class: "close" });
      close.append(el("span", { "aria-hidden": "true" }, "× "), T.close);
      bar.append(close);
      panel.hidden = true;
      launcher.addEventListener("click", () => setOpen(panel.hidden));
      close.addEventListener("click", () => setOpen(false));
      panel.addEventListener("keydown", (e) => { if (e.key === "Escape") setOpen(false); });
      frame.append(launcher);
    }
    frame.append(panel);
    root.append(css, frame);

    function setOpen(open) {
      panel.hidden = !open;
      launcher.setAttribute("aria-expanded", String(open));
      frame.classList.toggle("open", open);
      (open ? input : launcher).focus();
    }

    function setLarge(on) {
      frame.classList.toggle("large", on);
      large.setAttribute("aria-checked", String(on));
      storage.set(KEYS.large, on ? "1" : "0");
    }
    large.addEventListener("click", () => setLarge(large.getAttribute("aria-checked") !== "true"));
    setLarge(storage.get(KEYS.large) === "1");

    /** One entry in the log: who speaks (for screen readers) and a bubble with the text. */
    function addEntry(kind, who, text) {
      const item = el("div", { class: "msg " + kind });
      const bubble = el("div", { class: "bubble" });
      const para = el("p", { class: "text" });
      para.append(el("span", { class: "sr" }, who));
      appendText(para, text);
      bubble.append(para);
      item.append(bubble);
      log.append(item);
      return item;
    }

    function addReplies(item, buttons, label) {
      const group = el("div", { class: "replies", role: "group", "aria-label": label });
      for (const button of buttons) {
        const node = el("button", { type: "button", class: "reply" }, button.title);
        node.addEventListener("click", () => ask(button.payload, button.title));
        group.append(node);
      }
      item.append(group);
    }

    function addFeedback(item, messageId) {
      const group = el("div", { class: "feedback", role: "group", "aria-label": T.helpful });
      const status = el("span", { class: "status" });
      group.append(el("span", { class: "question", "aria-hidden": "true" }, T.helpful));
      for (const [helpful, label] of [[true, T.yes], [false, T.no]]) {
        const node = el("button", { type: "button", class: "fb", "aria-label": label, "aria-pressed": "false", title: label });
        node.append(icon("thumb", !helpful));
        node.addEventListener("click", async () => {
          if (group.dataset.sent) return;
          group.dataset.sent = "1";
          node.setAttribute("aria-pressed", "true");
          group.querySelectorAll("button").forEach((b) => b.setAttribute("aria-disabled", "true"));
          const reply = await post("api/feedback", { sender_id: sender, message_id: messageId, helpful });
          if (reply.ok) {
            status.textContent = T.thanks;
          } else {
            status.textContent = T.feedbackError + (reply.status ? errorText(reply.status, reply.body) : T.unreachable);
            delete group.dataset.sent;
            node.setAttribute("aria-pressed", "false");
            group.querySelectorAll("button").forEach((b) => b.removeAttribute("aria-disabled"));
          }
        });
        group.append(node);
      }
      group.append(status);
      item.append(group);
    }

    function addBot(message) {
      message.sources = Array.isArray(message.sources) ? message.sources : [];
      const item = addEntry("bot", T.bot, answerText(message));
      const lines = sourceLines(message.sources, /\n［\d+］/.test(message.citation || ""));
      if (lines.length) {
        const box = el("div", { class: "sources" });
        const list = el("ul");
        for (const line of lines) list.append(el("li", {}, line));
        box.append(el("p", { class: "sources-title" }, T.sources), list);
        item.querySelector(".bubble").append(box);
      }
      // links to the gateway's own pages (e.g. the FAX sheet form, /fax?type=suspend): only site-relative paths
      for (const link of Array.isArray(message.links) ? message.links : []) {
        if (typeof link.path !== "string" || !/^\/[a-z0-9\/_-]*(\?[a-z0-9_=&-]*)?$/.test(link.path)) continue;
        const anchor = el("a", { class: "page-link", href: BASE + link.path.slice(1), target: "_blank",
                                 rel: "noopener" }, String(link.title || link.path));
        item.querySelector(".bubble").append(el("p", {}), anchor);
      }
      if (message.message_id && message.answer_id) addFeedback(item, message.message_id);
      if (message.buttons && message.buttons.length) addReplies(item, message.buttons, T.related);
    }

    let busy = false;
    /** Send `text` to the bot, showing `shown` as the user's message; answers or an error follow. */
    async function ask(text, shown) {
      if (busy) return false;
      busy = true;
      sendButton.setAttribute("aria-disabled", "true");
      log.setAttribute("aria-busy", "true");
      const mine = addEntry("user", T.you, shown);
      const pending = addEntry("bot pending", T.bot, T.thinking);
      log.scrollTop = log.scrollHeight;
      const reply = await post("api/chat", { sender_id: sender, text });
      pending.remove();
      const ok = reply.ok && reply.body && Array.isArray(reply.body.messages);
      if (ok) {
        reply.body.messages.forEach(addBot);
        if (reply.body.ticket_id) addEntry("note", "", T.ticket + reply.body.ticket_id);
        keepTicketToken(reply.body.ticket_token);
      } else {
        addEntry("error", T.error, reply.status ? errorText(reply.status, reply.body) : T.unreachable);
      }
      busy = false;
      sendButton.removeAttribute("aria-disabled");
      log.removeAttribute("aria-busy");
      log.scrollTop = mine.offsetTop - 8;  // the question at the top, the answer below it
      return ok;
    }

    async function submit() {
      const text = input.value;
      if (!text.trim() || busy) { input.focus(); return; }
      input.value = "";
      resize();
      if (!(await ask(text, text)) && !input.value) { input.value = text; resize(); }
    }

    function resize() {
      input.style.height = "auto";
      input.style.height = Math.min(input.scrollHeight + 4, 160) + "px";
    }

    form.addEventListener("submit", (e) => { e.preventDefault(); submit(); });
    input.addEventListener("input", resize);
    input.addEventListener("keydown", (e) => {
      // Enter sends; Shift+Enter is a new line; Enter that confirms Japanese IME input does nothing.
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        submit();
      }
    });

    /** Staff answers to this browser's handoff tickets are fetched every POLL_MS (with the tickets'
     *  tokens) and shown once. */
    async function pollStaffAnswers() {
      const tokens = ticketTokens();
      if (!tokens.length) return;
      try {
        const response = await fetch(BASE + "api/tickets/pending?sender_id=" + encodeURIComponent(sender),
                                     { credentials: "omit", headers: { "X-Ticket-Token": tokens.join(",") } });
        if (!response.ok) return;
        const body = await response.json();
        (body.answers || []).forEach((answer) => addEntry("bot staff", T.staff, String(answer.text || "")));
      } catch (e) { /* offline or gateway restarting: the next poll tries again */ }
    }
    setInterval(pollStaffAnswers, POLL_MS);

    const welcome = addEntry("bot", T.bot, T.welcome);
    addReplies(welcome, [{ title: T.faq, payload: "/help" }], T.faq);

    /* A phone with the keyboard open (or any short screen): the conversation gets the space. The page
     * may use --msb-height (the visible height; on iOS the keyboard does not shrink the layout viewport),
     * and a short screen hides the title bar (inline) and the hint. */
    function fitScreen() {
      const height = window.visualViewport ? window.visualViewport.height : window.innerHeight;
      document.documentElement.style.setProperty("--msb-height", height + "px");
      host.classList.toggle("short", height < SHORT_SCREEN_PX);
    }
    (window.visualViewport || window).addEventListener("resize", fitScreen);
    fitScreen();

    window.MynaSupportWidget = {
      open: () => inline ? input.focus() : setOpen(true),
      close: () => inline || setOpen(false),
    };
    return host;
  }

  function start() {
    const selector = script.dataset.mount;
    const mount = selector ? document.querySelector(selector) : null;
    (mount || document.body).append(build(mount));
  }

  window.MynaSupportWidget = {};  // marks the widget as loaded: a second script tag does nothing
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
