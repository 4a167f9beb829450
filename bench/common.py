"""Shared pieces of the Python benchmarks: start a daemon on a fresh store
and talk to its API with the standard library only."""

import http.client
import json
import os
import socket
import subprocess
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Api:
    def __init__(self, port, key):
        self.port = port
        self.key = key
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def raw(self, method, path, body=None):
        headers = {"Authorization": "Bearer " + self.key}
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        self.conn.request(method, "/api/v1" + path, data, headers)
        r = self.conn.getresponse()
        return r.status, r.read()

    def call(self, method, path, body=None):
        status, data = self.raw(method, path, body)
        out = json.loads(data or b"{}")
        if status >= 300:
            raise RuntimeError("%s %s -> %d %s" % (method, path, status, out))
        return out


class Daemon:
    def __init__(self, binary, workdir, *args):
        self.port = free_port()
        self.out = open(os.path.join(workdir, "stdout"), "w+")
        self.err = open(os.path.join(workdir, "stderr"), "w")
        self.proc = subprocess.Popen(
            [binary, "serve", "--db", os.path.join(workdir, "bench.db"),
             "--listen", "127.0.0.1:%d" % self.port, "--rate-limit", "0"]
            + list(args), stdout=self.out, stderr=self.err)
        self.key = None
        for _ in range(200):
            time.sleep(0.05)
            self.out.seek(0)
            self.key = self.out.readline().strip()
            if self.key:
                break

    def api(self):
        return Api(self.port, self.key)

    def status(self, field):
        """A field of /proc/PID/status in MB (VmRSS, VmHWM)."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        return 0

    def fds(self):
        return len(os.listdir("/proc/%d/fd" % self.proc.pid))

    def threads(self):
        return len(os.listdir("/proc/%d/task" % self.proc.pid))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)


def setup_number(api, rules=None):
    api.call("POST", "/agents", {"name": "bench",
                                 "welcome_message": "Hi {{first_name}}"})
    settings = {"rules": rules} if rules else {}
    return api.call("POST", "/phone_numbers",
                    {"number": "+15550009999", "agent_id": 1,
                     "settings": settings})["id"]


def campaign(api, name, limit=1000, **extra):
    body = {"name": name, "phone_number_id": 1, "is_dynamic": True,
            "concurrent_call_limit": limit}
    body.update(extra)
    return api.call("POST", "/calls/bulk_call/create", body)["campaign_id"]
