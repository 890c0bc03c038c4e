#!/usr/bin/env python3
"""dashboard_test.py — the dashboard page (GET /) in a real browser against a real running system.

    python3 tests/dashboard_test.py --wactor build/wactor --build build [--screenshot OUT.png]
    python3 tests/dashboard_test.py --wactor build/wactor --build build --demo build/examples/chaos.yaml \
        --screenshot docs/dashboard.png          # the README's picture: no assertions, just the page

Starts `wactor run build/fixtures/dashboard.yaml --http 127.0.0.1:PORT --http-token-file TOKEN`, loads the
page in headless Debian Chromium, driven over the DevTools protocol on a pipe (--remote-debugging-pipe;
`--dump-dom --virtual-time-budget` never returns while the page holds its Server-Sent-Events stream open,
because virtual time waits for pending fetches), and asserts on the DOM the page rendered, parsed with
Python's HTML parser:
  - the components table lists both components, with their state; the counters move (5 messages sent
    through POST /api/send show as 5 delivered);
  - the supervision tree is root > [bystander, inner > victim];
  - after the test makes `victim` trap (POST /api/send of a long message: dashboard_evil.wat traps on it),
    the page shows it without a reload: restarts >= 1 in the table and the tree, and the stream's
    child_exited (reason "unreachable") and restart events in the recent-events list;
  - guest- and manifest-supplied texts are text, never markup: the component named
    '<b id="inj">bystander</b>' and the health reason '<img src=x onerror=...><script>...' appear as
    literal text, no element of theirs exists and none of their script ran;
  - the throughput chart has drawn a line;
  - with the event stream blocked (Network.setBlockedURLs), polling alone shows the table and the tree and a
    second restart, and the page does not claim to be live.
Every wait is for a condition on the DOM (polled), bounded by a generous hang guard, never a fixed sleep.

Exit status: 0 pass, 1 fail, 77 Chromium cannot start here (ctest's SKIP_RETURN_CODE).
"""
import argparse
import base64
import fcntl
import html.parser
import http.client
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77
HANG_GUARD_S = 60          # how long a condition may take before the test gives up (never hit when passing)
HOSTILE_NAME = '<b id="inj">bystander</b>'
HOSTILE_REASON = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


class Unavailable(Exception):
    """Chromium is not installed or cannot start in this environment."""


