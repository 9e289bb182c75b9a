#!/usr/bin/env python3
"""Talk to the assistant's web chat API like the chat widget does.

  python3 chat.py c01 "メッセージ"      one turn of conversation c01 (c01 … c10)
  python3 chat.py c01 --tap 2           tap button 2 of c01's last reply (sends its payload)
  python3 chat.py c01 --show            show c01's turns so far

Every turn is saved in raw/<conv>-<turn>.json (what was sent and the JSON reply)."""
import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

URL = "http://127.0.0.1:81NN/api/chat"
RAW = Path(__file__).resolve().parent / "raw"
TRIAL = "trialNN"


def turns(conv):
    return sorted(RAW.glob(f"{conv}-*.json"), key=lambda p: int(p.stem.split("-")[1]))


def post(sender, text):
    data = json.dumps({"sender_id": sender, "text": text}).encode()
    for attempt in range(8):
        req = urllib.request.Request(URL, data=data, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, json.loads(resp.read().decode())
        except urllib.error.HTTPError as err:
            body = err.read().decode(errors="replace")
            if err.code == 429 and attempt < 7:
                time.sleep(20)
                continue
            try:
                return err.code, json.loads(body)
            except ValueError:
                return err.code, {"error": body}
    raise SystemExit("no reply")


def show(record):
    print(f"--- {record['turn_id']}  sent: {record['sent']!r}" + (f"  (tapped: {record['tapped']})" if record.get("tapped") else ""))
    reply = record["reply"]
    if record["status"] != 200:
        print(f"[HTTP {record['status']}] {json.dumps(reply, ensure_ascii=False)}")
        return
    for m in reply.get("messages", []):
        print(m.get("text", ""))
        for i, b in enumerate(m.get("buttons") or [], 1):
            print(f"   [button {i}] {b['title']}")
        for link in m.get("links") or []:   # the widget shows these as links (a form to fill in), not as buttons
            print(f"   [link] {link['title']} ({link['path']})")
    print(f"(fallback={reply.get('fallback')})")


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    conv, arg = sys.argv[1], sys.argv[2]
    RAW.mkdir(exist_ok=True)
    done = turns(conv)
    if arg == "--show":
        for p in done:
            show(json.loads(p.read_text()))
        return
    sender = f"{TRIAL}-{conv}"
    tapped = None
    if arg == "--tap":
        if not done:
            raise SystemExit("no reply to tap yet")
        last = json.loads(done[-1].read_text())["reply"]
        buttons = [b for m in last.get("messages", []) for b in (m.get("buttons") or [])]
        n = int(sys.argv[3])
        if not 1 <= n <= len(buttons):
            raise SystemExit(f"the last reply has {len(buttons)} buttons")
        tapped = buttons[n - 1]["title"]
        text = buttons[n - 1]["payload"]
    else:
        text = arg
    status, reply = post(sender, text)
    turn = len(done) + 1
    record = {"turn_id": f"{conv}-{turn}", "sent": text, "tapped": tapped, "status": status, "reply": reply}
    (RAW / f"{conv}-{turn}.json").write_text(json.dumps(record, ensure_ascii=False, indent=1))
    show(record)


if __name__ == "__main__":
    main()
