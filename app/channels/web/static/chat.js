// The web chat: sends what the citizen types to POST /api/chat and shows the bot's replies.
// Quick replies are buttons; tapping one sends its payload (and shows its title as the message).
// The 📷 button sends a screenshot to POST /api/chat/image (the typed text goes with it as a caption).
(() => {
  "use strict";
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const province = document.getElementById("province");
  const sendButton = document.getElementById("send");
  const picture = document.getElementById("picture");

  const userId = (() => {
    const fresh = () => "web-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
    try {
      let id = window.sessionStorage.getItem("canhgiac-user");
      if (!id) {
        id = fresh();
        window.sessionStorage.setItem("canhgiac-user", id);
      }
      return id;
    } catch (_) {
      return fresh();
    }
  })();

  function bubble(kind, text) {
    const div = document.createElement("div");
    div.className = "msg " + kind;
    div.textContent = text; // never innerHTML: replies may quote what people typed
    log.appendChild(div);
    div.scrollIntoView({ block: "end" });
    return div;
  }

  function clearQuickReplies() {
    for (const row of log.querySelectorAll(".quick")) row.remove();
  }

  function quickReplies(items) {
    const row = document.createElement("div");
    row.className = "quick";
    for (const item of items) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = item.title;
      button.addEventListener("click", () => send(item.payload, item.title));
      row.appendChild(button);
    }
    log.appendChild(row);
    row.scrollIntoView({ block: "end" });
  }

  function send(text, shown) {
    if (shown !== null) bubble("user", shown === undefined ? text : shown);
    return post(
      "/api/chat",
      {
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user_id: userId, text: text, province: province.value }),
      },
      "Đang trả lời…",
    );
  }

  function sendPicture(file, caption) {
    bubble("user", "📷 " + file.name + (caption ? "\n" + caption : ""));
    const body = new FormData();
    body.append("user_id", userId);
    body.append("province", province.value);
    if (caption) body.append("text", caption);
    body.append("file", file);
    // user_id and province also ride in the address: a picture too large to be read still gets a reply.
    const query = new URLSearchParams({ user_id: userId, province: province.value });
    return post("/api/chat/image?" + query.toString(), { body: body }, "Đang đọc ảnh…");
  }

  async function post(url, options, waitingText) {
    clearQuickReplies();
    sendButton.disabled = true;
    const waiting = bubble("bot waiting", waitingText);
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin", // the session cookie is the conversation's identity
        ...options,
      });
      waiting.remove();
      if (!response.ok) {
        // 413, 429 and 503 carry a short Vietnamese explanation; anything else gets the generic one.
        let detail = null;
        try {
          const body = await response.json();
          if ([413, 429, 503].includes(response.status) && typeof body.detail === "string") detail = body.detail;
        } catch (_) {
          detail = null;
        }
        bubble("bot error", detail || "Xin lỗi, tôi chưa nhận được tin nhắn này. Bạn thử gửi lại sau ít phút nhé.");
        return;
      }
      const data = await response.json();
      const replies = data.replies || [];
      replies.forEach((reply, index) => {
        bubble("bot", reply.text);
        if (index === replies.length - 1 && reply.quick_replies && reply.quick_replies.length) {
          quickReplies(reply.quick_replies);
        }
      });
    } catch (_) {
      waiting.remove();
      bubble("bot error", "Không kết nối được với máy chủ. Bạn kiểm tra mạng rồi thử lại nhé.");
    } finally {
      sendButton.disabled = false;
      input.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || sendButton.disabled) return;
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  picture.addEventListener("change", () => {
    const file = picture.files && picture.files[0];
    picture.value = "";
    if (!file || sendButton.disabled) return;
    const caption = input.value.trim();
    input.value = "";
    sendPicture(file, caption);
  });
  province.addEventListener("change", () => send("ACTION:GREETING", null));
  send("ACTION:GREETING", null);
})();