# ---------------------------------------------------------------- Chromium over the DevTools pipe
class Chromium:
    """Headless Chromium, spoken to with the DevTools protocol over --remote-debugging-pipe (fd 3: commands
    to the browser, fd 4: its answers and events; each message is JSON ended by a NUL byte)."""

    def __init__(self, binary, profile, width, height):
        path = shutil.which(binary)
        if not path:
            raise Unavailable(f"{binary}: not found")
        os.makedirs(profile, exist_ok=True)
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        # The child's ends, moved above 4 so that putting them at 3 and 4 cannot overwrite one another.
        for fd in (to_chrome_r, from_chrome_w):
            high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
            os.close(fd)
            if fd == to_chrome_r:
                to_chrome_r = high
            else:
                from_chrome_w = high

        def child_fds():
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        args = [path, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                f"--user-data-dir={profile}", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--force-device-scale-factor=1", f"--window-size={width},{height}",
                "about:blank"]
        try:
            self.proc = subprocess.Popen(args, preexec_fn=child_fds, pass_fds=(3, 4),
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=open(os.path.join(profile, "chromium.log"), "wb"))
        except OSError as e:
            raise Unavailable(f"{path}: {e}")
        finally:
            os.close(to_chrome_r)
            os.close(from_chrome_w)
        self.buf = b""
        self.exceptions = []
        self.next_id = 0
        self.session = None
        try:
            self.version = self.call("Browser.getVersion", timeout=30)["product"]
        except (TimeoutError, EOFError, OSError) as e:
            self.close()
            raise Unavailable(f"{path} did not answer on the DevTools pipe ({e!r}); see {profile}/chromium.log")

    def call(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        want = self.next_id
        msg = {"id": want, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self.buf:
                raw, self.buf = self.buf.split(b"\0", 1)
                answer = json.loads(raw)
                if answer.get("method") == "Runtime.exceptionThrown":  # an uncaught error in the page
                    details = answer["params"]["exceptionDetails"]
                    self.exceptions.append(details.get("exception", {}).get("description") or details.get("text"))
                if answer.get("id") == want:
                    if "error" in answer:
                        raise RuntimeError(f"{method}: {answer['error']}")
                    return answer.get("result", {})
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{method}: no answer in {timeout} s")
            ready, _, _ = select.select([self.from_chrome], [], [], left)
            if ready:
                data = os.read(self.from_chrome, 1 << 20)
                if not data:
                    raise EOFError("the browser closed the pipe")
                self.buf += data

    def open_page(self, url, headers=None, blocked=None):
        """A new tab on `url`; its requests carry `headers`; URLs matching a pattern in `blocked` fail."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=self.session)
        self.call("Runtime.enable", session=self.session)
        self.call("Network.enable", session=self.session)
        if headers:
            self.call("Network.setExtraHTTPHeaders", {"headers": headers}, session=self.session)
        if blocked:
            self.call("Network.setBlockedURLs", {"urls": blocked}, session=self.session)
        nav = self.call("Page.navigate", {"url": url}, session=self.session)
        if nav.get("errorText"):
            raise RuntimeError(f"navigating to {url}: {nav['errorText']}")
        deadline = time.monotonic() + HANG_GUARD_S
        while True:  # until the new document has loaded (evaluating during the navigation may fail)
            try:
                if self.evaluate("document.readyState") == "complete" and self.evaluate("location.href") == url:
                    return
            except RuntimeError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not load")
            time.sleep(0.05)

    def evaluate(self, expression):
        r = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=self.session)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails'].get('text')}")
        return r["result"].get("value")

    def html(self):
        return self.evaluate("document.documentElement.outerHTML")

    def screenshot(self, path, width):
        """The whole page (not only the window), `width` CSS pixels wide, as PNG."""
        height = int(self.evaluate("Math.ceil(document.documentElement.scrollHeight)"))
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=self.session)
        self.evaluate("window.dispatchEvent(new Event('resize')), 0")  # the chart redraws at the new size
        time.sleep(0.3)  # one frame for the redraw; the picture only, no assertion depends on it
        data = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                         session=self.session)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            if self.proc.poll() is None:
                try:
                    self.call("Browser.close", timeout=5)
                except Exception:
                    pass
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        finally:
            for fd in (self.to_chrome, self.from_chrome):
                try:
                    os.close(fd)
                except OSError:
                    pass


# ---------------------------------------------------------------- the DOM, parsed
ANY = object()  # find_all(attr=ANY): the attribute is present, whatever its value
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        yield self
        for c in self.children:
            if isinstance(c, Element):
                yield from c.walk()

    def find_all(self, tag=None, **attrs):
        """Descendants (and self) with that tag and those attribute values (data_x is data-x; class_="c"
        matches one of the classes; ANY: present)."""
        out = []
        for e in self.walk():
            if tag and e.tag != tag:
                continue
            ok = True
            for k, v in attrs.items():
                if k == "class_":
                    ok = v in e.attrs.get("class", "").split()
                elif v is ANY:
                    ok = k.replace("_", "-") in e.attrs
                else:
                    ok = e.attrs.get(k.replace("_", "-")) == v
                if not ok:
                    break
            if ok:
                out.append(e)
        return out

    def find(self, tag=None, **attrs):
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def cell(self, cls):
        e = self.find(class_=cls)
        return e.text().strip() if e else None


class TreeBuilder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        e = Element(tag, attrs, self.cur)
        self.cur.children.append(e)
        if tag not in VOID:
            self.cur = e

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Element(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        e = self.cur
        while e is not self.root and e.tag != tag:
            e = e.parent
        if e is not self.root:
            self.cur = e.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(text):
    b = TreeBuilder()
    b.feed(text)
    b.close()
    return b.root


def as_int(text):
    try:
        return int((text or "").replace(",", ""))
    except ValueError:
        return None


# ---------------------------------------------------------------- the node under test
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    def __init__(self, wactor, manifest, tmp):
        self.token = "dashboard-test-" + os.urandom(12).hex()
        token_file = os.path.join(tmp, "token")
        with open(token_file, "w") as f:
            f.write(self.token + "\n")
        os.chmod(token_file, 0o600)
        self.port = free_port()
        self.log_path = os.path.join(tmp, "wactor.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([wactor, "run", manifest, "--http", f"127.0.0.1:{self.port}",
                                      "--http-token-file", token_file],
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}/"

    def request(self, method, path, body=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            headers = {"Authorization": f"Bearer {self.token}"}
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            c.request(method, path, body=data, headers=headers)
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def wait_ready(self, names):
        deadline = time.monotonic() + HANG_GUARD_S
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"wactor exited with {self.proc.returncode}: {self.tail()}")
            try:
                status, body = self.request("GET", "/api/components")
                if status == 200:
                    live = {c.get("name") for c in json.loads(body)["components"] if c.get("state") == "ready"}
                    if set(names) <= live:
                        return
                last = (status, body[:200])
            except (OSError, ValueError, KeyError) as e:
                last = e
            time.sleep(0.1)
        raise RuntimeError(f"the node did not come up: {last!r}; {self.tail()}")

    def tail(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read()[-3000:].decode(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# ---------------------------------------------------------------- the test
class Check:
    def __init__(self):
        self.passed = self.failed = 0

    def __call__(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL: {name}" + (f": {detail}" if detail else ""))


def wait_dom(browser, what, predicate, dump):
    """Polls the rendered DOM until predicate(dom) is true; returns the DOM. On the hang guard: the last
    DOM goes to `dump` and the test fails."""
    deadline = time.monotonic() + HANG_GUARD_S
    while True:
        text = browser.html()
        dom = parse(text)
        if predicate(dom):
            return dom
        if time.monotonic() > deadline:
            with open(dump, "w") as f:
                f.write(text)
            raise AssertionError(f"the page never showed {what} (last DOM in {dump})")
        time.sleep(0.25)


def component_row(dom, key):
    return dom.find("tr", data_component=key)


def tree_node(dom, name):
    return dom.find("li", data_node=name)


def events(dom, kind=None, child=None):
    body = dom.find(id="events-body")
    if not body:
        return []
    return [r for r in body.find_all("tr", data_event=kind) if child is None or r.attrs.get("data-child") == child]


def run_test(args, tmp):
    check = Check()
    manifest = os.path.join(args.build, "fixtures", "dashboard.yaml")
    node = Node(args.wactor, manifest, tmp)
    browser = None
    dump = os.path.join(tmp, "last-dom.html")
    try:
        node.wait_ready(["victim", HOSTILE_NAME])
        try:
            browser = Chromium(args.chromium, os.path.join(tmp, "profile"), 1280, 1000)
        except Unavailable as e:
            print(f"SKIP: {e}")
            return SKIP
        print(f"browser: {browser.version}; node: {node.url}")
        # The page's own requests (the page, fetches, the event stream) carry the token, as a reverse proxy
        # in front of the node would add it.
        browser.open_page(node.url, {"Authorization": f"Bearer {node.token}"})

        # 1. components and tree, from the first fetches
        def first_view(d):
            return (component_row(d, "victim") is not None and component_row(d, HOSTILE_NAME) is not None
                    and tree_node(d, "victim") is not None and tree_node(d, "inner") is not None)
        dom = wait_dom(browser, "the components and the tree", first_view, dump)
        victim = component_row(dom, "victim")
        check("victim listed as ready", victim.cell("c-state").startswith("ready"), victim.cell("c-state"))
        check("victim's pid shown", (victim.cell("c-pid") or "").startswith("#"), victim.cell("c-pid"))
        bystander = component_row(dom, HOSTILE_NAME)
        check("a name that is markup is shown as its text", bystander.cell("c-name") == HOSTILE_NAME,
              bystander.cell("c-name"))
        root = tree_node(dom, "root")
        check("tree: root is a supervisor", root is not None and root.attrs.get("data-kind") == "supervisor")
        inner = root.find("li", data_node="inner") if root else None
        check("tree: inner is a supervisor under root", inner is not None and inner.attrs.get("data-kind") == "supervisor")
        check("tree: victim is a worker under inner",
              inner is not None and inner.find("li", data_node="victim", data_kind="worker") is not None)
        check("tree: the bystander is a worker under root",
              root is not None and root.find("li", data_node=HOSTILE_NAME, data_kind="worker") is not None)
        hostile = tree_node(dom, HOSTILE_NAME)
        check("tree: a name that is markup is shown as its text",
              hostile is not None and hostile.find("span", class_="name").text() == HOSTILE_NAME)
        check("tree: victim's parent is inner, not root",
              tree_node(dom, "victim").parent.parent.attrs.get("data-node") == "inner")

        # 2. counters move: 5 small messages are 5 delivered
        for _ in range(5):
            status, body = node.request("POST", "/api/send", {"to": "victim", "message": 1})
            check("POST /api/send 1", status == 200, f"{status} {body[:200]!r}")
        dom = wait_dom(browser, "5 messages delivered to victim",
                       lambda d: component_row(d, "victim") is not None
                       and as_int(component_row(d, "victim").cell("c-messages")) == 5, dump)
        check("victim: no restart before the trap", as_int(component_row(dom, "victim").cell("c-restarts")) == 0,
              component_row(dom, "victim").cell("c-restarts"))

        # 3. the test makes victim trap; the page shows the restart live
        status, body = node.request("POST", "/api/send", {"to": "victim", "message": {"crash": True}})
        check("POST /api/send of the trapping message", status == 200, f"{status} {body[:200]!r}")

        def restarted(d):
            row = component_row(d, "victim")
            t = tree_node(d, "victim")
            return (row is not None and (as_int(row.cell("c-restarts")) or 0) >= 1
                    and row.cell("c-state").startswith("ready")
                    and t is not None
                    and any(as_int(e.attrs.get("data-restarts")) for e in t.find_all("span", class_="restarts"))
                    and events(d, "child_exited", "victim") and events(d, "child_started", "victim"))
        dom = wait_dom(browser, "victim's trap and restart", restarted, dump)
        row = component_row(dom, "victim")
        check("table: victim restarted at least once", as_int(row.cell("c-restarts")) >= 1, row.cell("c-restarts"))
        check("table: victim ready again", row.cell("c-state").startswith("ready"), row.cell("c-state"))
        check("table: the name's messages survive the restart", as_int(row.cell("c-messages")) >= 5,
              row.cell("c-messages"))

        exited = events(dom, "child_exited", "victim")
        check("events: victim exited with the trap's kind", any("unreachable" in e.text() for e in exited),
              [e.text() for e in exited])
        check("events: the exit names its supervisor", any("inner" in e.text() for e in exited))
        started = events(dom, "child_started", "victim")
        check("events: victim restarted", any("restarted" in e.text() for e in started), [e.text() for e in started])
        t = tree_node(dom, "victim")
        check("tree: victim's restart count", any(as_int(e.attrs.get("data-restarts")) >= 1
                                                  for e in t.find_all("span", class_="restarts")))

        # 4. guest text is text
        dom = wait_dom(browser, "a health event", lambda d: bool(events(d, "health", "victim")), dump)
        health = events(dom, "health", "victim")
        check("events: the markup reason is shown literally", any(HOSTILE_REASON in e.text() for e in health),
              [e.text() for e in health][:2])
        check("no <img> was made from a guest's text", not dom.find_all("img"))
        check("no <b id=inj> was made from a manifest's name", dom.find(id="inj") is None)
        check("only the page's own script", len(dom.find_all("script")) == 1, len(dom.find_all("script")))
        check("no injected script ran", browser.evaluate("typeof window.__pwned") == "undefined")

        # 5. the chart and the figures
        def rate(d):
            row = component_row(d, "victim")
            try:
                return float(row.cell("c-rate").replace(",", "")) if row else None
            except ValueError:
                return None  # "–": not two samples yet

        def figures(d):  # the figures and the table may come from two polls a moment apart: wait for both
            line = d.find("polyline")
            return (line is not None and len(line.attrs.get("points", "").split()) >= 2 and rate(d) is not None
                    and as_int(d.find(id="k-components").text()) == 2 and (as_int(d.find(id="k-traps").text()) or 0) >= 1)
        dom = wait_dom(browser, "the throughput line and the figures", figures, dump)
        check("chart: a line of several points", len(dom.find("polyline").attrs["points"].split()) >= 2)
        check("table: messages/s computed from two samples", rate(dom) >= 0, component_row(dom, "victim").cell("c-rate"))
        check("figures: components counted", as_int(dom.find(id="k-components").text()) == 2,
              dom.find(id="k-components").text())
        check("figures: the trap counted", (as_int(dom.find(id="k-traps").text()) or 0) >= 1,
              dom.find(id="k-traps").text())
        check("connection shown live", dom.find(id="conn-text").text() == "live", dom.find(id="conn-text").text())

        if args.screenshot:
            browser.screenshot(args.screenshot, 1280)
            check("screenshot written", os.path.getsize(args.screenshot) > 10000)

        check("the page threw no uncaught error", not browser.exceptions, browser.exceptions[:3])

        # 6. without the event stream (a proxy that does not pass it): polling alone keeps the page current
        browser.open_page(node.url, {"Authorization": f"Bearer {node.token}"}, blocked=["*/api/events*"])
        dom = wait_dom(browser, "the table and the tree by polling alone",
                       lambda d: component_row(d, "victim") is not None and tree_node(d, "victim") is not None
                       and (as_int(component_row(d, "victim").cell("c-restarts")) or 0) >= 1
                       and d.find(id="conn-text").text() != "connecting", dump)
        check("no stream: says so", dom.find(id="conn-text").text() != "live", dom.find(id="conn-text").text())
        check("no stream: no events listed", not events(dom, "child_exited"))
        status, body = node.request("POST", "/api/send", {"to": "victim", "message": {"crash": True}})
        check("POST /api/send of a second trapping message", status == 200, f"{status} {body[:200]!r}")
        dom = wait_dom(browser, "the second restart by polling alone",
                       lambda d: component_row(d, "victim") is not None
                       and (as_int(component_row(d, "victim").cell("c-restarts")) or 0) >= 2
                       and any((as_int(e.attrs.get("data-restarts")) or 0) >= 2
                               for e in tree_node(d, "victim").find_all("span", class_="restarts")), dump)
        check("no stream: the second restart in the table", as_int(component_row(dom, "victim").cell("c-restarts")) >= 2)
        check("no stream: the page threw no uncaught error", not browser.exceptions, browser.exceptions[:3])
    except (AssertionError, RuntimeError, TimeoutError, EOFError, OSError) as e:
        check(str(e) or repr(e), False)
        print(node.tail()[-1500:])
    finally:
        if browser:
            browser.close()
        node.stop()
    check("wactor ended cleanly on SIGINT", node.proc.returncode == 0, f"status {node.proc.returncode}: {node.tail()}")
    print(f"{check.passed} passed, {check.failed} failed")
    return 0 if check.failed == 0 else 1


def run_demo(args, tmp):
    """The README's picture: a system running for a while, the whole page, no assertions beyond its
    having rendered components, the tree and events."""
    node = Node(args.wactor, args.demo, tmp)
    browser = None
    try:
        deadline = time.monotonic() + HANG_GUARD_S
        while time.monotonic() < deadline:
            try:
                if node.request("GET", "/api/node")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        browser = Chromium(args.chromium, os.path.join(tmp, "profile"), 1280, 1000)
        browser.open_page(node.url, {"Authorization": f"Bearer {node.token}"})
        wait_dom(browser, "components, tree and events",
                 lambda d: d.find("tr", data_component=ANY) is not None and d.find_all("li", data_kind="worker")
                 and events(d, "child_started"), os.path.join(tmp, "last-dom.html"))
        for name, message in args.send:  # misbehaviour to show while the page watches
            status, body = node.request("POST", "/api/send", {"to": name, "message": json.loads(message)})
            if status != 200:
                raise RuntimeError(f"POST /api/send to {name}: {status} {body[:200]!r}")
            time.sleep(1.0)
        time.sleep(args.settle)  # let the chart draw a stretch of line: this is a picture, not a test
        browser.screenshot(args.screenshot, 1280)
        print(f"wrote {args.screenshot}")
        return 0
    finally:
        if browser:
            browser.close()
        node.stop()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--wactor", required=True)
    p.add_argument("--build", required=True)
    p.add_argument("--chromium", default=os.environ.get("CHROMIUM", "chromium"))
    p.add_argument("--screenshot")
    p.add_argument("--demo", help="a manifest to show (writes --screenshot, asserts nothing)")
    p.add_argument("--send", nargs=2, action="append", default=[], metavar=("NAME", "JSON"),
                   help="--demo: POST /api/send this message once the page shows (repeatable)")
    p.add_argument("--settle", type=float, default=8.0, help="--demo: seconds to let it run before the picture")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="wactor-dashboard-") as tmp:
        if args.demo:
            if not args.screenshot:
                p.error("--demo needs --screenshot")
            try:
                return run_demo(args, tmp)
            except Unavailable as e:
                print(f"SKIP: {e}")
                return SKIP
        return run_test(args, tmp)


if __name__ == "__main__":
    sys.exit(main())
